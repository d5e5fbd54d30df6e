"""forward returns its activations as an array of strings."""

from backprop.network import Layer, NeuralNetwork


class StringLayer(Layer):
    def forward(self, x):
        super().forward(x)
        self.A = self.A.astype(str).astype(object) + "!"
        return self.A


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = StringLayer
    return net
