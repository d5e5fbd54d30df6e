"""sigmoid' is the Taylor approximation 1/4 − z²/16, right near z = 0 and wrong at order-one weights.

Must fail: activation-derivative, output-delta, weight-gradient, update-is-sgd-step.
"""

from backprop.network import NeuralNetwork


def sigmoid_prime_near_zero(z):
    return 0.25 - z**2 / 16  # the mistake: the series stops after its second term


EXPECTED_FAILED = ("activation-derivative", "output-delta", "weight-gradient", "update-is-sgd-step")
EXPECTED_KINDS = {
    "activation-derivative": ("wrong-derivative",),
    "output-delta": ("wrong-derivative",),
}


def make(layers, activation):
    net = NeuralNetwork(layers, activation)
    if activation == "sigmoid":
        for layer in net.layers:
            layer.activation_prime = sigmoid_prime_near_zero
    return net
