"""backward calls sys.exit(3), as a script's error handling might."""

import sys

from backprop.network import Layer, NeuralNetwork


class ExitingLayer(Layer):
    def backward(self, y, rightLayer):
        sys.exit(3)


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = ExitingLayer
    return net
