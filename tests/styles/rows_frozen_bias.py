"""step updates the weights but never the biases."""

from rows_separate_bias import MLP

STYLE = "rows-separate-bias"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("update-is-sgd-step",)
EXPECTED_KINDS = {"update-is-sgd-step": ("frozen",)}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


class FrozenBias(MLP):
    def step(self, x, y, learning_rate):
        grads = self.gradients(x, y)
        for W, dW in zip(self.W, grads[0::2]):  # the mistake: the biases are left out
            W -= learning_rate * dW


def make(layers, activation):
    return FrozenBias(layers, activation)
