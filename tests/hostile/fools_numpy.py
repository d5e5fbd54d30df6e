"""A wrong update (twice the step) that also patches numpy's comparisons to always say "equal"."""

import numpy as np
import numpy.testing
from _layered import network_of

from backprop.network import Layer


def _always_equal(*args, **kwargs):
    return True


def _never_raise(*args, **kwargs):
    return None


def _patch():
    np.allclose = _always_equal
    np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, dtype=bool)
    np.array_equal = _always_equal
    numpy.testing.assert_allclose = _never_raise
    numpy.testing.assert_array_equal = _never_raise


class DoubledStepLayer(Layer):
    def update(self, learning_rate, left_a):
        _patch()
        self.weight -= 2 * learning_rate * np.atleast_2d(left_a).T.dot(np.atleast_2d(self.delta))


def make(layers, activation):
    _patch()
    return network_of(DoubledStepLayer, layers, activation)
