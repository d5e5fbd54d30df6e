"""predict returns the output cached by the last forward pass instead of computing it."""

import numpy as np
from rows_separate_bias import MLP

STYLE = "rows-separate-bias"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("predict-is-forward",)
EXPECTED_KINDS = {"predict-is-forward": ("predict-not-forward",)}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


class CachedPredict(MLP):
    def predict(self, x):
        if not hasattr(self, "activations"):
            self.forward(x)
        out = self.activations[-1]  # the mistake: whatever the last forward pass computed
        return np.atleast_2d(out)[0] if np.ndim(x) == 1 else out


def make(layers, activation):
    return CachedPredict(layers, activation)
