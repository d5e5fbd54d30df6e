"""forward rounds its activations to integers: no error anywhere, just wrong numbers."""

import numpy as np
from _layered import network_of

from backprop.network import Layer


class IntegerLayer(Layer):
    def forward(self, x):
        super().forward(x)
        self.A = np.rint(self.A).astype(np.int64)
        return self.A


def make(layers, activation):
    return network_of(IntegerLayer, layers, activation)
