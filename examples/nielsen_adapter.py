"""Expose a Nielsen-style network (`nielsen_network.py`) to the battery's model-level protocol.

The adapter translates, nothing more: the battery hands it raw 1-D samples and reads live
parameter arrays; the network wants (n, 1) columns and keeps W and b in separate lists.
Every call below goes through the network's own `feedforward`, `backprop` and
`update_mini_batch`, so it is the user's code that gets checked.

Run it:  backprop check examples/nielsen_adapter.py:make
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from backprop.activations import get_activation

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nielsen_network import Network  # noqa: E402  (a sibling script, not an installed module)


def column(values: NDArray) -> NDArray:
    return np.asarray(values, dtype=float).reshape(-1, 1)


class NielsenAdapter:
    """The model-level protocol on top of a Network: parameters are [W1, b1, W2, b2, ...]."""

    def __init__(self, network: Network) -> None:
        self.network = network

    def parameters(self) -> list[NDArray]:
        """The network's own arrays, not copies, so that writing into them changes the network.

        Each (n, 1) bias column is handed out as a 1-D view `b[:, 0]` of the same memory: the
        battery recognises 1-D parameters as biases, whose gradient is the layer's ∂L/∂z.
        """
        layers = zip(self.network.weights, self.network.biases, strict=True)
        return [p for w, b in layers for p in (w, b[:, 0])]

    def loss(self, x: NDArray, y: NDArray) -> float:
        return float(0.5 * np.sum((self.network.feedforward(column(x)) - column(y)) ** 2))

    def gradients(self, x: NDArray, y: NDArray) -> list[NDArray]:
        nabla_b, nabla_w = self.network.backprop(column(x), column(y))
        return [g for nw, nb in zip(nabla_w, nabla_b, strict=True) for g in (nw, nb[:, 0])]

    def deltas(self, x: NDArray, y: NDArray) -> list[NDArray]:
        """∂L/∂z of each layer: in this formulation it is exactly the bias gradient."""
        nabla_b, _ = self.network.backprop(column(x), column(y))
        return [nb.ravel() for nb in nabla_b]

    def step(self, x: NDArray, y: NDArray, learning_rate: float) -> None:
        self.network.update_mini_batch([(column(x), column(y))], learning_rate)

    def predict(self, x: NDArray) -> NDArray:
        return self.network.feedforward(column(x)).ravel()


def adapt(network_class: type[Network], layers: Sequence[int], activation: str) -> NielsenAdapter:
    """An adapter around network_class(layers) using the battery's activation by name."""
    chosen = get_activation(activation)
    return NielsenAdapter(network_class(layers, chosen.function, chosen.derivative, seed=0))


def make(layers: Sequence[int], activation: str) -> NielsenAdapter:
    return adapt(Network, layers, activation)
