"""A model computing in float32 (parameters, activations, gradients and its own loss), everything handed
back as float64 or a Python float, as a careful user converts.  `make` is right; `make_mean` has a loss
that averages the squared errors (MSE) while its gradients are those of half-SSE, which predict-is-forward
must still catch in float32."""

import numpy as np

from backprop.activations import get_activation


class Float32Model:
    mean = False

    def __init__(self, layers, activation):
        rng = np.random.default_rng(3)
        self.act = get_activation(activation)
        self.W = [rng.uniform(-1, 1, (m, n)).astype(np.float32) for m, n in zip(layers[:-1], layers[1:])]
        self.b = [rng.uniform(-0.5, 0.5, n).astype(np.float32) for n in layers[1:]]

    def parameters(self):
        return [p for pair in zip(self.W, self.b) for p in pair]

    def _forward(self, x):
        a = np.asarray(x, dtype=np.float32)
        zs, acts = [], [a]
        for W, b in zip(self.W, self.b):
            z = a @ W + b
            a = self.act.function(z)
            zs.append(z)
            acts.append(a)
        return zs, acts

    def predict(self, x):
        return self._forward(x)[1][-1].astype(np.float64)

    def loss(self, x, y):
        error = self._forward(x)[1][-1] - np.asarray(y, dtype=np.float32)
        squares = np.sum(error * error)
        return float(squares / np.float32(error.size) if self.mean else np.float32(0.5) * squares)

    def gradients(self, x, y):
        zs, acts = self._forward(x)
        delta = (acts[-1] - np.asarray(y, dtype=np.float32)) * self.act.derivative(zs[-1])
        grads = []
        for k in range(len(self.W) - 1, -1, -1):
            grads[:0] = [np.outer(acts[k], delta).astype(np.float64), delta.astype(np.float64)]
            if k:
                delta = (delta @ self.W[k].T) * self.act.derivative(zs[k - 1])
        return grads

    def step(self, x, y, learning_rate):
        for p, g in zip(self.parameters(), self.gradients(x, y)):
            p -= np.float32(learning_rate) * g.astype(np.float32)


class MeanLoss(Float32Model):
    mean = True


def make(layers, activation):
    return Float32Model(layers, activation)


def make_mean(layers, activation):
    return MeanLoss(layers, activation)
