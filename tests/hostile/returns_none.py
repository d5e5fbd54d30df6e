"""forward returns None and stores nothing."""

from _layered import network_of

from backprop.network import Layer


class NoneLayer(Layer):
    def forward(self, x):
        super().forward(x)
        self.A = None


def make(layers, activation):
    return network_of(NoneLayer, layers, activation)
