"""The update adds the gradient (W += lr·aᵀδ), in a layer whose activation is named `f`/`df`."""

import numpy as np
from renamed_activation_attrs import Layer, NeuralNetwork

STYLE = "renamed-attributes"
PROTOCOL = "layer-level"
EXPECTED_FAILED = ("update-is-sgd-step", "fit-one-sample", "fit-two-samples", "descent")
EXPECTED_KINDS = {"update-is-sgd-step": ("sign-flipped",), "descent": ("sign-flipped",)}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "one-random-sample"
BIAS = "first"


class AscentLayer(Layer):
    def update(self, learning_rate, left_a):
        self.weight += learning_rate * np.atleast_2d(left_a).T.dot(self.delta)  # the mistake: += for −=


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = AscentLayer
    return net
