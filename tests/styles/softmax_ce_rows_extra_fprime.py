"""The combined softmax cross-entropy delta p − y is multiplied again by p(1 − p), softmax's diagonal."""

from softmax_ce_rows import Classifier, softmax

STYLE = "softmax-rows"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient", "update-is-sgd-step")
EXPECTED_KINDS = {"weight-gradient": ("extra-fprime",)}
DECLARE = {"loss": "softmax_ce"}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


class ExtraPrime(Classifier):
    def output_delta(self, logits, Y):
        p = softmax(logits)
        return (p - Y) * p * (1 - p)  # the mistake: p − y already is ∂L/∂logits


def make(layers, activation):
    return ExtraPrime(layers, activation)
