"""Tell, with evidence, whether hand-written backpropagation is right.

`Layer` and `NeuralNetwork` are the reference network of "Back Propagation, the Easy Way
(Part 2)"; the rest of the package checks any implementation against finite differences.
"""

from typing import TYPE_CHECKING

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

if TYPE_CHECKING:  # imported on first use at run time (see __getattr__), typed here
    from .battery.runner import check
    from .layers.runner import check_layer
    from .numerical import numerical_weight_gradients

__version__ = "0.1.0"

_LAZY = {
    "check": "backprop.battery",
    "check_layer": "backprop.layers",
    "numerical_weight_gradients": "backprop.numerical",
}


def __getattr__(name: str) -> object:
    """`check` and the checkers are imported on first use, so `import backprop` stays light."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'backprop' has no attribute {name!r}")


__all__ = [
    "Activation",
    "HALF_SSE",
    "LOSSES",
    "Layer",
    "Loss",
    "NeuralNetwork",
    "activation_names",
    "check",
    "check_layer",
    "get_activation",
    "get_loss",
    "numerical_weight_gradients",
    "register_activation",
    "relu",
    "relu_prime",
    "sigmoid",
    "sigmoid_prime",
    "tanh",
    "tanh_prime",
]
