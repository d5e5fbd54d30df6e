"""A network whose parameters() is a dict {"W1": ..., "b1": ..., "W2": ...}, as many course solutions keep
them (CS231n style: params['W1'], grads['W1']).  `TwoLayer` is right for any depth despite its name;
`ForgetsHiddenPrime` drops f'(z) of the hidden layers from the hidden deltas."""

import numpy as np

from backprop.activations import get_activation


class TwoLayer:
    forget_prime = False

    def __init__(self, layers, activation):
        rng = np.random.default_rng(2)
        self.act = get_activation(activation)
        self.params = {}
        for i, (m, n) in enumerate(zip(layers[:-1], layers[1:]), 1):
            self.params[f"W{i}"] = rng.standard_normal((m, n)) * 0.3
            self.params[f"b{i}"] = np.zeros(n)
        self.depth = len(layers) - 1

    def parameters(self):
        return self.params

    def _forward(self, x):
        cache = {"a0": x}
        a = x
        for i in range(1, self.depth + 1):
            z = a @ self.params[f"W{i}"] + self.params[f"b{i}"]
            a = self.act.function(z)
            cache[f"z{i}"], cache[f"a{i}"] = z, a
        return a, cache

    def predict(self, x):
        return self._forward(x)[0]

    def loss(self, x, y):
        return 0.5 * float(np.sum((self.predict(x) - y) ** 2))

    def gradients(self, x, y):
        out, cache = self._forward(x)
        grads = {}
        dz = (out - y) * self.act.derivative(cache[f"z{self.depth}"])
        for i in range(self.depth, 0, -1):
            grads[f"W{i}"] = np.outer(cache[f"a{i - 1}"], dz)
            grads[f"b{i}"] = dz
            if i > 1:
                da = dz @ self.params[f"W{i}"].T
                dz = da if self.forget_prime else da * self.act.derivative(cache[f"z{i - 1}"])
        return grads


class ForgetsHiddenPrime(TwoLayer):
    forget_prime = True


def make(layers, activation):
    return TwoLayer(layers, activation)


def make_forgets_prime(layers, activation):
    return ForgetsHiddenPrime(layers, activation)
