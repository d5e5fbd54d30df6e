"""forward returns (and stores) one column too many."""

import numpy as np
from _layered import network_of

from backprop.network import Layer


class WideLayer(Layer):
    def forward(self, x):
        out = super().forward(x)
        self.A = np.concatenate((out, np.zeros(out.shape[:-1] + (1,))), axis=-1)
        return self.A


def make(layers, activation):
    return network_of(WideLayer, layers, activation)
