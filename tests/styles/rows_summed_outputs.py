"""The output errors are summed into one number before the output delta is formed."""

import numpy as np
from rows_separate_bias import MLP

STYLE = "rows-separate-bias"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient", "update-is-sgd-step")
EXPECTED_KINDS = {"weight-gradient": ("summed-outputs",)}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


class SummedError(MLP):
    def output_delta(self, A, Y, z):
        error = np.sum(A - Y, axis=1, keepdims=True)  # the mistake: one error for all outputs
        return error * self.out_df(z)


def make(layers, activation):
    return SummedError(layers, activation)
