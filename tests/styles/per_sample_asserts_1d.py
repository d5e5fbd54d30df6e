"""Correct: per-sample code whose forward asserts it is given one sample (x.ndim == 1)."""

from per_sample_outer import Layer, Network

STYLE = "per-sample"
PROTOCOL = "layer-level"
EXPECTED_FAILED = ()
EXPECTED_KINDS = {}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "one-random-sample"
BIAS = "first"


class OneSampleLayer(Layer):
    def forward(self, x):
        assert x.ndim == 1, "one sample at a time"
        return super().forward(x)


def make(layers, activation):
    net = Network(layers, activation)
    for layer in net.layers:
        layer.__class__ = OneSampleLayer
    return net
