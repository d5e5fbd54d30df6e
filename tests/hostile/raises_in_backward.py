"""backward raises a ValueError, as a shape mistake in numpy would."""

from backprop.network import Layer, NeuralNetwork


class RaisingLayer(Layer):
    def backward(self, y, rightLayer):
        raise ValueError("shapes (3,) and (4,2) not aligned")


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = RaisingLayer
    return net
