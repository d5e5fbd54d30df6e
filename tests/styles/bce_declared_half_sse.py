"""Correct cross-entropy network checked under the default half-SSE: right under --loss bce, not half_sse."""

from rows_bce_sigmoid import CrossEntropyMLP

STYLE = "rows-separate-bias"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient", "update-is-sgd-step")
EXPECTED_KINDS = {"weight-gradient": ("loss-mismatch",)}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"
MATCHES = "bce"
"""The loss whose gradient this network computes exactly."""


def make(layers, activation):
    return CrossEntropyMLP(layers, activation, output_activation="sigmoid")
