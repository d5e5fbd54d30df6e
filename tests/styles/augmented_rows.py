"""Correct: rows, each W augmented with the bias as its last row, the inputs as [x, 1] (bias last)."""

import numpy as np

STYLE = "augmented-rows"
PROTOCOL = "model-level"
EXPECTED_FAILED = ()
EXPECTED_KINDS = {}
DECLARE = {}
LEFT_OUT = ()
SCHEME = None
BIAS = "last"

ACTIVATIONS = {
    "tanh": (np.tanh, lambda a: 1 - a * a),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda a: a * (1 - a)),
    "relu": (lambda z: np.maximum(z, 0), lambda a: np.sign(a)),
}


def add_bias(A):
    """[A, 1]: a column of ones appended after the activations."""
    return np.hstack([A, np.ones((A.shape[0], 1))])


class AugmentedMLP:
    """Each layer's W is (n_in + 1, n_out); its derivative is written in terms of the output a = f(z)."""

    reduction = "sum"

    def __init__(self, sizes, activation="tanh"):
        self.f, self.df_of_a = ACTIVATIONS[activation]
        self.Ws = [np.random.uniform(-1, 1, (m + 1, n)) / np.sqrt(m + 1)
                   for m, n in zip(sizes[:-1], sizes[1:])]

    def parameters(self):
        return self.Ws

    def forward(self, X):
        self.As = [np.atleast_2d(X)]
        for W in self.Ws:
            self.As.append(self.f(add_bias(self.As[-1]) @ W))
        return self.As[-1]

    def predict(self, x):
        out = self.forward(x)
        return out[0] if np.ndim(x) == 1 else out

    def left(self, A):
        return add_bias(A)

    def gradients(self, x, y):
        """The gradients of ½‖A − y‖² summed over the rows of x."""
        out = self.forward(x)
        delta = (out - np.atleast_2d(y)) * self.df_of_a(out)
        grads = [None] * len(self.Ws)
        for k in range(len(self.Ws) - 1, -1, -1):
            grads[k] = self.left(self.As[k]).T @ delta
            if k:
                delta = (delta @ self.Ws[k][:-1].T) * self.df_of_a(self.As[k])
        return grads


def make(layers, activation, mlp=AugmentedMLP):
    return mlp(layers, activation)
