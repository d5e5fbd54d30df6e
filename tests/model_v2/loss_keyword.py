"""A factory that takes `loss=`: one model for every declared loss, with predict and gradients and no
loss(x, y) of its own."""

import numpy as np

from backprop.activations import get_activation
from backprop.losses import get_loss


class AnyLoss:
    def __init__(self, layers, activation, loss):
        rng = np.random.default_rng(5)
        self.act = get_activation(activation)
        self.cost = get_loss(loss)
        self.W = [rng.uniform(-1, 1, (m, n)) for m, n in zip(layers[:-1], layers[1:])]
        self.b = [np.zeros(n) for n in layers[1:]]

    def parameters(self):
        return self.W + self.b

    def _forward(self, x):
        acts, zs = [x], []
        for W, b in zip(self.W, self.b):
            zs.append(acts[-1] @ W + b)
            acts.append(self.act.function(zs[-1]))
        return acts, zs

    def predict(self, x):
        return self._forward(x)[0][-1]

    def gradients(self, x, y):
        acts, zs = self._forward(x)
        delta = self.cost.gradient(acts[-1], y) * self.act.derivative(zs[-1])
        gw, gb = [None] * len(self.W), [None] * len(self.W)
        for i in reversed(range(len(self.W))):
            gw[i], gb[i] = np.outer(acts[i], delta), delta
            if i:
                delta = (delta @ self.W[i].T) * self.act.derivative(zs[i - 1])
        return gw + gb


def make(layers, activation, loss="half_sse"):
    return AnyLoss(layers, activation, loss)
