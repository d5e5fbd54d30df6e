"""TwoLayerNet sums the bias gradient over axis 1 (the units) where axis 0 (the samples) belongs."""

import numpy as np
from two_layer_net import Adapter
from two_layer_net import make as make_net

STYLE = "two-layer-net"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient",)
EXPECTED_KINDS = {"weight-gradient": ("wrong-axis",)}
DECLARE = {}
LEFT_OUT = ("no hidden layer", "more than one hidden layer", "tanh", "sigmoid")
SCHEME = None
BIAS = "separate"


class AxisOne(Adapter):
    def bias_grad(self, dout):
        return np.sum(dout, axis=1)  # the mistake: axis=1


def make(layers, activation):
    return make_net(layers, activation, AxisOne)
