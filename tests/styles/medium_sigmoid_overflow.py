"""sigmoid is written exp(x) / (1 + exp(x)), which is inf / inf = NaN for x above about 710."""

import numpy as np
from medium_fclayer import FUNCTIONS, ActivationLayer, FCLayer
from medium_fclayer import make as make_network

STYLE = "medium-inplace"
PROTOCOL = "layer-objects"
EXPECTED_FAILED = ("predict-is-forward",)
EXPECTED_KINDS = {"predict-is-forward": ("non-finite",)}
DECLARE = {"loss": "mse", "activation": ("sigmoid",)}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


def sigmoid(x):
    return np.exp(x) / (1 + np.exp(x))  # the mistake: overflows for large x


def sigmoid_prime(x):
    return sigmoid(x) * (1 - sigmoid(x))


def make(layers, activation):
    return make_network(layers, activation, FCLayer, ActivationLayer,
                        dict(FUNCTIONS, sigmoid=(sigmoid, sigmoid_prime)))
