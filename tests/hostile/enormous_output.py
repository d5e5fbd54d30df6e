"""Right, but prints megabytes each time it builds a network."""

import sys

from backprop.network import NeuralNetwork


def make(layers, activation):
    for _ in range(20):
        sys.stdout.write("x" * 100_000 + "\n")
    return NeuralNetwork(layers, activation)
