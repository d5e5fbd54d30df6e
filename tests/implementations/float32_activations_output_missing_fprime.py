"""Activations computed in float32 on float64 weights, and the output delta A − y without its f'(z) factor.

Must fail: output-delta, hidden-delta, weight-gradient, update-is-sgd-step.
"""

import numpy as np

from backprop.network import Layer, NeuralNetwork

EXPECTED_FAILED = ("output-delta", "hidden-delta", "weight-gradient", "update-is-sgd-step")
EXPECTED_KINDS = {
    "output-delta": ("missing-fprime", "loss-mismatch"),
}


class OutputWithoutDerivative(Layer):
    def backward(self, y, rightLayer):
        if self.isoutputLayer:
            self.delta = np.atleast_2d(self.A - y)  # the mistake: "* self.dZ" is missing
            return self.delta
        return super().backward(y, rightLayer)


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = OutputWithoutDerivative
        f, f_prime = layer.activation, layer.activation_prime
        layer.activation = lambda z, f=f: f(np.asarray(z, dtype=np.float32))
        layer.activation_prime = lambda z, f_prime=f_prime: f_prime(np.asarray(z, dtype=np.float32))
    return net
