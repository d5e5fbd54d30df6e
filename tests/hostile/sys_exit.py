"""backward calls sys.exit(3), as a script's error handling might."""

import sys

from _layered import network_of

from backprop.network import Layer


class ExitingLayer(Layer):
    def backward(self, y, rightLayer):
        sys.exit(3)


def make(layers, activation):
    return network_of(ExitingLayer, layers, activation)
