"""update_mini_batch steps with the learning rate given at construction, not eta."""

import numpy as np
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
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        for w, nw in zip(self.weights, nabla_w):
            w -= (self.eta / len(mini_batch)) * nw  # the mistake: self.eta, not eta
        for b, nb in zip(self.biases, nabla_b):
            b -= (self.eta / len(mini_batch)) * nb


def make(layers, activation):
    return FixedRate(layers, activation)
