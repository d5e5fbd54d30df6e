"""The article's code with the mistake it warns of: dZ = activation_prime(A) where z belongs."""

from article_as_published import Layer, NeuralNetwork

STYLE = "article-as-published"
PROTOCOL = "layer-level"
EXPECTED_FAILED = ("dz-is-fprime-of-z", "output-delta", "hidden-delta", "weight-gradient",
                   "update-is-sgd-step", "fit-one-sample", "fit-two-samples")
EXPECTED_KINDS = {"dz-is-fprime-of-z": ("fprime-of-output",), "output-delta": ("fprime-of-output",)}
DECLARE = {}
LEFT_OUT = ("no hidden layer",)
SCHEME = "one-random-sample"
BIAS = "first"


class LoopbackLayer(Layer):
    def forward(self, x):
        z = x.dot(self.weight)
        self.A = self.activation(z)
        self.dZ = self.activation_prime(self.A)  # the mistake: the output injected back
        return self.A


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = LoopbackLayer
    return net
