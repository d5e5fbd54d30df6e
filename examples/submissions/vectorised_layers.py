"""Correct: the article's layer API written with the @ operator and a table of lambdas."""

import numpy as np

ACTIVATIONS = {
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-abs(z)) / (1 + np.exp(-abs(z))) ** 2),
    "tanh": (np.tanh, lambda z: 1 / np.cosh(z) ** 2),
    "relu": (lambda z: np.where(z > 0, z, 0.0), lambda z: np.where(z > 0, 1.0, 0.0)),
}


class Dense:
    def __init__(self, shape, act, act_prime, is_output=False):
        self.weight = np.random.uniform(-1, 1, size=shape)
        self.activation, self.activation_prime = act, act_prime
        self.isoutputLayer = is_output
        self.A = self.dZ = self.delta = None

    def forward(self, x):
        z = np.asarray(x, dtype=float) @ self.weight
        self.A, self.dZ = self.activation(z), self.activation_prime(z)
        return self.A

    def backward(self, y, rightLayer):
        upstream = (self.A - y) if self.isoutputLayer else rightLayer.delta @ rightLayer.weight.T
        self.delta = np.atleast_2d(upstream * self.dZ)
        return self.delta

    def update(self, learning_rate, left_a):
        self.weight -= learning_rate * np.atleast_2d(left_a).T @ self.delta


class Network:
    def __init__(self, sizes, activation="tanh"):
        act, act_prime = ACTIVATIONS[activation]
        shapes = [(m + 1, n + 1) for m, n in zip(sizes[:-2], sizes[1:-1])] + [(sizes[-2] + 1, sizes[-1])]
        self.layers = [Dense(s, act, act_prime, i == len(shapes) - 1) for i, s in enumerate(shapes)]

    def _with_one(self, x):
        x = np.atleast_2d(np.asarray(x, dtype=float))
        return np.hstack([np.ones((x.shape[0], 1)), x])

    def _forward(self, a):
        for layer in self.layers:
            a = layer.forward(a)
        return a

    def fit(self, X, y, learning_rate=0.1, epochs=10000):
        X = self._with_one(X)
        for _ in range(epochs):
            i = np.random.randint(len(X))
            self._forward(X[i])
            right = None
            for layer in reversed(self.layers):
                layer.backward(y[i], right)
                right = layer
            left = X[i]
            for layer in self.layers:
                layer.update(learning_rate, left)
                left = layer.A

    def predict(self, x):
        return self._forward(self._with_one(x)[0])


def make(layers, activation):
    return Network(layers, activation)
