"""Dense builds dW from its own output where its input x belongs (square layers, so the shapes agree)."""

import numpy as np
from einsum_call import Dense, Model

STYLE = "einsum-call"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient", "update-is-sgd-step")
EXPECTED_KINDS = {"weight-gradient": ("wrong-left-activation",)}
DECLARE = {"layers": [(4, 4, 4, 4)]}
LEFT_OUT = ()
SCHEME = None
BIAS = "separate"


class OwnOutputDense(Dense):
    def weight_grad(self, dz):
        return np.einsum("bi,bj->ij", self.out, dz)  # the mistake: self.out, not self.x


def make(layers, activation):
    return Model(layers, activation, dense=OwnOutputDense)
