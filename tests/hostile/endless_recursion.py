"""backward calls itself without end."""

from backprop.network import Layer, NeuralNetwork


class RecursiveLayer(Layer):
    def backward(self, y, rightLayer):
        return self.backward(y, rightLayer)


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = RecursiveLayer
    return net
