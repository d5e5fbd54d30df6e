"""The output delta is A − y without the f'(z) factor.

Must fail: output-delta, hidden-delta, weight-gradient, update-is-sgd-step.
"""

import numpy as np

from backprop.network import Layer, NeuralNetwork

EXPECTED_FAILED = ("output-delta", "hidden-delta", "weight-gradient", "update-is-sgd-step")
EXPECTED_KINDS = {
    "output-delta": ("missing-fprime", "loss-mismatch"),
}


class NoDerivativeOutputLayer(Layer):
    def backward(self, y, rightLayer):
        if self.isoutputLayer:
            self.delta = np.atleast_2d(self.A - y)  # the mistake: "* self.dZ" is missing
            return self.delta
        return super().backward(y, rightLayer)


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = NoDerivativeOutputLayer
    return net
