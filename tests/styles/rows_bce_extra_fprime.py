"""Sigmoid outputs with cross-entropy, and the output delta still multiplied by σ'(z)."""

from rows_separate_bias import MLP

STYLE = "rows-separate-bias"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient", "update-is-sgd-step")
EXPECTED_KINDS = {"weight-gradient": ("extra-fprime",)}
DECLARE = {"loss": "bce"}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


class ExtraPrime(MLP):
    def output_delta(self, A, Y, z):
        return (A - Y) * self.out_df(z)  # the mistake: cross-entropy's gradient already cancels σ'


def make(layers, activation):
    return ExtraPrime(layers, activation, output_activation="sigmoid")
