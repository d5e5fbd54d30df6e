"""The loss adds 0.5·reg·ΣW² but the gradient adds 0.5·reg·W: the factor 2 of the square is dropped."""

from cs231n_fc_net import Adapter

STYLE = "cs231n-layers"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient", "update-is-sgd-step")
EXPECTED_KINDS = {"weight-gradient": ("regularisation",)}
DECLARE = {"l2": 0.1}
LEFT_OUT = ()
SCHEME = None
BIAS = "separate"


class Net(Adapter):
    def reg_gradient(self, W):
        return 0.5 * self.reg * W  # the mistake: d/dW of 0.5·reg·W² is reg·W


def make(layers, activation):
    return Net(layers[1:-1], layers[0], layers[-1], activation, reg=0.1)
