"""The weight gradient is a·δᵀ where δ·aᵀ belongs: the transpose of ∂C/∂W (square layers)."""

import numpy as np
from nielsen_column import Adapter

STYLE = "nielsen-column"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient", "update-is-sgd-step")
EXPECTED_KINDS = {"weight-gradient": ("transposed",)}
DECLARE = {"layers": [(3, 3, 3)]}  # the shapes agree only for square layers
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


class TransposedGradient(Adapter):
    def weight_gradient(self, delta, a):
        return np.dot(a, delta.transpose())  # the mistake: (n_in, n_out), Wᵀ's shape


def make(layers, activation):
    return TransposedGradient(layers, activation)
