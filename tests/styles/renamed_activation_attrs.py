"""Correct: the article's layer protocol, with the activation and its derivative kept as `f` and `df`."""

import numpy as np

STYLE = "renamed-attributes"
PROTOCOL = "layer-level"
EXPECTED_FAILED = ()
EXPECTED_KINDS = {}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "one-random-sample"
BIAS = "first"


def pick(name):
    if name == "tanh":
        return np.tanh, lambda z: 1.0 - np.tanh(z) ** 2
    if name == "sigmoid":
        s = lambda z: 1.0 / (1.0 + np.exp(-z))
        return s, lambda z: s(z) * (1.0 - s(z))
    if name == "relu":
        return lambda z: np.maximum(0.0, z), lambda z: (z > 0).astype(float)
    raise ValueError(name)


class Layer:
    def __init__(self, n_in, n_out, f, df, last=False):
        self.weight = np.random.uniform(-1, 1, (n_in, n_out))
        self.f, self.df, self.last = f, df, last

    def forward(self, x):
        self.z = np.dot(x, self.weight)
        self.A = self.f(self.z)
        return self.A

    def backward(self, y, rightLayer):
        if self.last:
            self.delta = np.atleast_2d((self.A - y) * self.df(self.z))
        else:
            self.delta = np.atleast_2d(rightLayer.delta.dot(rightLayer.weight.T) * self.df(self.z))
        return self.delta

    def update(self, learning_rate, left_a):
        self.weight -= learning_rate * np.atleast_2d(left_a).T.dot(self.delta)


class NeuralNetwork:
    def __init__(self, dims, activation="tanh"):
        f, df = pick(activation)
        ins = [dims[0] + 1] + [d + 1 for d in dims[1:-1]]
        outs = [d + 1 for d in dims[1:-1]] + [dims[-1]]
        self.layers = [Layer(i, o, f, df, last=(k == len(outs) - 1))
                       for k, (i, o) in enumerate(zip(ins, outs))]

    def fit(self, X, y, learning_rate=0.1, epochs=10000):
        X = np.hstack([np.ones((len(X), 1)), X])
        for _ in range(epochs):
            i = np.random.randint(len(X))
            a = X[i]
            for layer in self.layers:
                a = layer.forward(a)
            delta = self.layers[-1].backward(y[i], None)
            for l in range(len(self.layers) - 2, -1, -1):
                delta = self.layers[l].backward(delta, self.layers[l + 1])
            a = X[i]
            for layer in self.layers:
                layer.update(learning_rate, a)
                a = layer.A

    def predict(self, x):
        a = np.concatenate(([1.0], x))
        for layer in self.layers:
            a = layer.forward(a)
        return a


def make(layers, activation):
    return NeuralNetwork(layers, activation)
