"""A full-batch fit (as full_batch_sum.py) whose output delta is taken against the first row's target,
repeated for every row.

Must fail: fit-two-samples (wrong-target).  Rows with distinct targets show it, whichever scheme fit
follows; the battery's probe of the fit's scheme uses such rows.
"""

import numpy as np

from backprop.network import NeuralNetwork


class FullBatchFirstTarget(NeuralNetwork):
    def fit(self, X, y, learning_rate=0.1, epochs=10000):
        X = np.concatenate((np.ones((len(X), 1)), np.asarray(X, dtype=float)), axis=1)
        y = np.asarray(y, dtype=float).reshape(len(X), -1)
        for _ in range(epochs):
            a = X
            for layer in self.layers:
                a = layer.forward(a)
            delta = self.layers[-1].backward(np.repeat(y[:1], len(X), axis=0), None)  # the mistake: y[0]
            for l in range(len(self.layers) - 2, -1, -1):
                delta = self.layers[l].backward(delta, self.layers[l + 1])
            a = X
            for layer in self.layers:
                layer.update(learning_rate, a)
                a = layer.A


def make(layers, activation):
    return FullBatchFirstTarget(layers, activation)
