"""Correct: the article's network computed entirely in float32 (weights, activations, deltas)."""

import numpy as np

from backprop.network import Layer, NeuralNetwork

EXPECTED_FAILED = ()
EXPECTED_KINDS: dict[str, tuple[str, ...]] = {}


class Float32Layer(Layer):
    def forward(self, x):
        z = np.dot(np.asarray(x, dtype=np.float32), self.weight)
        self.A = self.activation(z)
        self.dZ = self.activation_prime(z)
        return self.A

    def backward(self, y, rightLayer):
        if self.isoutputLayer:
            error = self.A - np.asarray(y, dtype=np.float32)
            self.delta = np.atleast_2d(error * self.dZ)
        else:
            self.delta = np.atleast_2d(rightLayer.delta.dot(rightLayer.weight.T) * self.dZ)
        return self.delta

    def update(self, learning_rate, left_a):
        a = np.atleast_2d(np.asarray(left_a, dtype=np.float32))
        self.weight -= np.float32(learning_rate) * a.T.dot(self.delta)


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = Float32Layer
        layer.weight = layer.weight.astype(np.float32)
    return net
