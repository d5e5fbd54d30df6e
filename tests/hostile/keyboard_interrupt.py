"""backward raises KeyboardInterrupt, which `except Exception` does not catch."""

from backprop.network import Layer, NeuralNetwork


class InterruptingLayer(Layer):
    def backward(self, y, rightLayer):
        raise KeyboardInterrupt


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = InterruptingLayer
    return net
