"""tanh_prime is 1 − tanh(x), the square forgotten."""

import numpy as np
from medium_fclayer import FUNCTIONS, ActivationLayer, FCLayer
from medium_fclayer import make as make_network

STYLE = "medium-inplace"
PROTOCOL = "layer-objects"
EXPECTED_FAILED = ("activation-derivative", "weight-gradient", "update-is-sgd-step")
EXPECTED_KINDS = {"activation-derivative": ("wrong-derivative",), "weight-gradient": ("wrong-derivative",)}
DECLARE = {"loss": "mse", "activation": ("tanh",)}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


def tanh_prime(x):
    return 1 - np.tanh(x)  # the mistake: ** 2 is missing


def make(layers, activation):
    return make_network(layers, activation, FCLayer, ActivationLayer,
                        dict(FUNCTIONS, tanh=(np.tanh, tanh_prime)))
