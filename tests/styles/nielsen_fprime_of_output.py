"""σ' is taken at the output activation, act_prime(a) instead of act_prime(z)."""

from nielsen_column import Adapter

STYLE = "nielsen-column"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient", "update-is-sgd-step")
EXPECTED_KINDS = {"weight-gradient": ("fprime-of-output",)}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


class PrimeOfOutput(Adapter):
    def output_prime(self, z, a):
        return self.act_prime(a)  # the mistake: a = σ(z) went in where z belongs


def make(layers, activation):
    return PrimeOfOutput(layers, activation)
