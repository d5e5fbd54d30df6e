"""update clips each element of aᵀδ to [−1, 1] (a tutorial's clipvalue=1), harmless while gradients are small.

Visible only where a gradient element exceeds 1: order-one weights and inputs, a large output error.
Must fail: update-is-sgd-step, fit-one-sample.
"""

import numpy as np

from backprop.network import Layer, NeuralNetwork

EXPECTED_FAILED = ("update-is-sgd-step", "fit-one-sample")
EXPECTED_KINDS = {
    "update-is-sgd-step": ("not-sgd-step",),
}


class ClippedGradientLayer(Layer):
    def update(self, learning_rate, left_a):
        a = np.atleast_2d(left_a)
        d = np.atleast_2d(self.delta)
        self.weight -= learning_rate * np.clip(a.T.dot(d), -1.0, 1.0)  # the mistake: not the loss's gradient


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = ClippedGradientLayer
    return net
