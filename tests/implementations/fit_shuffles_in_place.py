"""fit shuffles the caller's X and y in place (consistently, so training itself is right).

Must fail: inputs-unmodified.
"""

import numpy as np

from backprop.network import NeuralNetwork

EXPECTED_FAILED = ("inputs-unmodified",)
EXPECTED_KINDS = {
    "inputs-unmodified": ("in-place",),
}


class ShufflingNetwork(NeuralNetwork):
    def fit(self, X, y, learning_rate=0.1, epochs=10000):
        state = np.random.get_state()
        np.random.shuffle(X)  # the mistake: these are the caller's arrays
        np.random.set_state(state)
        np.random.shuffle(y)
        super().fit(X, y, learning_rate, epochs)


def make(layers, activation):
    return ShufflingNetwork(layers, activation)
