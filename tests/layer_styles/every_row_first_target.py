"""Plain SGD over the rows in order (as every_row.py), each row trained on the first row's target.

Must fail: fit-two-samples (wrong-target).
"""

import numpy as np

from backprop.network import NeuralNetwork


class EveryRowFirstTarget(NeuralNetwork):
    def fit(self, X, y, learning_rate=0.1, epochs=10000):
        for _ in range(epochs):
            for x in X:
                target = y[0]  # the mistake: for x, target in zip(X, y) was meant
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
    return EveryRowFirstTarget(layers, activation)
