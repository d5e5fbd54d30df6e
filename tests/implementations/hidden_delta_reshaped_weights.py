"""The hidden delta multiplies by W_right reshaped to the transposed shape instead of W_rightᵀ.

The two agree when W_right is a single row or column; several outputs or 2+ hidden layers show it.

Must fail: hidden-delta, weight-gradient, update-is-sgd-step.
"""

import numpy as np

from backprop.network import Layer, NeuralNetwork

EXPECTED_FAILED = ("hidden-delta", "weight-gradient", "update-is-sgd-step")
EXPECTED_KINDS = {
    "hidden-delta": ("transposed",),
}


class ReshapedWeightLayer(Layer):
    def backward(self, y, rightLayer):
        if self.isoutputLayer:
            return super().backward(y, rightLayer)
        rows, columns = rightLayer.weight.shape
        flipped = rightLayer.weight.reshape(columns, rows)  # the mistake: a reshape is not a transpose
        self.delta = np.atleast_2d(rightLayer.delta.dot(flipped) * self.dZ)
        return self.delta


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = ReshapedWeightLayer
    return net
