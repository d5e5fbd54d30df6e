"""The step applies CS231n's adam rule, not sgd: with a fresh config each step is lr·g/(|g| + ε)."""

import numpy as np
from cs231n_fc_net import Adapter

STYLE = "cs231n-layers"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("update-is-sgd-step",)
EXPECTED_KINDS = {"update-is-sgd-step": ("not-sgd-step",)}
DECLARE = {}
LEFT_OUT = ()
SCHEME = None
BIAS = "separate"


def adam(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("m", np.zeros_like(w))
    config.setdefault("v", np.zeros_like(w))
    config.setdefault("t", 0)
    config["t"] += 1
    config["m"] = config["beta1"] * config["m"] + (1 - config["beta1"]) * dw
    config["v"] = config["beta2"] * config["v"] + (1 - config["beta2"]) * dw ** 2
    m_hat = config["m"] / (1 - config["beta1"] ** config["t"])
    v_hat = config["v"] / (1 - config["beta2"] ** config["t"])
    w -= config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
    return w, config


class Net(Adapter):
    update_rule = staticmethod(adam)  # the mistake: the step is meant to be plain SGD


def make(layers, activation):
    return Net(layers[1:-1], layers[0], layers[-1], activation)
