"""The article's constructor: for a network without a hidden layer, `i` is unbound (correct otherwise)."""

from backprop.network import Layer, NeuralNetwork, get_activation


class ArticleNetwork(NeuralNetwork):
    def __init__(self, layersDim, activation="tanh"):
        act = get_activation(activation)
        self.activation, self.activation_prime = act.function, act.derivative
        self._rng = None
        self.layers = []
        for i in range(1, len(layersDim) - 1):
            dim = (layersDim[i - 1] + 1, layersDim[i] + 1)
            self.layers.append(Layer(dim, i, self.activation, self.activation_prime))
        dim = (layersDim[i] + 1, layersDim[i + 1])  # noqa: F821 (the article's own bug for [n, m])
        self.layers.append(Layer(dim, len(layersDim) - 1, self.activation, self.activation_prime, True))


def make(layers, activation):
    return ArticleNetwork(layers, activation)
