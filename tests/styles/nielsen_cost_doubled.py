"""cost_derivative returns 2(a − y), the derivative of ‖a − y‖², for the ½‖a − y‖² cost."""

from nielsen_column import Adapter

STYLE = "nielsen-column"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient", "update-is-sgd-step")
EXPECTED_KINDS = {"weight-gradient": ("scaled",)}
DECLARE = {}
LEFT_OUT = ()
SCHEME = "mini-batch"
BIAS = "separate"


class DoubledCost(Adapter):
    def cost_derivative(self, output_activations, y):
        return 2 * (output_activations - y)  # the mistake: the ½ of the cost is forgotten


def make(layers, activation):
    return DoubledCost(layers, activation)
