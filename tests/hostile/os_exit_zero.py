"""update ends the process with os._exit(0): a "successful" exit code that must not read as a pass."""

import os

from backprop.network import Layer, NeuralNetwork


class VanishingLayer(Layer):
    def update(self, learning_rate, left_a):
        os._exit(0)


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = VanishingLayer
    return net
