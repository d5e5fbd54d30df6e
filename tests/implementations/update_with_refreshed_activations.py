"""fit recomputes each layer's output after updating it, so the next layer updates with a post-update A.

Visible only with a hidden layer and a learning rate large enough to move the weights.
Must fail: fit-one-sample, fit-two-samples.
"""

import numpy as np

from backprop.network import NeuralNetwork

EXPECTED_FAILED = ("fit-one-sample", "fit-two-samples")
EXPECTED_KINDS = {
    "fit-one-sample": ("wrong-left-activation",),
}


class RefreshingNetwork(NeuralNetwork):
    def fit(self, X, y, learning_rate=0.1, epochs=10000):
        X, y = self._training_data(X, y)
        X = np.concatenate((np.ones((X.shape[0], 1)), X), axis=1)
        for _ in range(epochs):
            i = np.random.randint(X.shape[0])
            a = X[i]
            for layer in self.layers:
                a = layer.forward(a)
            delta = self.layers[-1].backward(y[i], None)
            for l in range(len(self.layers) - 2, -1, -1):
                delta = self.layers[l].backward(delta, self.layers[l + 1])
            a = X[i]
            for layer in self.layers:
                layer.update(learning_rate, a)
                a = layer.forward(a)  # the mistake: the step needs the A of the forward pass


def make(layers, activation):
    return RefreshingNetwork(layers, activation)
