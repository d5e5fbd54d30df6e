"""dA of the layer to the left is taken through that layer's own W (net[k - 1]), not net[k]: off by one."""

from column_full_batch import Adapter
from column_full_batch import make as make_net

STYLE = "column-matmul"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient",)
EXPECTED_KINDS = {"weight-gradient": ("wrong-upstream",)}
DECLARE = {"layers": [(4, 4, 4, 4)]}
LEFT_OUT = ()
SCHEME = "full-batch-mean"
BIAS = "separate"


def backward(net, Zs, As, Y, dg, cost_derivative, linear_backward):
    grads = [None] * len(net)
    dA = cost_derivative(As[-1], Y)
    for k in reversed(range(len(net))):
        dZ = dA * dg(Zs[k])
        _, dW, db = linear_backward(dZ, As[k], net[k][0])
        grads[k] = (dW, db)
        dA = net[k - 1][0].T @ dZ  # the mistake: net[k][0], the weights dZ came through
    return grads


class OffByOneAdapter(Adapter):
    backward = staticmethod(backward)


def make(layers, activation):
    return make_net(layers, activation, OffByOneAdapter)
