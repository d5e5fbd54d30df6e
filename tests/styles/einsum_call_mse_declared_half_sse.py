"""The loss is mse, 2(out − y)/n_outputs, but the network is checked under the default half-SSE."""

from einsum_call import Model

STYLE = "einsum-call"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient", "update-is-sgd-step")
EXPECTED_KINDS = {"weight-gradient": ("loss-mismatch",)}
DECLARE = {"layers": [(3, 4, 3)]}
LEFT_OUT = ()
SCHEME = None
BIAS = "separate"
MATCHES = "mse"
"""The loss whose gradient this network computes exactly."""


class MSEModel(Model):
    def loss_grad(self, out, y):
        return 2 * (out - y) / out.shape[1]  # right for mse; the declaration (half-SSE) is the mistake


def make(layers, activation):
    return MSEModel(layers, activation)
