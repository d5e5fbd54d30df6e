"""Correct: L2 regularisation on the weights only, λ/2·‖W‖² with λ = 0.01 (declared as --l2 0.01)."""

from rows_separate_bias import MLP

STYLE = "rows-separate-bias"
PROTOCOL = "model-level"
EXPECTED_FAILED = ()
EXPECTED_KINDS = {}
DECLARE = {"l2": 0.01}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


def make(layers, activation):
    return MLP(layers, activation, l2=0.01)
