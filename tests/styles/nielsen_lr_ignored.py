"""update_mini_batch steps with the learning rate given at construction, not eta."""

from nielsen_column import Adapter

STYLE = "nielsen-column"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("update-is-sgd-step",)
EXPECTED_KINDS = {"update-is-sgd-step": ("learning-rate-ignored",)}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


class FixedRate(Adapter):
    eta = 3.0

    def update_mini_batch(self, mini_batch, eta):
        super().update_mini_batch(mini_batch, self.eta)  # the mistake: self.eta, not eta


def make(layers, activation):
    return FixedRate(layers, activation)
