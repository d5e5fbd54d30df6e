"""Each layer is updated as soon as its delta is known, so the hidden deltas go through updated weights."""

import numpy as np
from fixed_3541 import Adapter

STYLE = "fixed-architecture"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("update-is-sgd-step",)
EXPECTED_KINDS = {"update-is-sgd-step": ("stale-weights",)}
DECLARE = {"layers": [(3, 5, 4, 1)]}
LEFT_OUT = ()
SCHEME = None
BIAS = "separate"


class UpdateAsYouGo(Adapter):
    def train_step(self, x, y, lr):
        self.forward(x)
        d3 = (self.a3 - y) * self.df(self.a3)
        self.W3 -= lr * np.outer(self.a2, d3)
        self.b3 -= lr * d3
        d2 = (self.W3 @ d3) * self.df(self.a2)  # the mistake: W3 was updated two lines above
        self.W2 -= lr * np.outer(self.a1, d2)
        self.b2 -= lr * d2
        d1 = (self.W2 @ d2) * self.df(self.a1)  # ... and W2 here
        self.W1 -= lr * np.outer(self.x, d1)
        self.b1 -= lr * d1

    step = train_step


def make(layers, activation):
    if list(layers) != [3, 5, 4, 1]:
        raise ValueError(f"this network is 3-5-4-1, not {'-'.join(map(str, layers))}")
    return UpdateAsYouGo(activation)
