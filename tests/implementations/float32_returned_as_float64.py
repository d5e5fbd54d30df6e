"""Correct: float32 arithmetic, every array handed back as float64 (as a careful user converts)."""

import numpy as np

from backprop.network import Layer, NeuralNetwork

EXPECTED_FAILED = ()
EXPECTED_KINDS: dict[str, tuple[str, ...]] = {}


class Float32InsideLayer(Layer):
    def forward(self, x):
        z = np.dot(np.asarray(x, dtype=np.float32), self.weight.astype(np.float32))
        self.A = self.activation(z).astype(np.float64)
        self.dZ = self.activation_prime(z).astype(np.float64)
        return self.A

    def backward(self, y, rightLayer):
        if self.isoutputLayer:
            error = self.A.astype(np.float32) - np.asarray(y, dtype=np.float32)
            self.delta = np.atleast_2d(error * self.dZ.astype(np.float32)).astype(np.float64)
        else:
            right = rightLayer.delta.astype(np.float32).dot(rightLayer.weight.T)
            self.delta = np.atleast_2d(right * self.dZ.astype(np.float32)).astype(np.float64)
        return self.delta

    def update(self, learning_rate, left_a):
        a = np.atleast_2d(np.asarray(left_a, dtype=np.float32))
        self.weight -= np.float32(learning_rate) * a.T.dot(self.delta.astype(np.float32))


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = Float32InsideLayer
        layer.weight = layer.weight.astype(np.float32)
    return net
