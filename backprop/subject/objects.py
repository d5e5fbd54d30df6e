"""Networks of layer objects, as tutorials have people write them, driven as their own code drives them.

Two styles are recognised, from the methods the objects have:

- nnfs (*Neural Networks from Scratch*): `forward(inputs)` sets `output`, `backward(dvalues)` sets
  `dinputs`, and a dense layer holds `weights`, `biases` and, after backward, `dweights`, `dbiases`;
- Medium (the popular tutorial): `forward_propagation(x)` returns the output,
  `backward_propagation(output_error, learning_rate)` updates the layer in place and returns the
  input error; a dense layer holds `weights` and `bias`.

`make` may return the list of layer objects, or an object whose `layers` is one. The list is
presented to the judge as a model-level network: named parameters (W1, b1, W2, ...), `predict`,
and `gradients` (nnfs: read from dweights and dbiases after one backward pass) or `step` (Medium:
what backward_propagation does). The upstream gradient that starts the backward pass is the
declared loss's ∂L/∂A of the output, as the tutorials' own training loops compute it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

NNFS, MEDIUM = "nnfs", "medium"
PARAMETERS = {NNFS: ("weights", "biases"), MEDIUM: ("weights", "bias")}
GRADIENTS = {NNFS: ("dweights", "dbiases")}


def layer_objects(network: Any) -> tuple[str, list[Any]] | None:
    """(style, the layer objects) when the network is a list of layer objects of a known style."""
    items = network if isinstance(network, (list, tuple)) else getattr(network, "layers", None)
    if not isinstance(items, (list, tuple)) or not items:
        return None
    items = list(items)
    if all(_has(item, "forward_propagation", "backward_propagation") for item in items):
        style = MEDIUM
    elif all(_has(item, "forward", "backward") for item in items) and not any(
        hasattr(item, "weight") for item in items
    ):
        style = NNFS
    else:
        return None
    if not any(isinstance(getattr(item, "weights", None), np.ndarray) for item in items):
        return None
    return style, items


def _has(item: Any, *names: str) -> bool:
    return all(callable(getattr(item, name, None)) for name in names)


class LayerObjectsModel:
    """A list of layer objects as a model-level network (see the module's docstring)."""

    reduction = "sum"

    def __init__(self, style: str, items: Sequence[Any], loss: str) -> None:
        from ..losses import get_loss

        self.style = style
        self.items = list(items)
        self._loss = get_loss(loss)
        self.dense = [item for item in self.items if isinstance(getattr(item, "weights", None), np.ndarray)]
        if style == MEDIUM:
            self.step = self._step
        else:
            self.gradients = self._gradients

    def parameters(self) -> dict[str, np.ndarray]:
        weights, biases = PARAMETERS[self.style]
        found: dict[str, np.ndarray] = {}
        for number, layer in enumerate(self.dense, 1):
            found[f"W{number}"] = getattr(layer, weights)
            bias = getattr(layer, biases, None)
            if isinstance(bias, np.ndarray):
                found[f"b{number}"] = bias
        return found

    def predict(self, x: Any) -> np.ndarray:
        return np.ravel(self._forward(x))

    def _forward(self, x: Any) -> np.ndarray:
        a = np.atleast_2d(np.asarray(x, dtype=float))
        for item in self.items:
            if self.style == MEDIUM:
                a = item.forward_propagation(a)
            else:
                item.forward(a)
                a = item.output
        return np.asarray(a)

    def _upstream(self, x: Any, y: Any) -> np.ndarray:
        out = self._forward(x)
        return self._loss.output_gradient(np.ravel(out), np.ravel(y)).reshape(out.shape)

    def _gradients(self, x: Any, y: Any) -> dict[str, Any]:
        d = self._upstream(x, y)
        for item in reversed(self.items):
            item.backward(d)
            d = item.dinputs
        weights, biases = GRADIENTS[NNFS]
        found: dict[str, Any] = {}
        names = list(self.parameters())
        for number, layer in enumerate(self.dense, 1):
            found[f"W{number}"] = getattr(layer, weights, None)
            if f"b{number}" in names:
                found[f"b{number}"] = getattr(layer, biases, None)
        return found

    def _step(self, x: Any, y: Any, learning_rate: float) -> None:
        error = self._upstream(x, y)
        for item in reversed(self.items):
            error = item.backward_propagation(error, learning_rate)
