"""forward's output overflows to inf."""

import numpy as np
from _layered import network_of

from backprop.network import Layer


class InfLayer(Layer):
    def forward(self, x):
        self.A = super().forward(x) * np.inf
        return self.A


def make(layers, activation):
    return network_of(InfLayer, layers, activation)
