"""The loss is mse (a mean over the outputs) but its derivative is 2(A − Y): n_outputs times too big."""

from params_dict_functional import BACKWARD, Adapter

STYLE = "params-dict"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient",)
EXPECTED_KINDS = {"weight-gradient": ("scaled",)}
DECLARE = {"loss": "mse"}
LEFT_OUT = ("relu",)
SCHEME = None
BIAS = "separate"


class MeanLossSummedGradient(Adapter):
    def cost_derivative(self, AL, Y):
        return 2 * (AL - Y)  # the mistake: the mean over the AL.shape[0] outputs is forgotten


def make(layers, activation):
    if activation not in BACKWARD:
        raise KeyError(activation)
    return MeanLossSummedGradient(layers, activation)
