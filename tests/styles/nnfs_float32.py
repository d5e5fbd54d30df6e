"""Correct: the nnfs layer objects computing in float32 (weights, biases, outputs and gradients)."""

import numpy as np
from nnfs_objects import ACTIVATIONS, Layer_Dense
from nnfs_objects import make as make_network

STYLE = "float32"
PROTOCOL = "layer-objects"
EXPECTED_FAILED = ()
EXPECTED_KINDS = {}
DECLARE = {}
LEFT_OUT = ()
SCHEME = None
BIAS = "separate"


class Layer_Dense32(Layer_Dense):
    def __init__(self, n_inputs, n_neurons):
        super().__init__(n_inputs, n_neurons)
        self.weights = self.weights.astype(np.float32)
        self.biases = self.biases.astype(np.float32)

    def forward(self, inputs):
        super().forward(np.asarray(inputs, dtype=np.float32))

    def backward(self, dvalues):
        super().backward(np.asarray(dvalues, dtype=np.float32))


def make(layers, activation):
    return make_network(layers, activation, Layer_Dense32, ACTIVATIONS)
