"""Correct: row vectors, separate bias vectors, mini-batch SGD on the batch mean (reduction "mean")."""

import numpy as np

STYLE = "rows-separate-bias"
PROTOCOL = "model-level"
EXPECTED_FAILED = ()
EXPECTED_KINDS = {}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


def sigmoid(z):
    return np.exp(-np.logaddexp(0, -z))


ACTIVATIONS = {
    "sigmoid": (sigmoid, lambda z: sigmoid(z) * sigmoid(-z)),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0), lambda z: np.heaviside(z, 0)),
}


class MLP:
    reduction = "mean"

    def __init__(self, sizes, activation="tanh", output_activation=None, l2=0.0):
        self.f, self.df = ACTIVATIONS[activation]
        self.out_f, self.out_df = ACTIVATIONS[output_activation or activation]
        self.l2 = l2
        self.W = [np.random.randn(m, n) * np.sqrt(1 / m) for m, n in zip(sizes[:-1], sizes[1:])]
        self.b = [np.zeros(n) for n in sizes[1:]]

    def parameters(self):
        return [p for W, b in zip(self.W, self.b) for p in (W, b)]

    def forward(self, X):
        self.zs, self.activations = [], [X]
        for k, (W, b) in enumerate(zip(self.W, self.b)):
            z = self.activations[-1] @ W + b
            f = self.out_f if k == len(self.W) - 1 else self.f
            self.zs.append(z)
            self.activations.append(f(z))
        return self.activations[-1]

    predict = forward

    def output_delta(self, A, Y, z):
        return (A - Y) * self.out_df(z)

    def hidden_delta(self, delta, W_right, z):
        return (delta @ W_right.T) * self.df(z)

    def weight_gradient(self, k, delta):
        return self.activations[k].T @ delta

    def bias_gradient(self, delta):
        return delta.sum(axis=0)

    def penalty(self, W, b):
        """The L2 term's gradient (λ/2·‖W‖², weights only) for one layer."""
        return self.l2 * W, 0

    def gradients(self, x, y):
        """The gradients of the mean loss over the rows of x (one sample may be 1-D)."""
        X, Y = np.atleast_2d(x), np.atleast_2d(y)
        A = self.forward(X)
        delta = self.output_delta(A, Y, self.zs[-1])
        grads = [None] * (2 * len(self.W))
        for k in range(len(self.W) - 1, -1, -1):
            dW, db = self.penalty(self.W[k], self.b[k])
            grads[2 * k] = self.weight_gradient(k, delta) / len(X) + dW
            grads[2 * k + 1] = self.bias_gradient(delta) / len(X) + db
            if k:
                delta = self.hidden_delta(delta, self.W[k], self.zs[k - 1])
        return grads

    def step(self, x, y, learning_rate):
        for p, g in zip(self.parameters(), self.gradients(x, y)):
            p -= learning_rate * g

    def fit(self, X, Y, learning_rate=0.1, epochs=100, batch_size=2):
        for _ in range(epochs):
            order = np.random.permutation(len(X))
            for start in range(0, len(X), batch_size):
                rows = order[start:start + batch_size]
                self.step(X[rows], Y[rows], learning_rate)


def make(layers, activation):
    return MLP(layers, activation)
