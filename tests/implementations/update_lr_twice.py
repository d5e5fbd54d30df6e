"""update scales aᵀδ by the learning rate and then again when it subtracts it.

Invisible with learning_rate = 1; a realistic rate shows it.
Must fail: update-is-sgd-step, fit-one-sample, fit-two-samples.
"""

import numpy as np

from backprop.network import Layer, NeuralNetwork

EXPECTED_FAILED = ("update-is-sgd-step", "fit-one-sample", "fit-two-samples")
EXPECTED_KINDS = {
    "update-is-sgd-step": ("scaled",),
}


class DoubleRateLayer(Layer):
    def update(self, learning_rate, left_a):
        a = np.atleast_2d(left_a)
        d = np.atleast_2d(self.delta)
        step = learning_rate * a.T.dot(d)
        self.weight -= learning_rate * step  # the mistake: step already holds the learning rate


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = DoubleRateLayer
    return net
