"""A hidden layer's delta is the backpropagated error alone: the factor f'(z) is left out of hidden layers."""

from bias_last_full_batch import Layer
from bias_last_full_batch import make as make_network

STYLE = "bias-last"
PROTOCOL = "layer-level"
EXPECTED_FAILED = ("hidden-delta", "weight-gradient", "update-is-sgd-step", "fit-one-sample",
                   "fit-two-samples")
EXPECTED_KINDS = {"hidden-delta": ("missing-fprime",)}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "full-batch-mean"
BIAS = "last"


class NoHiddenPrime(Layer):
    def fprime(self):
        return self.dZ if self.is_output else 1.0  # the mistake: hidden layers need self.dZ too


def make(layers, activation):
    return make_network(layers, activation, NoHiddenPrime)
