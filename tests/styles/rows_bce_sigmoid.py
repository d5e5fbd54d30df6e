"""Correct: sigmoid outputs trained on binary cross-entropy, whose output delta is A − y."""

from rows_separate_bias import MLP

STYLE = "rows-separate-bias"
PROTOCOL = "model-level"
EXPECTED_FAILED = ()
EXPECTED_KINDS = {}
DECLARE = {"loss": "bce"}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


class CrossEntropyMLP(MLP):
    def output_delta(self, A, Y, z):
        return A - Y  # ∂BCE/∂A · σ'(z) = A − y


def make(layers, activation):
    return CrossEntropyMLP(layers, activation, output_activation="sigmoid")
