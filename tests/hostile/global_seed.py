"""Right, but reseeds numpy's global random generator at import, in make and in every forward."""

import numpy as np
from _layered import network_of

from backprop.network import Layer

np.random.seed(1234)


class ReseedingLayer(Layer):
    def forward(self, x):
        np.random.seed(99)
        return super().forward(x)


def make(layers, activation):
    np.random.seed(7)
    return network_of(ReseedingLayer, layers, activation)
