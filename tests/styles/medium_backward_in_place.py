"""ActivationLayer's backward multiplies the output_error it is given in place, and returns it."""

from medium_fclayer import FUNCTIONS, ActivationLayer, FCLayer
from medium_fclayer import make as make_network

STYLE = "medium-inplace"
PROTOCOL = "layer-objects"
EXPECTED_FAILED = ("inputs-unmodified",)
EXPECTED_KINDS = {"inputs-unmodified": ("in-place",)}
DECLARE = {"loss": "mse"}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


class InPlaceActivation(ActivationLayer):
    def backward_propagation(self, output_error, learning_rate):
        output_error *= self.activation_prime(self.input)  # the mistake: the caller's array changes
        return output_error


def make(layers, activation):
    return make_network(layers, activation, FCLayer, InPlaceActivation, FUNCTIONS)
