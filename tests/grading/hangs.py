"""A submission whose backward never returns: only its wall-clock limit ends its grading."""

from backprop.network import Layer, NeuralNetwork


class StuckLayer(Layer):
    def backward(self, y, rightLayer):
        while True:
            pass


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = StuckLayer
    return net
