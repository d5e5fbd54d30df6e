"""A full-batch fit meant to average divides the delta backward returns, which no layer reads: it sums."""

import numpy as np
from full_batch_sum_fit import FullBatchNetwork

STYLE = "full-batch"
PROTOCOL = "layer-level"
EXPECTED_FAILED = ("fit-two-samples",)
EXPECTED_KINDS = {"fit-two-samples": ("scaled",)}
DECLARE = {}
LEFT_OUT = ("no hidden layer",)
SCHEME = "full-batch-mean"
BIAS = "first"


class MeanOfReturnedDelta(FullBatchNetwork):
    def fit(self, X, y, learning_rate=0.1, epochs=10000):
        X = np.concatenate((np.ones((X.shape[0], 1)), X), axis=1)
        y = np.asarray(y, dtype=float).reshape(X.shape[0], -1)
        for _ in range(epochs):
            a = X
            for layer in self.layers:
                a = layer.forward(a)
            # the mistake: the mean of the returned delta; the hidden layers read rightLayer.delta
            delta = self.layers[-1].backward(y, None) / X.shape[0]
            for l in range(len(self.layers) - 2, -1, -1):
                delta = self.layers[l].backward(delta, self.layers[l + 1])
            a = X
            for layer in self.layers:
                layer.update(learning_rate, a)
                a = layer.A


def make(layers, activation):
    return MeanOfReturnedDelta(layers, activation)
