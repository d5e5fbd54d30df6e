"""The output's dA is written Y − A (½‖Y − A‖² differentiated with respect to Y): every sign flips."""

from column_full_batch import Adapter
from column_full_batch import make as make_net

STYLE = "column-matmul"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient", "descent")
EXPECTED_KINDS = {"weight-gradient": ("sign-flipped",)}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "full-batch-mean"
BIAS = "separate"


def cost_derivative(AL, Y):
    return Y - AL  # the mistake: AL - Y


class FlippedAdapter(Adapter):
    cost_derivative = staticmethod(cost_derivative)


def make(layers, activation):
    return make_net(layers, activation, FlippedAdapter)
