"""A hidden layer whose right neighbour is also hidden drops the f'(z) factor from its delta.

The branch for the last hidden layer is right; the one for deeper layers, never run on a
one-hidden-layer network, was copied without `* self.dZ`.  Visible only with 2+ hidden layers.
Must fail: hidden-delta, weight-gradient, update-is-sgd-step, fit-one-sample, fit-two-samples.
"""

import numpy as np

from backprop.network import Layer, NeuralNetwork

EXPECTED_FAILED = (
    "hidden-delta", "weight-gradient", "update-is-sgd-step", "fit-one-sample", "fit-two-samples",
)
EXPECTED_KINDS = {
    "hidden-delta": ("missing-fprime", "needs-size"),
    "weight-gradient": ("inherited",),
}


class DeepBranchLayer(Layer):
    def backward(self, y, rightLayer):
        if self.isoutputLayer or rightLayer.isoutputLayer:
            return super().backward(y, rightLayer)
        self.delta = np.atleast_2d(rightLayer.delta.dot(rightLayer.weight.T))  # the mistake: no "* self.dZ"
        return self.delta


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = DeepBranchLayer
    return net
