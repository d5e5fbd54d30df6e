"""fit draws a random row, as the article does, but always trains it on the first row's target.

Must fail: fit-two-samples (wrong-target).  One row, or two identical rows, cannot show it: only
distinct rows with distinct targets do, which the battery's probe of the fit's scheme uses.
"""

import numpy as np

from backprop.network import NeuralNetwork


class FirstTargetNetwork(NeuralNetwork):
    def fit(self, X, y, learning_rate=0.1, epochs=10000):
        X = np.concatenate((np.ones((len(X), 1)), X), axis=1)
        for _ in range(epochs):
            i = np.random.randint(len(X))
            a = X[i]
            for layer in self.layers:
                a = layer.forward(a)
            delta = self.layers[-1].backward(y[0], None)  # the mistake: y[0] where y[i] belongs
            for l in range(len(self.layers) - 2, -1, -1):
                delta = self.layers[l].backward(delta, self.layers[l + 1])
            a = X[i]
            for layer in self.layers:
                layer.update(learning_rate, a)
                a = layer.A


def make(layers, activation):
    return FirstTargetNetwork(layers, activation)
