"""forward's output overflows to inf."""

import numpy as np

from backprop.network import Layer, NeuralNetwork


class InfLayer(Layer):
    def forward(self, x):
        self.A = super().forward(x) * np.inf
        return self.A


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = InfLayer
    return net
