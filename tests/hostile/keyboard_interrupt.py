"""backward raises KeyboardInterrupt, which `except Exception` does not catch."""

from _layered import network_of

from backprop.network import Layer


class InterruptingLayer(Layer):
    def backward(self, y, rightLayer):
        raise KeyboardInterrupt


def make(layers, activation):
    return network_of(InterruptingLayer, layers, activation)
