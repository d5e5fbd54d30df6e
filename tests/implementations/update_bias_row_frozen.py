"""update skips row 0 of every weight matrix, as if the bias weights were fixed.

Must fail: update-is-sgd-step, fit-one-sample, fit-two-samples.
"""

import numpy as np

from backprop.network import Layer, NeuralNetwork

EXPECTED_FAILED = ("update-is-sgd-step", "fit-one-sample", "fit-two-samples")
EXPECTED_KINDS = {
    "update-is-sgd-step": ("frozen",),
}


class FrozenBiasLayer(Layer):
    def update(self, learning_rate, left_a):
        a = np.atleast_2d(left_a)
        d = np.atleast_2d(self.delta)
        self.weight[1:] -= learning_rate * a.T.dot(d)[1:]  # the mistake: row 0 is trainable too


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = FrozenBiasLayer
    return net
