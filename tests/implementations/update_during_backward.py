"""fit updates each layer right after its backward: the layer to its left backpropagates through new weights.

Visible only with a hidden layer and a learning rate large enough to move the weights.
Must fail: fit-one-sample, fit-two-samples.
"""

import numpy as np

from backprop.network import NeuralNetwork

EXPECTED_FAILED = ("fit-one-sample", "fit-two-samples")
EXPECTED_KINDS = {
    "fit-one-sample": ("stale-weights",),
}


class EagerUpdateNetwork(NeuralNetwork):
    def fit(self, X, y, learning_rate=0.1, epochs=10000):
        X, y = self._training_data(X, y)
        X = np.concatenate((np.ones((X.shape[0], 1)), X), axis=1)
        for _ in range(epochs):
            i = np.random.randint(X.shape[0])
            inputs = [X[i]]
            for layer in self.layers:
                inputs.append(layer.forward(inputs[-1]))
            delta = self.layers[-1].backward(y[i], None)
            self.layers[-1].update(learning_rate, inputs[-2])
            for l in range(len(self.layers) - 2, -1, -1):
                delta = self.layers[l].backward(delta, self.layers[l + 1])  # the mistake: layer l + 1
                self.layers[l].update(learning_rate, inputs[l])  # was already updated above


def make(layers, activation):
    return EagerUpdateNetwork(layers, activation)
