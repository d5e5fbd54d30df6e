"""backward raises a ValueError, as a shape mistake in numpy would."""

from _layered import network_of

from backprop.network import Layer


class RaisingLayer(Layer):
    def backward(self, y, rightLayer):
        raise ValueError("shapes (3,) and (4,2) not aligned")


def make(layers, activation):
    return network_of(RaisingLayer, layers, activation)
