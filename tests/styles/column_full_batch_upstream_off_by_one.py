"""dA of the layer to the left is taken through that layer's own W (net[k - 1]), not net[k]: off by one."""

import numpy as np
from column_full_batch import Adapter
from column_full_batch import make as make_net

STYLE = "column-matmul"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient",)
EXPECTED_KINDS = {"weight-gradient": ("wrong-upstream",)}
DECLARE = {"layers": [(4, 4, 4, 4)]}
LEFT_OUT = ()
SCHEME = "full-batch-mean"
BIAS = "separate"


def backward(net, Zs, As, Y, dg):
    m = Y.shape[1]
    grads = [None] * len(net)
    dA = As[-1] - Y
    for k in reversed(range(len(net))):
        dZ = dA * dg(Zs[k])
        grads[k] = (dZ @ As[k].T / m, np.sum(dZ, axis=1, keepdims=True) / m)
        if k:
            dA = net[k - 1][0].T @ dZ  # the mistake: net[k][0], the weights dZ came through
    return grads


class OffByOneAdapter(Adapter):
    backward = staticmethod(backward)


def make(layers, activation):
    return make_net(layers, activation, OffByOneAdapter)
