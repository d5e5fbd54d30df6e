"""make draws the initial weights from its own unseeded Generator, so np.random.seed cannot reproduce a run.

Must fail: deterministic.
"""

import numpy as np

from backprop.network import NeuralNetwork

EXPECTED_FAILED = ("deterministic",)
EXPECTED_KINDS = {
    "deterministic": ("nondeterministic",),
}


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    generator = np.random.default_rng()  # the mistake: no seed, and not the global state either
    for layer in net.layers:
        layer.weight = generator.uniform(-1, 1, layer.weight.shape)
    return net
