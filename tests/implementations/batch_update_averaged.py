"""update divides aᵀδ by the number of samples, so a batch moves by the mean, not the sum.

Right for one sample; only a batch shows it.
Must fail: batch-is-sum.
"""

import numpy as np

from backprop.network import Layer, NeuralNetwork

EXPECTED_FAILED = ("batch-is-sum",)
EXPECTED_KINDS = {
    "batch-is-sum": ("scaled",),
}


class MeanBatchLayer(Layer):
    def update(self, learning_rate, left_a):
        a = np.atleast_2d(left_a)
        d = np.atleast_2d(self.delta)
        self.weight -= learning_rate * a.T.dot(d) / a.shape[0]  # the mistake: a mean over the batch


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = MeanBatchLayer
    return net
