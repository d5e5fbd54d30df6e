"""A mini-batch model declaring reduction 'mean' returns the batch's summed gradient."""

import numpy as np
from rows_separate_bias import MLP

STYLE = "rows-separate-bias"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("batch-is-sum",)
EXPECTED_KINDS = {"batch-is-sum": ("scaled",)}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


class SummedBatch(MLP):
    def gradients(self, x, y):
        return [g * len(np.atleast_2d(x)) for g in super().gradients(x, y)]  # the mistake: no 1/N


def make(layers, activation):
    return SummedBatch(layers, activation)
