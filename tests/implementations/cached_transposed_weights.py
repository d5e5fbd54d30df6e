"""A hidden layer caches a copy of W_rightᵀ at its first backward and never refreshes it.

The first step is right; every later one backpropagates through stale weights.
Must fail: fit-two-samples.
"""

import numpy as np

from backprop.network import Layer, NeuralNetwork

EXPECTED_FAILED = ("fit-two-samples",)
EXPECTED_KINDS = {
    "fit-two-samples": ("stale-weights",),
}


class CachingLayer(Layer):
    def backward(self, y, rightLayer):
        if self.isoutputLayer:
            return super().backward(y, rightLayer)
        if getattr(self, "right_weight_t", None) is None:
            self.right_weight_t = rightLayer.weight.T.copy()  # the mistake: a copy goes stale
        self.delta = np.atleast_2d(rightLayer.delta.dot(self.right_weight_t) * self.dZ)
        return self.delta


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = CachingLayer
    return net
