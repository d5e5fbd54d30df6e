"""fit backpropagates every sampled row against the first row's target, y[0] where y[i] belongs."""

import numpy as np
from article_as_published import NeuralNetwork

STYLE = "article-as-published"
PROTOCOL = "layer-level"
EXPECTED_FAILED = ("fit-two-samples",)
EXPECTED_KINDS = {"fit-two-samples": ("wrong-target",)}
DECLARE = {}
LEFT_OUT = ("no hidden layer",)
SCHEME = "one-random-sample"
BIAS = "first"


class FirstTargetNetwork(NeuralNetwork):
    def fit(self, X, y, learning_rate=0.1, epochs=10000):
        ones = np.atleast_2d(np.ones(X.shape[0]))
        X = np.concatenate((ones.T, X), axis=1)
        for _ in range(epochs):
            i = np.random.randint(X.shape[0])
            a = X[i]
            for layer in self.layers:
                a = layer.forward(a)
            delta = self.layers[-1].backward(y[0], None)  # the mistake: y[0], not y[i]
            for l in range(len(self.layers) - 2, -1, -1):
                delta = self.layers[l].backward(delta, self.layers[l + 1])
            a = X[i]
            for layer in self.layers:
                layer.update(learning_rate, a)
                a = layer.A


def make(layers, activation):
    return FirstTargetNetwork(layers, activation)
