"""Activation_Sigmoid's backward multiplies by s(1 + s) instead of s(1 − s)."""

from nnfs_objects import ACTIVATIONS, Activation_Sigmoid, Layer_Dense
from nnfs_objects import make as make_network

STYLE = "nnfs-objects"
PROTOCOL = "layer-objects"
EXPECTED_FAILED = ("output-delta", "hidden-delta", "weight-gradient")
EXPECTED_KINDS = {"output-delta": ("wrong-derivative",)}
DECLARE = {"activation": ("sigmoid",)}
LEFT_OUT = ()
SCHEME = None
BIAS = "separate"


class Activation_Sigmoid_Plus(Activation_Sigmoid):
    def backward(self, dvalues):
        self.dinputs = dvalues * (1 + self.output) * self.output  # the mistake: + for −


def make(layers, activation):
    return make_network(layers, activation, Layer_Dense, dict(ACTIVATIONS, sigmoid=Activation_Sigmoid_Plus))
