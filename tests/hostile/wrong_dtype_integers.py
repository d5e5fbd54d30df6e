"""forward rounds its activations to integers: no error anywhere, just wrong numbers."""

import numpy as np

from backprop.network import Layer, NeuralNetwork


class IntegerLayer(Layer):
    def forward(self, x):
        super().forward(x)
        self.A = np.rint(self.A).astype(np.int64)
        return self.A


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = IntegerLayer
    return net
