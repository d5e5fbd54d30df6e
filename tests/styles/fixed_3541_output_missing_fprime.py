"""The 3-5-4-1 network's output delta is a3 − y without f'(a3): at one output, one factor on every weight."""

import numpy as np
from fixed_3541 import Adapter

STYLE = "fixed-architecture"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient", "update-is-sgd-step")
EXPECTED_KINDS = {"weight-gradient": ("missing-fprime",)}
DECLARE = {"layers": [(3, 5, 4, 1)]}
LEFT_OUT = ()
SCHEME = None
BIAS = "separate"


class NoOutputPrime(Adapter):
    def train_step(self, x, y, lr):
        self.forward(x)
        d3 = self.a3 - y  # the mistake: "* self.df(self.a3)" is missing
        d2 = (self.W3 @ d3) * self.df(self.a2)
        d1 = (self.W2 @ d2) * self.df(self.a1)
        self.W3 -= lr * np.outer(self.a2, d3)
        self.b3 -= lr * d3
        self.W2 -= lr * np.outer(self.a1, d2)
        self.b2 -= lr * d2
        self.W1 -= lr * np.outer(self.x, d1)
        self.b1 -= lr * d1

    step = train_step


def make(layers, activation):
    if list(layers) != [3, 5, 4, 1]:
        raise ValueError(f"this network is 3-5-4-1, not {'-'.join(map(str, layers))}")
    return NoOutputPrime(activation)
