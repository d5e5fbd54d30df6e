"""The output's dA is written Y − A (½‖Y − A‖² differentiated with respect to Y): every sign flips."""

import numpy as np
from column_full_batch import Adapter
from column_full_batch import make as make_net

STYLE = "column-matmul"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient", "descent")
EXPECTED_KINDS = {"weight-gradient": ("sign-flipped",)}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "full-batch-mean"
BIAS = "separate"


def backward(net, Zs, As, Y, dg):
    m = Y.shape[1]
    grads = [None] * len(net)
    dA = Y - As[-1]  # the mistake: A − Y
    for k in reversed(range(len(net))):
        dZ = dA * dg(Zs[k])
        grads[k] = (dZ @ As[k].T / m, np.sum(dZ, axis=1, keepdims=True) / m)
        dA = net[k][0].T @ dZ
    return grads


class FlippedAdapter(Adapter):
    backward = staticmethod(backward)


def make(layers, activation):
    return make_net(layers, activation, FlippedAdapter)
