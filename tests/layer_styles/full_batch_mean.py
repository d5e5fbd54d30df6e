"""Full-batch training on the mean gradient: the learning rate divided by the number of rows.  Correct."""

import numpy as np

from backprop.network import NeuralNetwork


class MeanBatchNetwork(NeuralNetwork):
    def fit(self, X, y, learning_rate=0.1, epochs=10000):
        n = len(X)
        X = np.hstack([np.ones((n, 1)), X])
        Y = np.reshape(y, (n, -1))
        for _ in range(epochs):
            outputs = [X]
            for layer in self.layers:
                outputs.append(layer.forward(outputs[-1]))
            right = None
            for layer in reversed(self.layers):
                layer.backward(Y if right is None else right.delta, right)
                right = layer
            for layer, a in zip(self.layers, outputs):
                layer.update(learning_rate / n, a)


def make(layers, activation):
    return MeanBatchNetwork(layers, activation)
