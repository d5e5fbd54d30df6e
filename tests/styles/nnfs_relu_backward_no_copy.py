"""Activation_ReLU's backward masks dvalues itself (no .copy()): the array it is given is overwritten."""

from nnfs_objects import ACTIVATIONS, Activation_ReLU, Layer_Dense
from nnfs_objects import make as make_network

STYLE = "nnfs-objects"
PROTOCOL = "layer-objects"
EXPECTED_FAILED = ("inputs-unmodified",)
EXPECTED_KINDS = {"inputs-unmodified": ("in-place",)}
DECLARE = {"activation": ("relu",)}
LEFT_OUT = ()
SCHEME = None
BIAS = "separate"


class Activation_ReLU_NoCopy(Activation_ReLU):
    def backward(self, dvalues):
        self.dinputs = dvalues  # the mistake: dvalues.copy()
        self.dinputs[self.inputs <= 0] = 0


def make(layers, activation):
    return make_network(layers, activation, Layer_Dense, dict(ACTIVATIONS, relu=Activation_ReLU_NoCopy))
