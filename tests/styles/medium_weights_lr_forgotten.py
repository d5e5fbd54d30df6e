"""FCLayer steps by the whole weights_error and output_error: the learning rate is never applied."""

import numpy as np
from medium_fclayer import FUNCTIONS, ActivationLayer, FCLayer
from medium_fclayer import make as make_network

STYLE = "medium-inplace"
PROTOCOL = "layer-objects"
EXPECTED_FAILED = ("weight-gradient", "update-is-sgd-step")
EXPECTED_KINDS = {"update-is-sgd-step": ("learning-rate-ignored",)}
DECLARE = {"loss": "mse"}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


class NoRateFC(FCLayer):
    def backward_propagation(self, output_error, learning_rate):
        input_error = np.dot(output_error, self.weights.T)
        weights_error = np.dot(self.input.T, output_error)
        self.weights -= weights_error  # the mistake: learning_rate * weights_error
        self.bias -= output_error  # and learning_rate * output_error
        return input_error


def make(layers, activation):
    return make_network(layers, activation, NoRateFC, ActivationLayer, FUNCTIONS)
