"""Correct: the article's network with the constant 1 of the bias appended after the inputs."""

import numpy as np

STYLE = "bias-last"
PROTOCOL = "layer-level"
EXPECTED_FAILED = ()
EXPECTED_KINDS = {}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "one-random-sample"
BIAS = "last"

ACTIVATIONS = {
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "sigmoid": (lambda z: 0.5 * (1 + np.tanh(z / 2)), lambda z: 0.25 * (1 - np.tanh(z / 2) ** 2)),
    "relu": (lambda z: z * (z > 0), lambda z: 1.0 * (z > 0)),
}


def with_bias(X):
    """Rows of X with a 1 appended: [x1, ..., xn, 1]."""
    X = np.atleast_2d(X)
    return np.hstack([X, np.ones((X.shape[0], 1))])


class Layer:
    def __init__(self, shape, activation, activation_prime, is_output=False):
        self.weight = np.random.uniform(-1, 1, shape)  # the last row multiplies the bias unit
        self.activation, self.activation_prime = activation, activation_prime
        self.is_output = is_output

    def forward(self, x):
        z = x @ self.weight
        self.A, self.dZ = self.activation(z), self.activation_prime(z)
        return self.A

    def backward(self, y, rightLayer):
        error = self.A - y if self.is_output else rightLayer.delta @ rightLayer.weight.T
        self.delta = np.atleast_2d(error * self.dZ)
        return self.delta

    def update(self, learning_rate, left_a):
        self.weight -= learning_rate * np.atleast_2d(left_a).T @ self.delta


class NeuralNetwork:
    def __init__(self, sizes, activation="tanh"):
        f, df = ACTIVATIONS[activation]
        ins = [sizes[0] + 1] + [n + 1 for n in sizes[1:-1]]
        outs = [n + 1 for n in sizes[1:-1]] + [sizes[-1]]
        self.layers = [Layer((i, o), f, df) for i, o in zip(ins, outs)]
        self.layers[-1].is_output = True

    def fit(self, X, y, learning_rate=0.1, epochs=10000):
        X = with_bias(X)
        for _ in range(epochs):
            i = np.random.randint(X.shape[0])
            a = X[i]
            for layer in self.layers:
                a = layer.forward(a)
            delta = self.layers[-1].backward(y[i], None)
            for l in reversed(range(len(self.layers) - 1)):
                delta = self.layers[l].backward(delta, self.layers[l + 1])
            a = X[i]
            for layer in self.layers:
                layer.update(learning_rate, a)
                a = layer.A

    def predict(self, x):
        a = with_bias(x)[0]
        for layer in self.layers:
            a = layer.forward(a)
        return a


def make(layers, activation):
    return NeuralNetwork(layers, activation)
