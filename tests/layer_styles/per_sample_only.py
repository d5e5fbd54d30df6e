"""Layers written for one sample at a time ("input is handled one at a time", as the article says):
forward asserts a 1-D input and update takes an outer product.  Correct; it has no batch to check."""

import numpy as np

from backprop.network import Layer, NeuralNetwork


class OneSampleLayer(Layer):
    def forward(self, x):
        assert np.ndim(x) == 1, "one sample at a time"
        return super().forward(x)

    def update(self, learning_rate, left_a):
        self.weight -= learning_rate * np.outer(left_a, self.delta)


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = OneSampleLayer
    return net
