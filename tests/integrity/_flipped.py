"""The reference network with the output error's sign flipped (y − A): the battery must fail it."""

import numpy as np

from backprop.network import Layer, NeuralNetwork


class FlippedLayer(Layer):
    def backward(self, y, rightLayer):
        if self.isoutputLayer:
            self.delta = np.atleast_2d((y - self.A) * self.dZ)
            return self.delta
        return super().backward(y, rightLayer)


def flipped(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = FlippedLayer
    return net
