"""Correct: a network written for MNIST, 784-64-10 with softmax cross-entropy; make ignores `layers`."""

import numpy as np

STYLE = "fixed-architecture"
PROTOCOL = "model-level"
EXPECTED_FAILED = ()
EXPECTED_KINDS = {}
DECLARE = {"layers": [(784, 64, 10)], "loss": "softmax_ce"}
LEFT_OUT = ()
SCHEME = None
BIAS = "separate"

ACTIVATIONS = {
    "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(z.dtype)),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "sigmoid": (lambda z: 0.5 + 0.5 * np.tanh(z / 2), lambda z: 0.25 / np.cosh(z / 2) ** 2),
}


def softmax(logits):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


class MNISTNet:
    def __init__(self, activation="relu"):
        self.f, self.df = ACTIVATIONS[activation]
        self.W1 = np.random.randn(784, 64) * np.sqrt(2 / 784)
        self.b1 = np.zeros(64)
        self.W2 = np.random.randn(64, 10) * np.sqrt(2 / 64)
        self.b2 = np.zeros(10)

    def logits(self, x):
        self.x = x
        self.z1 = x @ self.W1 + self.b1
        self.h = self.f(self.z1)
        return self.h @ self.W2 + self.b2

    def backward(self, x, y_onehot):
        probs = softmax(self.logits(x))
        dlogits = self.output_delta(probs, y_onehot)
        dh = dlogits @ self.W2.T * self.df(self.z1)
        return {"W1": np.outer(x, dh), "b1": dh, "W2": np.outer(self.h, dlogits), "b2": dlogits}

    def output_delta(self, probs, y_onehot):
        return probs * y_onehot.sum() - y_onehot


# --- battery adapter ---
class Adapter(MNISTNet):
    def parameters(self):
        return {"W1": self.W1, "b1": self.b1, "W2": self.W2, "b2": self.b2}

    predict = MNISTNet.logits
    gradients = MNISTNet.backward
# --- end adapter ---


def make(layers, activation, net=Adapter):
    return net(activation)
