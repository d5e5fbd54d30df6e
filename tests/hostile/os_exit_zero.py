"""update ends the process with os._exit(0): a "successful" exit code that must not read as a pass."""

import os

from _layered import network_of

from backprop.network import Layer


class VanishingLayer(Layer):
    def update(self, learning_rate, left_a):
        os._exit(0)


def make(layers, activation):
    return network_of(VanishingLayer, layers, activation)
