"""backward reads address 0 through ctypes: a crash in native code."""

import ctypes

from _layered import network_of

from backprop.network import Layer


class CrashingLayer(Layer):
    def backward(self, y, rightLayer):
        ctypes.string_at(0)


def make(layers, activation):
    return network_of(CrashingLayer, layers, activation)
