"""The reference network with the output error's sign flipped (y − A): the battery must fail it."""

import os

import numpy as np

from backprop.network import Layer, NeuralNetwork


class FlippedLayer(Layer):
    def backward(self, y, rightLayer):
        if self.isoutputLayer:
            self.delta = np.atleast_2d((y - self.A) * self.dZ)
            return self.delta
        return super().backward(y, rightLayer)


def flipped(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = FlippedLayer
    return net


def record(name):
    """Where a plug-in writes what it did: beside it, or in its working folder when its user cannot write
    there (as when a grader running as root gives it a copy it may only read)."""
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here if os.access(here, os.W_OK) else os.getcwd(), name)
