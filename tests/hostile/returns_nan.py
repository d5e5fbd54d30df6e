"""backward's delta is all NaN."""

import numpy as np
from _layered import network_of

from backprop.network import Layer


class NanLayer(Layer):
    def backward(self, y, rightLayer):
        self.delta = np.full_like(super().backward(y, rightLayer), np.nan)
        return self.delta


def make(layers, activation):
    return network_of(NanLayer, layers, activation)
