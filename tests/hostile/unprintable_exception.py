"""backward raises an exception whose message itself raises when printed."""

from backprop.network import Layer, NeuralNetwork


class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("no message for you")


class UnprintableLayer(Layer):
    def backward(self, y, rightLayer):
        raise Unprintable()


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = UnprintableLayer
    return net
