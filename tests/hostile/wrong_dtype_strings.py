"""forward returns its activations as an array of strings."""

from _layered import network_of

from backprop.network import Layer


class StringLayer(Layer):
    def forward(self, x):
        super().forward(x)
        self.A = self.A.astype(str).astype(object) + "!"
        return self.A


def make(layers, activation):
    return network_of(StringLayer, layers, activation)
