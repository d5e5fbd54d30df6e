"""A model that keeps its parameters in float64 but computes in float32, casting each weight as it uses
it (as code ported from a float32 framework does), and hands every result back as float64. `make` is
right; `make_hidden_missing_fprime` leaves f'(z) out of the hidden deltas, and `make_lr_twice` applies
the learning rate twice in `step`: float32's budget must not hide either."""

import numpy as np

from backprop.activations import get_activation

F32 = np.float32


class Float32InsideModel:
    hidden_fprime = True
    rate_factor = 1

    def __init__(self, layers, activation):
        rng = np.random.default_rng(5)
        self.act = get_activation(activation)
        self.W = [rng.uniform(-1, 1, (m, n)) for m, n in zip(layers[:-1], layers[1:])]
        self.b = [rng.uniform(-0.5, 0.5, n) for n in layers[1:]]

    def parameters(self):
        return [p for pair in zip(self.W, self.b) for p in pair]

    def _forward(self, x):
        a = np.asarray(x, dtype=F32)
        zs, acts = [], [a]
        for W, b in zip(self.W, self.b):
            z = a @ W.astype(F32) + b.astype(F32)
            a = self.act.function(z)
            zs.append(z)
            acts.append(a)
        return zs, acts

    def predict(self, x):
        return self._forward(x)[1][-1].astype(np.float64)

    def gradients(self, x, y):
        zs, acts = self._forward(x)
        delta = (acts[-1] - np.asarray(y, dtype=F32)) * self.act.derivative(zs[-1])
        grads = []
        for k in range(len(self.W) - 1, -1, -1):
            grads[:0] = [np.outer(acts[k], delta).astype(np.float64), delta.astype(np.float64)]
            if k:
                delta = delta @ self.W[k].astype(F32).T
                if self.hidden_fprime:
                    delta = delta * self.act.derivative(zs[k - 1])
        return grads

    def step(self, x, y, learning_rate):
        for p, g in zip(self.parameters(), self.gradients(x, y)):
            p -= self.rate_factor * learning_rate * g


class HiddenMissingFprime(Float32InsideModel):
    hidden_fprime = False


class LearningRateTwice(Float32InsideModel):
    rate_factor = 2


def make(layers, activation):
    return Float32InsideModel(layers, activation)


def make_hidden_missing_fprime(layers, activation):
    return HiddenMissingFprime(layers, activation)


def make_lr_twice(layers, activation):
    return LearningRateTwice(layers, activation)
