"""Activation_Tanh's backward uses 1 − inputs² where 1 − output² belongs: 1 − z², not 1 − tanh² z."""

from nnfs_objects import ACTIVATIONS, Activation_Tanh, Layer_Dense
from nnfs_objects import make as make_network

STYLE = "nnfs-objects"
PROTOCOL = "layer-objects"
EXPECTED_FAILED = ("output-delta", "hidden-delta", "weight-gradient")
EXPECTED_KINDS = {"output-delta": ("wrong-derivative",)}
DECLARE = {"activation": ("tanh",)}
LEFT_OUT = ()
SCHEME = None
BIAS = "separate"


class Activation_Tanh_Inputs(Activation_Tanh):
    def backward(self, dvalues):
        self.dinputs = dvalues * (1 - self.inputs ** 2)  # the mistake: self.inputs, not self.output


def make(layers, activation):
    return make_network(layers, activation, Layer_Dense, dict(ACTIVATIONS, tanh=Activation_Tanh_Inputs))
