"""Expose a Nielsen-style network (`nielsen_network.py`) to the battery's model-level protocol.

The adapter translates, nothing more: the battery hands it raw 1-D samples and reads the live
parameter arrays; the network wants (n, 1) columns.  Its own `feedforward`, `backprop` and
`update_mini_batch` do the work, so it is the user's code that gets checked: the gradient is
derived from the step, and the loss from `predict`.

Run it:  backprop check examples/nielsen_adapter.py:make
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from backprop.activations import get_activation

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nielsen_network import Network  # noqa: E402  (a sibling script, not an installed module)


def column(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=float).reshape(-1, 1)


class NielsenAdapter:
    def __init__(self, network: Network) -> None:
        self.network = network

    def parameters(self) -> dict[str, np.ndarray]:
        """W1, b1, W2, ...: the network's own arrays, each (n, 1) bias as the 1-D view b[:, 0]."""
        pairs = enumerate(zip(self.network.weights, self.network.biases, strict=True), 1)
        return {name: p for i, (w, b) in pairs for name, p in ((f"W{i}", w), (f"b{i}", b[:, 0]))}

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.network.feedforward(column(x)).ravel()

    def step(self, x: np.ndarray, y: np.ndarray, learning_rate: float) -> None:
        self.network.update_mini_batch([(column(x), column(y))], learning_rate)

    def deltas(self, x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
        """∂L/∂z of each layer, which in this formulation is the bias gradient."""
        return [nb.ravel() for nb in self.network.backprop(column(x), column(y))[0]]


def adapt(network_class: type[Network], layers: list[int], activation: str) -> NielsenAdapter:
    chosen = get_activation(activation)
    return NielsenAdapter(network_class(layers, chosen.function, chosen.derivative, seed=0))


def make(layers: list[int], activation: str) -> NielsenAdapter:
    return adapt(Network, layers, activation)
