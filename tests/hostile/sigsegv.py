"""update sends itself SIGSEGV."""

import os
import signal

from backprop.network import Layer, NeuralNetwork


class SegfaultingLayer(Layer):
    def update(self, learning_rate, left_a):
        os.kill(os.getpid(), signal.SIGSEGV)


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = SegfaultingLayer
    return net
