"""Every hidden delta is built from the output delta, not from the layer to its right."""

import numpy as np
from rows_separate_bias import MLP

STYLE = "rows-separate-bias"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient", "update-is-sgd-step")
EXPECTED_KINDS = {"weight-gradient": ("wrong-upstream",)}
DECLARE = {"layers": [(4, 4, 4, 4)]}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


class OutputDeltaEverywhere(MLP):
    def gradients(self, x, y):
        X, Y = np.atleast_2d(x), np.atleast_2d(y)
        A = self.forward(X)
        out_delta = delta = self.output_delta(A, Y, self.zs[-1])
        grads = [None] * (2 * len(self.W))
        for k in range(len(self.W) - 1, -1, -1):
            grads[2 * k] = self.weight_gradient(k, delta) / len(X)
            grads[2 * k + 1] = self.bias_gradient(delta) / len(X)
            if k:
                # the mistake: out_delta where delta belongs (the shapes agree when the widths are equal)
                delta = self.hidden_delta(out_delta, self.W[k], self.zs[k - 1])
        return grads


def make(layers, activation):
    return OutputDeltaEverywhere(layers, activation)
