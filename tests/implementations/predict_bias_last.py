"""predict appends the constant 1 after the inputs, while fit puts it first.

Must fail: predict-is-forward.
"""

import numpy as np

from backprop.network import NeuralNetwork

EXPECTED_FAILED = ("predict-is-forward",)
EXPECTED_KINDS = {
    "predict-is-forward": ("bias-layout",),
}


class BiasLastNetwork(NeuralNetwork):
    def predict(self, x):
        a = np.concatenate((np.asarray(x, dtype=float), np.ones(1)))  # the mistake: the 1 goes first
        for layer in self.layers:
            a = layer.forward(a)
        return a


def make(layers, activation):
    return BiasLastNetwork(layers, activation)
