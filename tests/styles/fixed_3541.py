"""Correct: a network fixed at 3-5-4-1, written out line by line; make refuses any other architecture."""

import numpy as np

STYLE = "fixed-architecture"
PROTOCOL = "model-level"
EXPECTED_FAILED = ()
EXPECTED_KINDS = {}
DECLARE = {"layers": [(3, 5, 4, 1)]}
LEFT_OUT = ()
SCHEME = None
BIAS = "separate"


def act(name):
    return {
        "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda a: a * (1 - a)),
        "tanh": (np.tanh, lambda a: 1 - a ** 2),
        "relu": (lambda z: np.maximum(z, 0), lambda a: (a > 0).astype(float)),
    }[name]


class Net:
    """3 inputs, hidden layers of 5 and 4 units, 1 output; the derivatives are written in terms of
    each layer's output a = f(z), which is right for these three activations."""

    def __init__(self, activation="sigmoid"):
        self.f, self.df = act(activation)
        self.W1, self.b1 = np.random.randn(3, 5) * 0.5, np.zeros(5)
        self.W2, self.b2 = np.random.randn(5, 4) * 0.5, np.zeros(4)
        self.W3, self.b3 = np.random.randn(4, 1) * 0.5, np.zeros(1)

    def forward(self, x):
        self.x = x
        self.a1 = self.f(x @ self.W1 + self.b1)
        self.a2 = self.f(self.a1 @ self.W2 + self.b2)
        self.a3 = self.f(self.a2 @ self.W3 + self.b3)
        return self.a3

    def output_delta(self, y):
        return (self.a3 - y) * self.df(self.a3)

    def train_step(self, x, y, lr):
        self.forward(x)
        d3 = self.output_delta(y)
        d2 = (self.W3 @ d3) * self.df(self.a2)
        d1 = (self.W2 @ d2) * self.df(self.a1)
        self.W3 -= lr * np.outer(self.a2, d3)
        self.b3 -= lr * d3
        self.W2 -= lr * np.outer(self.a1, d2)
        self.b2 -= lr * d2
        self.W1 -= lr * np.outer(self.x, d1)
        self.b1 -= lr * d1


# --- battery adapter ---
class Adapter(Net):
    def parameters(self):
        return {k: getattr(self, k) for k in ("W1", "b1", "W2", "b2", "W3", "b3")}

    predict = Net.forward
    step = Net.train_step
# --- end adapter ---


def make(layers, activation, net=Adapter):
    if list(layers) != [3, 5, 4, 1]:
        raise ValueError(f"this network is 3-5-4-1, not {'-'.join(map(str, layers))}")
    return net(activation)
