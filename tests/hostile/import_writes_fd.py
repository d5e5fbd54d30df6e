"""Right, but writes straight to file descriptors 1 and 2 when imported, below Python's sys.stdout."""

import os

from backprop.network import NeuralNetwork

os.write(1, b"{ raw bytes on fd 1 when imported\n")
os.write(2, b"raw bytes on fd 2 when imported\n")


def make(layers, activation):
    return NeuralNetwork(layers, activation)
