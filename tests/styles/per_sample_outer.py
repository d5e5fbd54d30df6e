"""Correct: one sample at a time, the update an np.outer (which flattens a batch, so a batch is refused)."""

import numpy as np

STYLE = "per-sample"
PROTOCOL = "layer-level"
EXPECTED_FAILED = ()
EXPECTED_KINDS = {}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "one-random-sample"
BIAS = "first"

FUNCTIONS = {
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-abs(z)) / (1 + np.exp(-abs(z))) ** 2),
    "tanh": (np.tanh, lambda z: 1 / np.cosh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: np.where(z > 0, 1.0, 0.0)),
}


class Layer:
    def __init__(self, n_in, n_out, activation, output=False):
        self.weight = np.random.uniform(-1, 1, (n_in, n_out))
        self.activation, self.activation_prime = FUNCTIONS[activation]
        self.output = output

    def forward(self, x):
        z = x @ self.weight
        self.A, self.dZ = self.activation(z), self.activation_prime(z)
        return self.A

    def backward(self, y, rightLayer):
        if self.output:
            self.delta = (self.A - y) * self.dZ
        else:
            self.delta = (rightLayer.weight @ rightLayer.delta) * self.dZ
        return self.delta

    def update(self, learning_rate, left_a):
        self.weight -= learning_rate * np.outer(left_a, self.delta)


class Network:
    def __init__(self, sizes, activation="tanh"):
        # the constant 1 goes in front of the input; hidden layers keep the article's extra unit
        widths = [sizes[0] + 1] + [n + 1 for n in sizes[1:-1]] + [sizes[-1]]
        self.layers = [Layer(a, b, activation, output=(k == len(widths) - 2))
                       for k, (a, b) in enumerate(zip(widths[:-1], widths[1:]))]

    def fit(self, X, y, learning_rate=0.1, epochs=1000):
        for _ in range(epochs):
            i = np.random.randint(len(X))
            inputs = [np.concatenate(([1.0], X[i]))]
            for layer in self.layers:
                inputs.append(layer.forward(inputs[-1]))
            delta = y[i]
            for k in range(len(self.layers) - 1, -1, -1):
                right = self.layers[k + 1] if k + 1 < len(self.layers) else None
                delta = self.layers[k].backward(delta, right)
            for layer, left_a in zip(self.layers, inputs):
                layer.update(learning_rate, left_a)

    def predict(self, x):
        a = np.concatenate(([1.0], x))
        for layer in self.layers:
            a = layer.forward(a)
        return a


def make(layers, activation):
    return Network(layers, activation)
