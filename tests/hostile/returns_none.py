"""forward returns None and stores nothing."""

from backprop.network import Layer, NeuralNetwork


class NoneLayer(Layer):
    def forward(self, x):
        super().forward(x)
        self.A = None


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = NoneLayer
    return net
