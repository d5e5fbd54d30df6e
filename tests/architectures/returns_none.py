"""A factory that forgets to return the network."""

from backprop.network import NeuralNetwork


def make(layers, activation):
    NeuralNetwork(layers, activation)
