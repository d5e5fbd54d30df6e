"""`weight` hands out a copy, so whatever the harness writes into it never reaches the network."""

from backprop.network import Layer, NeuralNetwork


class CopyingLayer(Layer):
    @property
    def weight(self):
        return self._weight.copy()

    @weight.setter
    def weight(self, value):
        self._weight = value


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        weight = layer.weight
        layer.__class__ = CopyingLayer
        layer._weight = weight
    return net
