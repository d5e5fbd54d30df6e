"""tanh's derivative written as 1 − Z² (the output's formula applied to Z) instead of 1 − tanh(Z)²."""

from params_dict_functional import BACKWARD, Adapter

STYLE = "params-dict"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient",)
EXPECTED_KINDS = {"weight-gradient": ("wrong-derivative",)}
DECLARE = {}
LEFT_OUT = ("relu",)
SCHEME = None
BIAS = "separate"


def tanh_backward(dA, cache):
    return dA * (1 - cache ** 2)  # the mistake: cache is Z, not tanh(Z)


class WrongTanh(Adapter):
    backward = dict(BACKWARD, tanh=tanh_backward)


def make(layers, activation):
    if activation not in BACKWARD:
        raise KeyError(activation)
    return WrongTanh(layers, activation)
