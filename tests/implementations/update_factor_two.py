"""update moves the weights by 2 · learning_rate · aᵀδ, the derivative of ‖A − y‖² for a loss of ½‖A − y‖².

Must fail: update-is-sgd-step, fit-one-sample, fit-two-samples.
"""

import numpy as np

from backprop.network import Layer, NeuralNetwork

EXPECTED_FAILED = ("update-is-sgd-step", "fit-one-sample", "fit-two-samples")
EXPECTED_KINDS = {
    "update-is-sgd-step": ("scaled",),
}


class DoubledStepLayer(Layer):
    def update(self, learning_rate, left_a):
        a = np.atleast_2d(left_a)
        d = np.atleast_2d(self.delta)
        self.weight -= 2 * learning_rate * a.T.dot(d)  # the mistake: the square's 2 came down


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = DoubledStepLayer
    return net
