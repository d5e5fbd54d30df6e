"""forward stores dZ = f'(A), the article's warned mistake.

Must fail: dz-is-fprime-of-z, output-delta, hidden-delta, weight-gradient, update-is-sgd-step.
"""

import numpy as np

from backprop.network import Layer, NeuralNetwork

EXPECTED_FAILED = (
    "dz-is-fprime-of-z", "output-delta", "hidden-delta", "weight-gradient", "update-is-sgd-step",
)
EXPECTED_KINDS = {
    "dz-is-fprime-of-z": ("fprime-of-output",),
    "output-delta": ("fprime-of-output",),
    "weight-gradient": ("inherited",),
}


class DerivativeAtOutputLayer(Layer):
    def forward(self, x):
        z = np.dot(x, self.weight)
        self.A = self.activation(z)
        self.dZ = self.activation_prime(self.A)  # the mistake: f'(A) instead of f'(z)
        return self.A


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = DerivativeAtOutputLayer
    return net
