"""The L2 penalty is applied to the biases too, where weights-only L2 is declared."""

from rows_separate_bias import MLP

STYLE = "rows-separate-bias"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient", "update-is-sgd-step")
EXPECTED_KINDS = {"weight-gradient": ("regularisation",)}
DECLARE = {"l2": 0.01}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


class BiasPenalty(MLP):
    def penalty(self, W, b):
        return self.l2 * W, self.l2 * b  # the mistake: biases are not meant to be penalised


def make(layers, activation):
    return BiasPenalty(layers, activation, l2=0.01)
