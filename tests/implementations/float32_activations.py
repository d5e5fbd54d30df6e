"""Correct: the article's network on float64 weights, every activation and derivative computed in float32."""

import numpy as np

from backprop.network import NeuralNetwork

EXPECTED_FAILED = ()
EXPECTED_KINDS: dict[str, tuple[str, ...]] = {}


def in_float32(function):
    """The function applied to z cast to float32: its values are float32 (as a memory-minded user writes)."""
    return lambda z: function(np.asarray(z, dtype=np.float32))


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.activation = in_float32(layer.activation)
        layer.activation_prime = in_float32(layer.activation_prime)
    return net
