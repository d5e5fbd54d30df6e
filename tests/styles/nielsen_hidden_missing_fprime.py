"""The hidden deltas are Wᵀδ without the factor σ'(z)."""

import numpy as np
from nielsen_column import Adapter

STYLE = "nielsen-column"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient", "update-is-sgd-step")
EXPECTED_KINDS = {"weight-gradient": ("missing-fprime",)}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


class NoHiddenPrime(Adapter):
    def hidden_delta(self, l, delta, z):
        return np.dot(self.weights[-l + 1].transpose(), delta)  # the mistake: "* sp" is missing


def make(layers, activation):
    return NoHiddenPrime(layers, activation)
