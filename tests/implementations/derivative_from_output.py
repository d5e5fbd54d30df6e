"""Correct: dZ computed from the output A with each activation's own formula (relu'(A), A(1 − A), 1 − A²).

Unlike the article's warned mistake (f'(A) with f' written for z), these formulas equal f'(z):
relu'(A) = relu'(z) because A > 0 exactly when z > 0, σ'(z) = A(1 − A) and tanh'(z) = 1 − A².
"""

import numpy as np

from backprop.network import Layer, NeuralNetwork

EXPECTED_FAILED = ()
EXPECTED_KINDS: dict[str, tuple[str, ...]] = {}

DERIVATIVE_FROM_OUTPUT = {
    "relu": lambda a: (a > 0).astype(a.dtype),
    "sigmoid": lambda a: a * (1 - a),
    "tanh": lambda a: 1 - a**2,
}


class OutputDerivativeLayer(Layer):
    def forward(self, x):
        self.A = self.activation(np.dot(x, self.weight))
        self.dZ = self.derivative_from_output(self.A)
        return self.A


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = OutputDerivativeLayer
        layer.derivative_from_output = DERIVATIVE_FROM_OUTPUT[activation]
    return net
