"""backward's delta is all NaN."""

import numpy as np

from backprop.network import Layer, NeuralNetwork


class NanLayer(Layer):
    def backward(self, y, rightLayer):
        self.delta = np.full_like(super().backward(y, rightLayer), np.nan)
        return self.delta


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = NanLayer
    return net
