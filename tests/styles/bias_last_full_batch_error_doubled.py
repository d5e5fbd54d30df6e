"""The output error is 2(A − y), the derivative of (A − y)² where ½(A − y)² is the loss: twice too large."""

from bias_last_full_batch import Layer
from bias_last_full_batch import make as make_network

STYLE = "bias-last"
PROTOCOL = "layer-level"
EXPECTED_FAILED = ("output-delta", "hidden-delta", "weight-gradient", "update-is-sgd-step",
                   "fit-one-sample", "fit-two-samples")
EXPECTED_KINDS = {"output-delta": ("scaled",)}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "full-batch-mean"
BIAS = "last"


class DoubledError(Layer):
    def output_error(self, y):
        return 2 * (self.A - y)  # the mistake: the ½ of the loss cancels the 2


def make(layers, activation):
    return make_network(layers, activation, DoubledError)
