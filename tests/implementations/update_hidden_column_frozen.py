"""update leaves column 0 of each hidden layer alone, taking that extra unit for a constant bias.

In the article's network the extra unit goes through the activation, so its weights learn too;
visible only with a hidden layer.
Must fail: update-is-sgd-step, fit-one-sample, fit-two-samples.
"""

import numpy as np

from backprop.network import Layer, NeuralNetwork

EXPECTED_FAILED = ("update-is-sgd-step", "fit-one-sample", "fit-two-samples")
EXPECTED_KINDS = {
    "update-is-sgd-step": ("frozen",),
}


class FrozenColumnLayer(Layer):
    def update(self, learning_rate, left_a):
        a = np.atleast_2d(left_a)
        d = np.atleast_2d(self.delta)
        step = a.T.dot(d)
        if not self.isoutputLayer:
            step[:, 0] = 0  # the mistake: "the bias unit has no incoming weights to learn"
        self.weight -= learning_rate * step


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = FrozenColumnLayer
    return net
