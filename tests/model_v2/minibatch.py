"""Mini-batch models: gradients(X, Y) and step(X, Y, lr) take rows (one sample a row).  `Summed` returns
the sum over the batch (no reduction declared: the sum is expected); `Averaged` divides by N and declares
reduction = "mean"; `ForgetsOneOverN` declares the mean but forgets the 1/N; `QuietMean` averages without
declaring it."""

import numpy as np

from backprop.activations import get_activation


class Summed:
    divide = False

    def __init__(self, layers, activation):
        rng = np.random.default_rng(3)
        self.act = get_activation(activation)
        self.W = [rng.uniform(-0.7, 0.7, (m, n)) for m, n in zip(layers[:-1], layers[1:])]
        self.b = [rng.uniform(-0.1, 0.1, n) for n in layers[1:]]

    def parameters(self):
        return [p for pair in zip(self.W, self.b) for p in pair]

    def predict(self, X):
        A = np.atleast_2d(X)
        for W, b in zip(self.W, self.b):
            A = self.act.function(A @ W + b)
        return A[0] if np.ndim(X) == 1 else A

    def gradients(self, X, Y):
        A, Y = [np.atleast_2d(X)], np.atleast_2d(Y)
        Z = []
        for W, b in zip(self.W, self.b):
            Z.append(A[-1] @ W + b)
            A.append(self.act.function(Z[-1]))
        n = len(Y) if self.divide else 1
        D = (A[-1] - Y) * self.act.derivative(Z[-1])
        grads = [None] * (2 * len(self.W))
        for i in range(len(self.W) - 1, -1, -1):
            grads[2 * i] = A[i].T @ D / n
            grads[2 * i + 1] = D.sum(axis=0) / n
            if i:
                D = (D @ self.W[i].T) * self.act.derivative(Z[i - 1])
        return grads

    def step(self, X, Y, learning_rate):
        for p, g in zip(self.parameters(), self.gradients(X, Y)):
            p -= learning_rate * g


class Averaged(Summed):
    divide = True
    reduction = "mean"


class ForgetsOneOverN(Summed):
    reduction = "mean"  # the mistake: declared, but gradients never divides by the batch size


class QuietMean(Summed):
    divide = True  # averages without declaring it


def make(layers, activation):
    return Summed(layers, activation)


def make_averaged(layers, activation):
    return Averaged(layers, activation)


def make_forgets(layers, activation):
    return ForgetsOneOverN(layers, activation)


def make_quiet_mean(layers, activation):
    return QuietMean(layers, activation)
