"""Each layer casts z to its input's dtype, so integer inputs truncate the first layer's z."""

import numpy as np
from rows_separate_bias import MLP

STYLE = "rows-separate-bias"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("predict-is-forward",)
EXPECTED_KINDS = {"predict-is-forward": ("input-dtype",)}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


class KeepsDtype(MLP):
    def forward(self, X):
        self.zs, self.activations = [], [X]
        for k, (W, b) in enumerate(zip(self.W, self.b)):
            a = self.activations[-1]
            z = (a @ W + b).astype(np.asarray(a).dtype, copy=False)  # the mistake: int input, int z
            f = self.out_f if k == len(self.W) - 1 else self.f
            self.zs.append(z)
            self.activations.append(f(z))
        return self.activations[-1]

    predict = forward


def make(layers, activation):
    return KeepsDtype(layers, activation)
