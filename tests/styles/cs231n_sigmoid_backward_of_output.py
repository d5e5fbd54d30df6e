"""sigmoid_backward applies sigmoid again to its cache, which holds the output: σ'(σ(z)), not σ'(z)."""

import numpy as np
from cs231n_fc_net import NONLINEARITIES, Adapter, sigmoid_forward

STYLE = "cs231n-layers"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient", "update-is-sgd-step")
EXPECTED_KINDS = {"weight-gradient": ("fprime-of-output",)}
DECLARE = {"activation": ("sigmoid",)}
LEFT_OUT = ()
SCHEME = None
BIAS = "separate"


def sigmoid_backward(dout, cache):
    s = 1 / (1 + np.exp(-cache))  # the mistake: cache is sigmoid_forward's out, not its x
    return dout * s * (1 - s)


class Net(Adapter):
    nonlinearities = dict(NONLINEARITIES, sigmoid=(sigmoid_forward, sigmoid_backward))


def make(layers, activation):
    return Net(layers[1:-1], layers[0], layers[-1], activation)
