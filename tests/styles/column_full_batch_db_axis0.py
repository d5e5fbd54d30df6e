"""db sums dZ over axis 0 (the units) where axis 1 (the samples, the columns) belongs."""

import numpy as np
from column_full_batch import Adapter
from column_full_batch import make as make_net

STYLE = "column-matmul"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient",)
EXPECTED_KINDS = {"weight-gradient": ("wrong-axis",)}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "full-batch-mean"
BIAS = "separate"


def backward(net, Zs, As, Y, dg):
    m = Y.shape[1]
    grads = [None] * len(net)
    dA = As[-1] - Y
    for k in reversed(range(len(net))):
        dZ = dA * dg(Zs[k])
        grads[k] = (dZ @ As[k].T / m, np.sum(dZ, axis=0, keepdims=True) / m)  # the mistake: axis=0
        dA = net[k][0].T @ dZ
    return grads


class AxisZeroAdapter(Adapter):
    backward = staticmethod(backward)


def make(layers, activation):
    return make_net(layers, activation, AxisZeroAdapter)
