"""The step writes p = p - lr * g, rebinding the loop's name: no parameter array ever changes."""

import numpy as np
from float32_rows import Float32MLP

STYLE = "float32"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("update-is-sgd-step",)
EXPECTED_KINDS = {"update-is-sgd-step": ("frozen",)}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


class Rebinding(Float32MLP):
    def step(self, x, y, learning_rate):
        for p, g in zip(self.parameters(), self.gradients(x, y)):
            p = p - np.float32(learning_rate) * g  # the mistake: p -= ... (in place)


def make(layers, activation):
    return Rebinding(layers, activation)
