"""The MNIST network multiplies softmax cross-entropy's p − y by p(1 − p), softmax's diagonal derivative."""

from mnist_784_64_10 import Adapter
from mnist_784_64_10 import make as make_net

STYLE = "fixed-architecture"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient",)
EXPECTED_KINDS = {"weight-gradient": ("extra-fprime",)}
DECLARE = {"layers": [(784, 64, 10)], "loss": "softmax_ce"}
LEFT_OUT = ()
SCHEME = None
BIAS = "separate"


class ExtraSoftmaxPrime(Adapter):
    def output_delta(self, probs, y_onehot):
        # the mistake: p − y already is ∂L/∂logits
        return super().output_delta(probs, y_onehot) * probs * (1 - probs)


def make(layers, activation):
    return make_net(layers, activation, ExtraSoftmaxPrime)
