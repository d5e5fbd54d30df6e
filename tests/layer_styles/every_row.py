"""Plain SGD over the rows in order, one step per row each epoch (`for x, t in zip(X, y)`).  Correct."""

import numpy as np

from backprop.network import NeuralNetwork


class EveryRowNetwork(NeuralNetwork):
    def fit(self, X, y, learning_rate=0.1, epochs=10000):
        for _ in range(epochs):
            for x, target in zip(X, y):
                inputs = [np.append(1.0, x)]
                for layer in self.layers:
                    inputs.append(layer.forward(inputs[-1]))
                right = None
                for layer in self.layers[::-1]:
                    layer.backward(target if right is None else right.delta, right)
                    right = layer
                for layer, a in zip(self.layers, inputs):
                    layer.update(learning_rate, a)


def make(layers, activation):
    return EveryRowNetwork(layers, activation)
