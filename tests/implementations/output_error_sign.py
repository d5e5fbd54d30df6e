"""The output error is y − A instead of A − y.

Must fail: output-delta, hidden-delta, weight-gradient, update-is-sgd-step, descent.
"""

import numpy as np

from backprop.network import Layer, NeuralNetwork

EXPECTED_FAILED = ("output-delta", "hidden-delta", "weight-gradient", "update-is-sgd-step", "descent")
EXPECTED_KINDS = {
    "output-delta": ("sign-flipped",),
    "descent": ("sign-flipped",),
}


class FlippedErrorLayer(Layer):
    def backward(self, y, rightLayer):
        if self.isoutputLayer:
            error = y - self.A  # the mistake: the sign of the error
            self.delta = np.atleast_2d(error * self.dZ)
            return self.delta
        return super().backward(y, rightLayer)


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = FlippedErrorLayer
    return net
