"""Layer_Dense sums dvalues over axis 1 (the neurons) for dbiases, where axis 0 (the samples) belongs."""

import numpy as np
from nnfs_objects import ACTIVATIONS, Layer_Dense
from nnfs_objects import make as make_network

STYLE = "nnfs-objects"
PROTOCOL = "layer-objects"
EXPECTED_FAILED = ("weight-gradient",)
EXPECTED_KINDS = {"weight-gradient": ("wrong-axis",)}
DECLARE = {}
LEFT_OUT = ()
SCHEME = None
BIAS = "separate"


class Layer_Dense_Axis(Layer_Dense):
    def backward(self, dvalues):
        super().backward(dvalues)
        self.dbiases = np.sum(dvalues, axis=1, keepdims=True)  # the mistake: axis=1


def make(layers, activation):
    return make_network(layers, activation, Layer_Dense_Axis, ACTIVATIONS)
