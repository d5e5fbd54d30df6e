"""Shuffled mini-batches of 2 rows each epoch, each step on the batch's mean gradient (the style of
Nielsen's `update_mini_batch`).  Correct."""

import numpy as np

from backprop.network import NeuralNetwork

BATCH = 2


class MiniBatchNetwork(NeuralNetwork):
    def fit(self, X, y, learning_rate=0.1, epochs=10000):
        X = np.column_stack([np.ones(len(X)), X])
        y = np.asarray(y, dtype=float).reshape(len(X), -1)
        for _ in range(epochs):
            order = np.random.permutation(len(X))
            for start in range(0, len(X), BATCH):
                rows = order[start:start + BATCH]
                self._step(X[rows], y[rows], learning_rate / len(rows))

    def _step(self, a0, target, rate):
        a = a0
        for layer in self.layers:
            a = layer.forward(a)
        self.layers[-1].backward(target, None)
        for left, right in zip(self.layers[-2::-1], self.layers[:0:-1]):
            left.backward(right.delta, right)
        a = a0
        for layer in self.layers:
            layer.update(rate, a)
            a = layer.A


def make(layers, activation):
    return MiniBatchNetwork(layers, activation)
