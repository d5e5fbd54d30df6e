"""The 3-5-4-1 network's output delta is a3 − y without f'(a3): at one output, one factor on every weight."""

from fixed_3541 import Adapter
from fixed_3541 import make as make_net

STYLE = "fixed-architecture"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient", "update-is-sgd-step")
EXPECTED_KINDS = {"weight-gradient": ("missing-fprime",)}
DECLARE = {"layers": [(3, 5, 4, 1)]}
LEFT_OUT = ()
SCHEME = None
BIAS = "separate"


class NoOutputPrime(Adapter):
    def output_delta(self, y):
        return self.a3 - y  # the mistake: "* self.df(self.a3)" is missing


def make(layers, activation):
    return make_net(layers, activation, NoOutputPrime)
