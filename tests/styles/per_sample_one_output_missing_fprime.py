"""The output delta is A − y without f'(z), at a one-output layer (the ratio looks like a constant factor)."""

from per_sample_outer import Layer, Network

STYLE = "per-sample"
PROTOCOL = "layer-level"
EXPECTED_FAILED = ("output-delta", "hidden-delta", "weight-gradient", "update-is-sgd-step",
                   "fit-one-sample", "fit-two-samples")
EXPECTED_KINDS = {"output-delta": ("missing-fprime",)}
DECLARE = {"layers": [(3, 4, 1)]}
LEFT_OUT = ()
SCHEME = "one-random-sample"
BIAS = "first"


class NoPrimeOutput(Layer):
    def backward(self, y, rightLayer):
        if self.output:
            self.delta = self.A - y  # the mistake: "* self.dZ" is missing
            return self.delta
        return super().backward(y, rightLayer)


def make(layers, activation):
    net = Network(layers, activation)
    for layer in net.layers:
        layer.__class__ = NoPrimeOutput
    return net
