"""Correct: the article's network with einsum in forward, @ in backward and outer products in update."""

import numpy as np

from backprop.network import Layer, NeuralNetwork

EXPECTED_FAILED = ()
EXPECTED_KINDS: dict[str, tuple[str, ...]] = {}


class EinsumLayer(Layer):
    def forward(self, x):
        z = np.einsum("...i,ij->...j", x, self.weight)
        self.A = self.activation(z)
        self.dZ = self.activation_prime(z)
        return self.A

    def backward(self, y, rightLayer):
        if self.isoutputLayer:
            self.delta = np.atleast_2d((self.A - y) * self.dZ)
        else:
            self.delta = np.atleast_2d((rightLayer.delta @ rightLayer.weight.T) * self.dZ)
        return self.delta

    def update(self, learning_rate, left_a):
        samples = zip(np.atleast_2d(left_a), np.atleast_2d(self.delta), strict=True)
        self.weight -= learning_rate * sum(np.outer(a, d) for a, d in samples)


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = EinsumLayer
    return net
