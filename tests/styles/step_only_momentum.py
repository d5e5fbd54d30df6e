"""The step is SGD with momentum (v ← 0.9·v − lr·g, W ← W + v): from the second step on it is not SGD."""

import numpy as np
from step_only_dict import Adapter

STYLE = "step-only"
PROTOCOL = "model-level"
EXPECTED_FAILED = ("update-is-sgd-step",)
EXPECTED_KINDS = {"update-is-sgd-step": ("not-sgd-step",)}
DECLARE = {}
LEFT_OUT = ()
SCHEME = None
BIAS = "separate"

MOMENTUM = 0.9


class MomentumMLP(Adapter):
    def apply(self, grads, lr):
        if not hasattr(self, "velocity"):
            self.velocity = {name: np.zeros_like(p) for name, p in self.params.items()}
        for name, g in grads.items():
            self.velocity[name] = MOMENTUM * self.velocity[name] - lr * g
            self.params[name] += self.velocity[name]


def make(layers, activation):
    return MomentumMLP(layers, activation)
