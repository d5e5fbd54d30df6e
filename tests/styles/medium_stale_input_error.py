"""FCLayer updates its weights before computing input_error, so the error goes back through the new ones."""

import numpy as np
from medium_fclayer import FUNCTIONS, ActivationLayer, FCLayer
from medium_fclayer import make as make_network

STYLE = "medium-inplace"
PROTOCOL = "layer-objects"
EXPECTED_FAILED = ("update-is-sgd-step",)
EXPECTED_KINDS = {"update-is-sgd-step": ("stale-weights",)}
DECLARE = {"loss": "mse"}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


class UpdateFirstFC(FCLayer):
    def backward_propagation(self, output_error, learning_rate):
        weights_error = np.dot(self.input.T, output_error)
        self.weights -= learning_rate * weights_error
        self.bias -= learning_rate * output_error
        return np.dot(output_error, self.weights.T)  # the mistake: after the update


def make(layers, activation):
    return make_network(layers, activation, UpdateFirstFC, ActivationLayer, FUNCTIONS)
