"""The output error is divided by the number of outputs, a mean instead of the half sum of squares.

Visible only with 2+ outputs.

Must fail: output-delta, hidden-delta, weight-gradient, update-is-sgd-step.
"""

import numpy as np

from backprop.network import Layer, NeuralNetwork

EXPECTED_FAILED = ("output-delta", "hidden-delta", "weight-gradient", "update-is-sgd-step")
EXPECTED_KINDS = {
    "output-delta": ("scaled",),
}


class AveragedOutputLayer(Layer):
    def backward(self, y, rightLayer):
        if self.isoutputLayer:
            error = (self.A - y) / self.A.shape[-1]  # the mistake: averaged over the outputs
            self.delta = np.atleast_2d(error * self.dZ)
            return self.delta
        return super().backward(y, rightLayer)


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = AveragedOutputLayer
    return net
