"""TwoLayerNet (exactly one hidden layer) whose output error is y − out: the bug must still be found."""

import numpy as np
from two_layer_net import TwoLayerNet


class Flipped(TwoLayerNet):
    def gradients(self, x, y):
        p = self.params
        out = self.forward(x)
        dout = y - out  # the mistake
        dh = (dout @ p["W2"].T) * (1 - self.h**2)
        return {"W1": np.outer(x, dh), "b1": dh, "W2": np.outer(self.h, dout), "b2": dout}


def make(layers, activation):
    if len(layers) != 3 or activation != "tanh":
        raise ValueError("TwoLayerNet: one hidden layer, tanh")
    return Flipped(*layers)
