"""Correct: a full-batch fit that averages, every epoch one step on the mean over all rows."""

from full_batch_sum_fit import FullBatchNetwork

STYLE = "full-batch"
PROTOCOL = "layer-level"
EXPECTED_FAILED = ()
EXPECTED_KINDS = {}
DECLARE = {}
LEFT_OUT = ("no hidden layer",)
SCHEME = "full-batch-mean"
BIAS = "first"


class AveragingNetwork(FullBatchNetwork):
    def rate(self, learning_rate, X):
        return learning_rate / X.shape[0]


def make(layers, activation):
    return AveragingNetwork(layers, activation)
