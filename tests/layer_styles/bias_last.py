"""The constant 1 of the bias appended after the inputs, in fit and in predict alike.  Correct."""

import numpy as np

from backprop.network import NeuralNetwork


def with_one(x):
    x = np.asarray(x, dtype=float)
    return np.concatenate((x, np.ones(x.shape[:-1] + (1,))), axis=-1)


class BiasLastNetwork(NeuralNetwork):
    def fit(self, X, y, learning_rate=0.1, epochs=10000):
        X = with_one(X)
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
        a = with_one(x)
        for layer in self.layers:
            a = layer.forward(a)
        return a


def make(layers, activation):
    return BiasLastNetwork(layers, activation)


class MixedNetwork(BiasLastNetwork):
    """fit appends the 1 after the inputs, while predict (the article's) puts it first.

    Must fail: predict-is-forward (bias-layout); fit itself is right for its layout.
    """

    predict = NeuralNetwork.predict  # the mistake: the 1 goes first here


def make_mixed(layers, activation):
    return MixedNetwork(layers, activation)
