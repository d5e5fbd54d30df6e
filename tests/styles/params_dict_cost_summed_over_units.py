"""dAL sums AL − Y over axis 0 (the output units, not the samples): one summed error for every output."""

import numpy as np
from params_dict_functional import BACKWARD, Adapter

STYLE = "params-dict"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient",)
EXPECTED_KINDS = {"weight-gradient": ("summed-outputs",)}
DECLARE = {}
LEFT_OUT = ("relu",)
SCHEME = None
BIAS = "separate"


class SummedOverUnits(Adapter):
    def cost_derivative(self, AL, Y):
        return np.sum(AL - Y, axis=0, keepdims=True)  # the mistake: axis 0 of (n_units, m) is the units


def make(layers, activation):
    if activation not in BACKWARD:
        raise KeyError(activation)
    return SummedOverUnits(layers, activation)
