"""forward returns (and stores) one column too many."""

import numpy as np

from backprop.network import Layer, NeuralNetwork


class WideLayer(Layer):
    def forward(self, x):
        out = super().forward(x)
        self.A = np.concatenate((out, np.zeros(out.shape[:-1] + (1,))), axis=-1)
        return self.A


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = WideLayer
    return net
