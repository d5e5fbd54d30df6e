"""A weight gradient is built from the left layer's z instead of its activation."""

from rows_separate_bias import MLP

STYLE = "rows-separate-bias"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient", "update-is-sgd-step")
EXPECTED_KINDS = {"weight-gradient": ("wrong-left-activation",)}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


class LeftZ(MLP):
    def weight_gradient(self, k, delta):
        left = self.zs[k - 1] if k else self.activations[0]  # the mistake: z where f(z) belongs
        return left.T @ delta


def make(layers, activation):
    return LeftZ(layers, activation)
