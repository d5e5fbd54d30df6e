"""Activation_ReLU's backward copies dvalues but never zeroes them where the input was ≤ 0."""

from nnfs_objects import ACTIVATIONS, Activation_ReLU, Layer_Dense
from nnfs_objects import make as make_network

STYLE = "nnfs-objects"
PROTOCOL = "layer-objects"
EXPECTED_FAILED = ("output-delta", "hidden-delta", "weight-gradient")
EXPECTED_KINDS = {"output-delta": ("missing-fprime",), "hidden-delta": ("missing-fprime",)}
DECLARE = {"activation": ("relu",)}
LEFT_OUT = ()
SCHEME = None
BIAS = "separate"


class Activation_ReLU_Unmasked(Activation_ReLU):
    def backward(self, dvalues):
        self.dinputs = dvalues.copy()  # the mistake: the mask self.inputs <= 0 is never applied


def make(layers, activation):
    return make_network(layers, activation, Layer_Dense, dict(ACTIVATIONS, relu=Activation_ReLU_Unmasked))
