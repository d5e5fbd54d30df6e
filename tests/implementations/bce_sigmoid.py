"""Correct under binary cross-entropy: the output delta is A − y, the sigmoid's f' cancelled by the loss.

It must fail under the default half-SSE, whose output delta is (A − y)·f'(z).
"""

import numpy as np

from backprop.network import Layer, NeuralNetwork

LOSS = "bce"
EXPECTED_FAILED = ()
EXPECTED_KINDS: dict[str, tuple[str, ...]] = {}
EXPECTED_FAILED_UNDER_HALF_SSE = ("output-delta", "weight-gradient", "update-is-sgd-step")


class CrossEntropyOutputLayer(Layer):
    def backward(self, y, rightLayer):
        if self.isoutputLayer:
            self.delta = np.atleast_2d(self.A - y)  # ∂BCE/∂A · σ'(z) = (A − y)
            return self.delta
        return super().backward(y, rightLayer)


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = CrossEntropyOutputLayer
    return net
