"""The output error is y − A (the sign flipped), so every step climbs the loss."""

from rows_separate_bias import MLP

STYLE = "rows-separate-bias"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient", "update-is-sgd-step", "descent")
EXPECTED_KINDS = {"weight-gradient": ("sign-flipped",), "descent": ("sign-flipped",)}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


class Flipped(MLP):
    def output_delta(self, A, Y, z):
        return (Y - A) * self.out_df(z)  # the mistake: y − A


def make(layers, activation):
    return Flipped(layers, activation)
