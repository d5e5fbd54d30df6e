"""Correct: CS231n-style affine_forward/affine_backward function pairs composed into a FullyConnectedNet."""

import numpy as np

STYLE = "cs231n-layers"
PROTOCOL = "model-level"
EXPECTED_FAILED = ()
EXPECTED_KINDS = {}
DECLARE = {}
LEFT_OUT = ()
SCHEME = None
BIAS = "separate"


def affine_forward(x, w, b):
    out = x.reshape(x.shape[0], -1).dot(w) + b
    cache = (x, w, b)
    return out, cache


def affine_backward(dout, cache):
    x, w, b = cache
    dx = dout.dot(w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T.dot(dout)
    db = np.sum(dout, axis=0)
    return dx, dw, db


def relu_forward(x):
    return np.maximum(0, x), x


def relu_backward(dout, cache):
    dx = dout.copy()
    dx[cache <= 0] = 0
    return dx


def sigmoid_forward(x):
    out = 1 / (1 + np.exp(-x))
    return out, out


def sigmoid_backward(dout, cache):
    out = cache
    return dout * out * (1 - out)


def tanh_forward(x):
    out = np.tanh(x)
    return out, out


def tanh_backward(dout, cache):
    return dout * (1 - cache ** 2)


NONLINEARITIES = {
    "relu": (relu_forward, relu_backward),
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "tanh": (tanh_forward, tanh_backward),
}


def l2_loss(scores, y):
    """Half the squared error, averaged over the N rows, and its gradient with respect to the scores."""
    N = scores.shape[0]
    diff = scores - y
    loss = 0.5 * np.sum(diff ** 2) / N
    dscores = diff / N
    return loss, dscores


def sgd(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    w -= config["learning_rate"] * dw
    return w, config


class FullyConnectedNet:
    """{affine - nonlinearity} x (L - 1) - affine - l2 loss; the nonlinearity is one of NONLINEARITIES."""

    nonlinearities = NONLINEARITIES
    affine_backward = staticmethod(affine_backward)
    loss_function = staticmethod(l2_loss)

    def __init__(self, hidden_dims, input_dim, num_classes, nonlinearity="relu", reg=0.0, weight_scale=0.5):
        self.reg = reg
        self.num_layers = 1 + len(hidden_dims)
        self.nonlinearity = nonlinearity
        self.params = {}
        dims = [input_dim] + list(hidden_dims) + [num_classes]
        for i in range(self.num_layers):
            self.params[f"W{i + 1}"] = weight_scale * np.random.randn(dims[i], dims[i + 1])
            self.params[f"b{i + 1}"] = np.zeros(dims[i + 1])

    def loss(self, X, y=None):
        act_forward, act_backward = self.nonlinearities[self.nonlinearity]
        caches = []
        out = X
        for i in range(1, self.num_layers):
            out, fc_cache = affine_forward(out, self.params[f"W{i}"], self.params[f"b{i}"])
            out, act_cache = act_forward(out)
            caches.append((fc_cache, act_cache))
        L = self.num_layers
        scores, last_cache = affine_forward(out, self.params[f"W{L}"], self.params[f"b{L}"])
        if y is None:
            return scores

        loss, dscores = self.loss_function(scores, y)
        grads = {}
        for i in range(1, L + 1):
            loss += 0.5 * self.reg * np.sum(self.params[f"W{i}"] ** 2)
        dout, grads[f"W{L}"], grads[f"b{L}"] = self.affine_backward(dscores, last_cache)
        for i in range(L - 1, 0, -1):
            fc_cache, act_cache = caches[i - 1]
            dout = act_backward(dout, act_cache)
            dout, grads[f"W{i}"], grads[f"b{i}"] = self.affine_backward(dout, fc_cache)
        for i in range(1, L + 1):
            grads[f"W{i}"] += self.reg_gradient(self.params[f"W{i}"])
        return loss, grads

    def reg_gradient(self, W):
        return self.reg * W


# --- battery adapter ---
class Adapter(FullyConnectedNet):
    reduction = "mean"
    update_rule = staticmethod(sgd)

    def parameters(self):
        return self.params

    def predict(self, x):
        return self.loss(np.atleast_2d(x))[0]

    def gradients(self, x, y):
        return self.loss(np.atleast_2d(x), np.atleast_2d(y))[1]

    def step(self, x, y, learning_rate):
        grads = self.gradients(x, y)
        for p, w in self.params.items():
            self.update_rule(w, grads[p], {"learning_rate": learning_rate})
# --- end adapter ---


def make(layers, activation, net=Adapter, reg=0.0):
    return net(layers[1:-1], layers[0], layers[-1], activation, reg=reg)
