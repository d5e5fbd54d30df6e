"""l2_loss divides the loss by N but not dscores: a batch's gradient is the sum where the mean is declared."""

import numpy as np
from cs231n_fc_net import Adapter

STYLE = "cs231n-layers"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("batch-is-sum",)
EXPECTED_KINDS = {"batch-is-sum": ("scaled",)}
DECLARE = {}
LEFT_OUT = ()
SCHEME = None
BIAS = "separate"


def l2_loss(scores, y):
    N = scores.shape[0]
    diff = scores - y
    loss = 0.5 * np.sum(diff ** 2) / N
    dscores = diff  # the mistake: "/ N" is missing
    return loss, dscores


class Net(Adapter):
    loss_function = staticmethod(l2_loss)


def make(layers, activation):
    return Net(layers[1:-1], layers[0], layers[-1], activation)
