"""update leaves NaN in the output layer's weights."""

import numpy as np
from _layered import network_of

from backprop.network import Layer


class PoisoningLayer(Layer):
    def update(self, learning_rate, left_a):
        super().update(learning_rate, left_a)
        if self.isoutputLayer:
            self.weight[...] = np.nan


def make(layers, activation):
    return network_of(PoisoningLayer, layers, activation)
