"""The article's network with weight decay written into the layer's update (the bias row, fed by the
constant 1, is not decayed)."""

import numpy as np

from backprop.network import NeuralNetwork

LAMBDA = 0.05


class DecayedNetwork(NeuralNetwork):
    def __init__(self, layers, activation):
        super().__init__(layers, activation)
        for layer in self.layers:
            layer.update = self._decayed(layer)

    @staticmethod
    def _decayed(layer):
        def update(learning_rate, left_a):
            decay = LAMBDA * layer.weight
            decay[0] = 0.0
            grad = np.atleast_2d(left_a).T @ np.atleast_2d(layer.delta)
            layer.weight -= learning_rate * (grad + decay)

        return update


def make(layers, activation):
    return DecayedNetwork(layers, activation)
