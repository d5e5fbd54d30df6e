"""update leaves NaN in the output layer's weights."""

import numpy as np

from backprop.network import Layer, NeuralNetwork


class PoisoningLayer(Layer):
    def update(self, learning_rate, left_a):
        super().update(learning_rate, left_a)
        if self.isoutputLayer:
            self.weight[...] = np.nan


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = PoisoningLayer
    return net
