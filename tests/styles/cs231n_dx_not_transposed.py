"""affine_backward returns dout.dot(w) where dout.dot(w.T) belongs (square layers, so the shapes agree)."""

from cs231n_fc_net import Adapter

STYLE = "cs231n-layers"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("weight-gradient", "update-is-sgd-step")
EXPECTED_KINDS = {"weight-gradient": ("transposed",)}
DECLARE = {"layers": [(4, 4, 4, 4)]}
LEFT_OUT = ()
SCHEME = None
BIAS = "separate"


def affine_backward(dout, cache):
    x, w, b = cache
    dx = dout.dot(w).reshape(x.shape)  # the mistake: w, not w.T
    dw = x.reshape(x.shape[0], -1).T.dot(dout)
    db = dout.sum(axis=0)
    return dx, dw, db


class Net(Adapter):
    affine_backward = staticmethod(affine_backward)


def make(layers, activation):
    return Net(layers[1:-1], layers[0], layers[-1], activation)
