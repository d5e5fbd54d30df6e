"""backward reads address 0 through ctypes: a crash in native code."""

import ctypes

from backprop.network import Layer, NeuralNetwork


class CrashingLayer(Layer):
    def backward(self, y, rightLayer):
        ctypes.string_at(0)


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = CrashingLayer
    return net
