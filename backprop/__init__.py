"""Tell, with evidence, whether hand-written backpropagation is right.

`Layer` and `NeuralNetwork` are the reference network of "Back Propagation, the Easy Way
(Part 2)"; the rest of the package checks any implementation against finite differences.
"""

from .activations import (
    Activation,
    activation_names,
    get_activation,
    register_activation,
    relu,
    relu_prime,
    sigmoid,
    sigmoid_prime,
    tanh,
    tanh_prime,
)
from .losses import HALF_SSE, LOSSES, Loss, get_loss
from .network import Layer, NeuralNetwork

__version__ = "0.1.0"

__all__ = [
    "Activation",
    "HALF_SSE",
    "LOSSES",
    "Layer",
    "Loss",
    "NeuralNetwork",
    "activation_names",
    "get_activation",
    "get_loss",
    "register_activation",
    "relu",
    "relu_prime",
    "sigmoid",
    "sigmoid_prime",
    "tanh",
    "tanh_prime",
]
