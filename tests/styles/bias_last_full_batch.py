"""Correct: the article's layers with the 1 appended last, rows in, a full-batch fit on the mean over rows."""

import numpy as np

STYLE = "bias-last"
PROTOCOL = "layer-level"
EXPECTED_FAILED = ()
EXPECTED_KINDS = {}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "full-batch-mean"
BIAS = "last"


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


FUNCTIONS = {
    "sigmoid": (sigmoid, lambda z: sigmoid(z) * (1.0 - sigmoid(z))),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: np.greater(z, 0.0).astype(float)),
}


class Layer:
    def __init__(self, n_in, n_out, name, is_output):
        self.weight = np.random.uniform(-1.0, 1.0, (n_in, n_out))  # row n_in - 1 is the bias's
        self.activation, self.activation_prime = FUNCTIONS[name]
        self.is_output = is_output

    def forward(self, a):
        self.Z = np.dot(a, self.weight)
        self.A = self.activation(self.Z)
        self.dZ = self.activation_prime(self.Z)
        return self.A

    def backward(self, y_or_delta, rightLayer):
        if self.is_output:
            error = self.output_error(y_or_delta)
        else:
            error = np.dot(rightLayer.delta, np.transpose(rightLayer.weight))
        self.delta = error * self.fprime()
        return self.delta

    def output_error(self, y):
        return self.A - y

    def fprime(self):
        return self.dZ

    def update(self, learning_rate, left_a):
        self.weight -= learning_rate * np.dot(np.transpose(np.atleast_2d(left_a)), np.atleast_2d(self.delta))


class NeuralNetwork:
    def __init__(self, sizes, activation="tanh", layer=Layer):
        ins = [sizes[0] + 1] + [n + 1 for n in sizes[1:-1]]
        outs = [n + 1 for n in sizes[1:-1]] + [sizes[-1]]
        self.layers = [layer(i, o, activation, k == len(ins) - 1) for k, (i, o) in enumerate(zip(ins, outs))]

    def fit(self, X, y, learning_rate=0.1, epochs=10000):
        X = np.c_[X, np.ones(len(X))]
        y = np.reshape(y, (len(X), -1))
        for _ in range(epochs):
            a = X
            for layer in self.layers:
                a = layer.forward(a)
            delta = self.layers[-1].backward(y, None)
            for k in range(len(self.layers) - 2, -1, -1):
                delta = self.layers[k].backward(delta, self.layers[k + 1])
            a = X
            for layer in self.layers:
                layer.update(learning_rate / len(X), a)
                a = layer.A

    def predict(self, x):
        a = np.append(x, 1.0)
        for layer in self.layers:
            a = layer.forward(a)
        return a


def make(layers, activation, layer=Layer):
    return NeuralNetwork(layers, activation, layer)
