"""The networks and samples the battery tries, drawn by hypothesis so that a failure shrinks.

A case holds the architecture and a seed, not the weights themselves: the weights' shapes are
the implementation's business (the reference network gives each hidden layer an extra unit),
so they are drawn from the seed once the network exists.  Everything is drawn in the order
the shrinker should simplify it: fewer hidden layers first, then narrower layers, then fewer
outputs, so a failure ends on the smallest network that still shows it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import strategies as st
from numpy.typing import NDArray

from ..activations import activation_names
from ..losses import Loss
from .space import Space

SCALES = (1.0, 0.1)
"""Weights and inputs of order one, and small ones (where saturation and cancellation differ)."""
SHRINK_ORDER = ("tanh", "sigmoid", "relu")
"""Activations in the order failures shrink toward: smooth ones first, relu (whose dead units
hide mistakes behind zeros) last."""
LEARNING_RATES = (0.1, 0.01, 0.3)
"""Realistic rates; none is 0.5 or 2, so a factor of the rate is not mistaken for a factor 2."""


@dataclass(frozen=True)
class Case:
    """One network architecture, activation, sample and learning rate, reproducible from `seed`."""

    layers: tuple[int, ...]
    activation: str
    learning_rate: float
    scale: float
    seed: int
    x: NDArray = field(compare=False)
    y: NDArray = field(compare=False)

    @property
    def n_hidden(self) -> int:
        return len(self.layers) - 2

    @property
    def n_outputs(self) -> int:
        return self.layers[-1]

    def rng(self, stream: int = 0) -> np.random.Generator:
        """A generator for the weights (stream 0) or extra samples (stream 1) of this case."""
        return np.random.default_rng([self.seed, stream])

    def random_weights(self, shapes: Sequence[tuple[int, ...]]) -> list[NDArray]:
        """Uniform weights in [−scale, scale], one array per shape, reproducible from the seed."""
        rng = self.rng(0)
        return [rng.uniform(-self.scale, self.scale, shape) for shape in shapes]

    def extra_samples(self, loss: Loss, count: int) -> tuple[NDArray, NDArray]:
        """More samples (rows) like x and y, for the batch and determinism checks."""
        rng = self.rng(1)
        xs = rng.uniform(-self.scale, self.scale, (count, self.layers[0]))
        ys = np.stack([_target(rng, loss, self.n_outputs) for _ in range(count)])
        return xs, ys

    def integer_x(self) -> NDArray:
        """Another input like x, of integers from −2 to 2 (as XOR's inputs are written), held as floats."""
        return self.rng(3).integers(-2, 3, self.layers[0]).astype(float)

    def to_json(self, weights: Sequence[NDArray] | None = None) -> dict[str, Any]:
        """The case as JSON-able data (with the weights the network was given, when known)."""
        data: dict[str, Any] = {
            "layers": list(self.layers),
            "activation": self.activation,
            "x": self.x.tolist(),
            "y": self.y.tolist(),
            "learning_rate": self.learning_rate,
            "scale": self.scale,
            "seed": self.seed,
        }
        if weights is not None:
            data["weights"] = [np.asarray(w).tolist() for w in weights]
        return data

    def describe(self) -> str:
        """One line: layers, activation, x, y (the weights are in the JSON report)."""
        return (
            f"layers {list(self.layers)}, {self.activation}, x = {_short(self.x)}, "
            f"y = {_short(self.y)}, learning rate {self.learning_rate:g}"
        )


def _short(values: NDArray) -> str:
    return np.array2string(np.asarray(values), precision=4, separator=", ", suppress_small=False)


def _target(rng: np.random.Generator, loss: Loss, n_outputs: int) -> NDArray:
    """A target the loss makes sense for: one-hot for softmax, in [0, 1] for BCE, else in [−1, 1]."""
    if loss.name == "softmax_ce":
        target = np.zeros(n_outputs)
        target[rng.integers(n_outputs)] = 1.0
        return target
    if loss.name == "bce":
        return rng.uniform(0.05, 0.95, n_outputs)
    return rng.uniform(-1.0, 1.0, n_outputs)


def activations_for(loss: Loss) -> list[str]:
    """Binary cross-entropy is defined on sigmoid outputs only; the other losses take any activation."""
    if loss.name == "bce":
        return ["sigmoid"]
    preferred = [name for name in SHRINK_ORDER if name in activation_names()]
    return preferred + [name for name in activation_names() if name not in preferred]


def default_case(loss: Loss, activation: str | None = None) -> Case:
    """A small fixed case ([2, 2, 1] or [2, 2, 2]) for plots and examples when nothing failed."""
    activation = activation or activations_for(loss)[0]
    outputs = 2 if loss.name == "softmax_ce" else 1
    return make_case((2, 2, outputs), activation, 0.1, 1.0, 0, loss)


def make_case(
    layers: Sequence[int], activation: str, learning_rate: float, scale: float, seed: int, loss: Loss
) -> Case:
    """The case with these settings, its sample drawn from the seed."""
    rng = np.random.default_rng([seed, 2])
    x = rng.uniform(-scale, scale, layers[0])
    y = _target(rng, loss, layers[-1])
    return Case(
        tuple(int(n) for n in layers), activation, float(learning_rate), float(scale), int(seed), x, y
    )


def cases(
    loss: Loss, activations: Sequence[str] | None = None, space: Space | None = None
) -> st.SearchStrategy[Case]:
    """Cases drawn from the space (by default: 0 to 3 hidden layers, widths 1 to 8, 1 to 4 outputs, every
    activation), fixed architectures drawn as they are."""
    if space is None:
        chosen = tuple(activations) if activations is not None else tuple(activations_for(loss))
        space = Space(activations=chosen, min_outputs=2 if loss.name == "softmax_ce" else 1)
    names = list(space.activations)

    @st.composite
    def draw_case(draw: st.DrawFn) -> Case:
        if space.fixed:
            layers: tuple[int, ...] = draw(st.sampled_from(space.fixed))
        else:
            n_hidden = draw(st.sampled_from(space.depths))
            n_inputs = draw(st.integers(1, space.max_width))
            hidden = [draw(st.integers(1, space.max_width)) for _ in range(n_hidden)]
            n_outputs = draw(st.integers(space.min_outputs, space.max_outputs))
            layers = (n_inputs, *hidden, n_outputs)
        activation = draw(st.sampled_from(names))
        scale = draw(st.sampled_from(SCALES))
        learning_rate = draw(st.sampled_from(LEARNING_RATES))
        seed = draw(st.integers(0, 2**32 - 1))
        return make_case(layers, activation, learning_rate, scale, seed, loss)

    return draw_case()
