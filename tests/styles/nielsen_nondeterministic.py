"""The weights come from an unseeded np.random.default_rng(), not the global np.random."""

import numpy as np
from nielsen_column import Adapter

STYLE = "nielsen-column"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("deterministic",)
EXPECTED_KINDS = {"deterministic": ("nondeterministic",)}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


class FreshGenerator(Adapter):
    def __init__(self, sizes, activation="sigmoid"):
        super().__init__(sizes, activation)
        rng = np.random.default_rng()  # the mistake: np.random.seed does not reach it
        self.biases = [rng.standard_normal((y, 1)) for y in sizes[1:]]
        self.weights = [rng.standard_normal((y, x)) for x, y in zip(sizes[:-1], sizes[1:])]


def make(layers, activation):
    return FreshGenerator(layers, activation)
