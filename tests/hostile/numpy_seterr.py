"""Right, but makes every floating-point warning an error, at import and in each forward."""

import numpy as np

from backprop.network import Layer, NeuralNetwork

np.seterr(all="raise")


class StrictLayer(Layer):
    def forward(self, x):
        np.seterr(all="raise")
        return super().forward(x)


def make(layers, activation):
    np.seterr(all="raise")
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = StrictLayer
    return net
