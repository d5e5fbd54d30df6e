"""sigmoid_prime(x) is x(1 − x), the formula for σ' in terms of the output, applied to the input z."""

from medium_fclayer import FUNCTIONS, ActivationLayer, FCLayer, sigmoid
from medium_fclayer import make as make_network

STYLE = "medium-inplace"
PROTOCOL = "layer-objects"
EXPECTED_FAILED = ("activation-derivative", "weight-gradient", "update-is-sgd-step")
EXPECTED_KINDS = {"activation-derivative": ("wrong-derivative",)}
DECLARE = {"loss": "mse", "activation": ("sigmoid",)}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


def sigmoid_prime(x):
    return x * (1 - x)  # the mistake: right only if x were sigmoid(z); ActivationLayer passes z


def make(layers, activation):
    return make_network(layers, activation, FCLayer, ActivationLayer,
                        dict(FUNCTIONS, sigmoid=(sigmoid, sigmoid_prime)))
