"""Correct: the row-vector network computed entirely in float32 (parameters, activations, gradients)."""

import numpy as np
from rows_separate_bias import MLP

STYLE = "float32"
PROTOCOL = "model-level"
EXPECTED_FAILED = ()
EXPECTED_KINDS = {}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


class Float32MLP(MLP):
    def __init__(self, sizes, activation="tanh"):
        super().__init__(sizes, activation)
        self.W = [W.astype(np.float32) for W in self.W]
        self.b = [b.astype(np.float32) for b in self.b]

    def forward(self, X):
        return super().forward(np.asarray(X, dtype=np.float32))

    predict = forward

    def gradients(self, x, y):
        return super().gradients(np.asarray(x, dtype=np.float32), np.asarray(y, dtype=np.float32))

    def step(self, x, y, learning_rate):
        for p, g in zip(self.parameters(), self.gradients(x, y)):
            p -= np.float32(learning_rate) * g


def make(layers, activation):
    return Float32MLP(layers, activation)
