"""backward never returns (a loop whose condition never changes)."""

from backprop.network import Layer, NeuralNetwork


class StuckLayer(Layer):
    def backward(self, y, rightLayer):
        converged = False
        while not converged:
            pass


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = StuckLayer
    return net
