"""fit appends the constant 1 after the inputs, but predict puts it in front."""

import numpy as np
from bias_last import NeuralNetwork

STYLE = "bias-last"
PROTOCOL = "layer-level"
EXPECTED_FAILED = ("predict-is-forward",)
EXPECTED_KINDS = {"predict-is-forward": ("bias-layout",)}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "one-random-sample"
BIAS = "last"


class FrontBiasPredict(NeuralNetwork):
    def predict(self, x):
        a = np.concatenate(([1.0], x))  # the mistake: fit's layout is [x, 1]
        for layer in self.layers:
            a = layer.forward(a)
        return a


def make(layers, activation):
    return FrontBiasPredict(layers, activation)
