"""Correct: a model that updates its parameter dict inside backward; the adapter offers step and predict."""

import numpy as np

STYLE = "step-only"
PROTOCOL = "model-level"
EXPECTED_FAILED = ()
EXPECTED_KINDS = {}
DECLARE = {}
LEFT_OUT = ()
SCHEME = None
BIAS = "separate"

ACTIVATIONS = {
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
    "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0) * 1.0),
}


class MLP:
    def __init__(self, sizes, activation="tanh"):
        self.f, self.df = ACTIVATIONS[activation]
        self.n = len(sizes) - 1
        self.params = {}
        for l in range(1, self.n + 1):
            self.params[f"W{l}"] = np.random.randn(sizes[l - 1], sizes[l]) / np.sqrt(sizes[l - 1])
            self.params[f"b{l}"] = np.zeros(sizes[l])

    def forward(self, x):
        self.cache = {"A0": x}
        a = x
        for l in range(1, self.n + 1):
            z = a @ self.params[f"W{l}"] + self.params[f"b{l}"]
            a = self.f(z)
            self.cache[f"Z{l}"], self.cache[f"A{l}"] = z, a
        return a

    def backward(self, y, lr):
        """Backpropagate the last forward's error and take the SGD step, layer by layer."""
        grads = {}
        dA = self.cache[f"A{self.n}"] - y
        for l in range(self.n, 0, -1):
            dZ = dA * self.df(self.cache[f"Z{l}"])
            grads[f"W{l}"] = np.outer(self.cache[f"A{l - 1}"], dZ)
            grads[f"b{l}"] = dZ
            dA = self.params[f"W{l}"] @ dZ
        self.apply(grads, lr)

    def apply(self, grads, lr):
        for name, g in grads.items():
            self.params[name] -= lr * g

    def predict(self, x):
        return self.forward(x)


# --- battery adapter ---
class Adapter(MLP):
    def parameters(self):
        return self.params

    def step(self, x, y, learning_rate):
        self.forward(x)
        self.backward(y, learning_rate)
# --- end adapter ---


def make(layers, activation):
    return Adapter(layers, activation)
