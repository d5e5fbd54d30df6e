"""A full-batch fit meant to average divides the delta backward returns, which no layer reads: it sums."""

from full_batch_sum_fit import FullBatchNetwork

STYLE = "full-batch"
PROTOCOL = "layer-level"
EXPECTED_FAILED = ("fit-two-samples",)
EXPECTED_KINDS = {"fit-two-samples": ("fit-scheme",)}
DECLARE = {"scheme": "full-batch-mean"}
LEFT_OUT = ("no hidden layer",)
SCHEME = "full-batch-mean"
BIAS = "first"


class MeanOfReturnedDelta(FullBatchNetwork):
    def output_backward(self, y):
        # the mistake: the mean of the returned delta; the hidden layers read rightLayer.delta
        return self.layers[-1].backward(y, None) / len(y)


def make(layers, activation):
    return MeanOfReturnedDelta(layers, activation)
