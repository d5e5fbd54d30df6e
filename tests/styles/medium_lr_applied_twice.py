"""FCLayer scales weights_error by the learning rate and then steps by learning_rate × weights_error."""

import numpy as np
from medium_fclayer import FUNCTIONS, ActivationLayer, FCLayer
from medium_fclayer import make as make_network

STYLE = "medium-inplace"
PROTOCOL = "layer-objects"
EXPECTED_FAILED = ("weight-gradient", "update-is-sgd-step")
EXPECTED_KINDS = {"update-is-sgd-step": ("scaled",)}
DECLARE = {"loss": "mse"}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


class TwiceScaledFC(FCLayer):
    def backward_propagation(self, output_error, learning_rate):
        input_error = np.dot(output_error, self.weights.T)
        weights_error = learning_rate * np.dot(self.input.T, output_error)  # the mistake: lr here ...
        self.weights -= learning_rate * weights_error  # ... and here again
        self.bias -= learning_rate * output_error
        return input_error


def make(layers, activation):
    return make_network(layers, activation, TwiceScaledFC, ActivationLayer, FUNCTIONS)
