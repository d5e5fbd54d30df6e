"""L2-regularised step-only models (weight decay written into the update, as tutorials do):
`WeightDecay` penalises the weights only; `DecayEverything` the biases too; `DoubleDecay` writes the
penalty's gradient as 2λW."""

import numpy as np

from backprop.activations import get_activation

LAMBDA = 0.05


class WeightDecay:
    decay_biases = False
    factor = 1.0

    def __init__(self, layers, activation, lam=LAMBDA):
        rng = np.random.default_rng(4)
        self.act = get_activation(activation)
        self.lam = lam
        self.W = [rng.uniform(-1, 1, (m, n)) for m, n in zip(layers[:-1], layers[1:])]
        self.b = [rng.uniform(-0.5, 0.5, n) for n in layers[1:]]

    def parameters(self):
        return {name: p for i, (w, b) in enumerate(zip(self.W, self.b), 1)
                for name, p in ((f"W{i}", w), (f"b{i}", b))}

    def predict(self, x):
        for W, b in zip(self.W, self.b):
            x = self.act.function(x @ W + b)
        return x

    def step(self, x, y, learning_rate):
        acts, zs = [x], []
        for W, b in zip(self.W, self.b):
            zs.append(acts[-1] @ W + b)
            acts.append(self.act.function(zs[-1]))
        delta = (acts[-1] - y) * self.act.derivative(zs[-1])
        grads = []
        for i in reversed(range(len(self.W))):
            grads.append((i, np.outer(acts[i], delta), delta))
            if i:
                delta = (delta @ self.W[i].T) * self.act.derivative(zs[i - 1])
        for i, gw, gb in grads:
            self.W[i] -= learning_rate * (gw + self.factor * self.lam * self.W[i])
            self.b[i] -= learning_rate * (gb + (self.lam * self.b[i] if self.decay_biases else 0.0))


class DecayEverything(WeightDecay):
    decay_biases = True


class DoubleDecay(WeightDecay):
    factor = 2.0


def make(layers, activation):
    return WeightDecay(layers, activation)


def make_decay_everything(layers, activation):
    return DecayEverything(layers, activation)


def make_double(layers, activation):
    return DoubleDecay(layers, activation)
