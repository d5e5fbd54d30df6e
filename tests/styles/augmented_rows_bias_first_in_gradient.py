"""forward appends the 1 after the activations, the gradient puts it first: dW's rows are shifted by one."""

import numpy as np
from augmented_rows import AugmentedMLP

STYLE = "augmented-rows"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient",)
EXPECTED_KINDS = {"weight-gradient": ("bias-layout",)}
DECLARE = {}
LEFT_OUT = ()
SCHEME = None
BIAS = "last"


class BiasFirstInGradient(AugmentedMLP):
    def left(self, A):
        return np.c_[np.ones(len(A)), A]  # the mistake: add_bias(A), [A, 1], is what forward used


def make(layers, activation):
    return BiasFirstInGradient(layers, activation)
