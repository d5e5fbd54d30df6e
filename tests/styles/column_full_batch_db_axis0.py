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


def linear_backward(dZ, A_prev, W):
    m = A_prev.shape[1]
    return W.T @ dZ, dZ @ A_prev.T / m, np.sum(dZ, axis=0, keepdims=True) / m  # the mistake: axis=0


class AxisZeroAdapter(Adapter):
    linear_backward = staticmethod(linear_backward)


def make(layers, activation):
    return make_net(layers, activation, AxisZeroAdapter)
