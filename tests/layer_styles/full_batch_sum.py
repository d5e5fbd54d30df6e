"""The article's layers, trained on every row at once each epoch: one step on the summed gradient
(a published variant of the article's fit).  Correct."""

import numpy as np

from backprop.network import NeuralNetwork


class FullBatchNetwork(NeuralNetwork):
    def fit(self, X, y, learning_rate=0.1, epochs=10000):
        X = np.concatenate((np.ones((len(X), 1)), np.asarray(X, dtype=float)), axis=1)
        y = np.asarray(y, dtype=float).reshape(len(X), -1)
        for _ in range(epochs):
            a = X
            for layer in self.layers:
                a = layer.forward(a)
            delta = self.layers[-1].backward(y, None)
            for l in range(len(self.layers) - 2, -1, -1):
                delta = self.layers[l].backward(delta, self.layers[l + 1])
            a = X
            for layer in self.layers:
                layer.update(learning_rate, a)  # aᵀδ over the rows: the sum of their gradients
                a = layer.A


def make(layers, activation):
    return FullBatchNetwork(layers, activation)
