"""Losses a network can be checked against, with their gradients with respect to the output.

The article never names its loss, but its output delta `(A - y) * f'(z)` is the gradient of
half the sum of squares, ½‖A − y‖², so that is the default everywhere in this package.
Each loss is a per-sample quantity; a batch (rows of a 2-D array) is the sum over its rows,
which is what makes a batch update the sum of the per-sample updates.
Every value function also accepts complex input, for the complex-step checker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray


@dataclass(frozen=True)
class Loss:
    """A loss L(output, target) summed over a batch, and its gradient ∂L/∂output.

    `per_row`, when given, is the loss of each row (one value per row, summed over the last
    axis only): it lets a checker price thousands of perturbed outputs in one call.
    """

    name: str
    description: str
    value: Callable[[NDArray, NDArray], float | complex]
    gradient: Callable[[NDArray, NDArray], NDArray]
    per_row: Callable[[NDArray, NDArray], NDArray] | None = None

    def __call__(self, output: ArrayLike, target: ArrayLike) -> float | complex:
        return self.value(np.asarray(output), np.asarray(target))

    def output_gradient(self, output: ArrayLike, target: ArrayLike) -> NDArray:
        """∂L/∂output as real floats; a TypeError naming the loss when its gradient is complex.

        Casting a complex gradient to float would keep only its real part, with a warning.
        """
        gradient = np.asarray(self.gradient(np.asarray(output), np.asarray(target)))
        if np.iscomplexobj(gradient):
            raise TypeError(f"the gradient of loss {self.name!r} returned complex values for real output; "
                            "it must return real ones")
        return gradient.astype(float)

    def rows(self, output: ArrayLike, target: ArrayLike) -> NDArray:
        """The loss of each row of `output` (the last axis is one sample's outputs)."""
        output, target = np.asarray(output), np.asarray(target)
        if self.per_row is not None:
            return np.asarray(self.per_row(output, target))
        flat = output.reshape(-1, output.shape[-1])
        targets = np.broadcast_to(target, output.shape).reshape(flat.shape)
        values = np.array([self.value(row, t) for row, t in zip(flat, targets)])
        return values.reshape(output.shape[:-1])


def _summed(rows: Callable[[NDArray, NDArray], NDArray]) -> Callable[[NDArray, NDArray], float | complex]:
    """The batch loss: the sum of the per-row losses."""
    return lambda a, y: np.sum(rows(np.atleast_1d(a), y))


def _half_sse_rows(a: NDArray, y: NDArray) -> NDArray:
    return 0.5 * np.sum((a - y) ** 2, axis=-1)


def _half_sse_gradient(a: NDArray, y: NDArray) -> NDArray:
    return np.asarray(a - y)


def _mse_rows(a: NDArray, y: NDArray) -> NDArray:
    return np.sum((a - y) ** 2, axis=-1) / np.shape(a)[-1]


def _mse_gradient(a: NDArray, y: NDArray) -> NDArray:
    width = np.shape(a)[-1] if np.ndim(a) else 1
    return np.asarray(2 * (a - y) / width)


def _binary_cross_entropy_rows(a: NDArray, y: NDArray) -> NDArray:
    return -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a), axis=-1)


def _binary_cross_entropy_gradient(a: NDArray, y: NDArray) -> NDArray:
    return np.asarray((a - y) / (a * (1 - a)))


def _log_softmax(a: NDArray) -> NDArray:
    a = np.atleast_1d(a)
    shift = np.max(a.real, axis=-1, keepdims=True)
    return a - shift - np.log(np.sum(np.exp(a - shift), axis=-1, keepdims=True))


def _softmax_cross_entropy_rows(a: NDArray, y: NDArray) -> NDArray:
    return -np.sum(y * _log_softmax(a), axis=-1)


def _softmax_cross_entropy_gradient(a: NDArray, y: NDArray) -> NDArray:
    y = np.broadcast_to(y, np.shape(np.atleast_1d(a)))
    softmax = np.exp(_log_softmax(a))
    return np.asarray(softmax * np.sum(y, axis=-1, keepdims=True) - y).reshape(np.shape(a))


HALF_SSE = Loss(
    "half_sse", "half the sum of squared errors, ½‖A − y‖² (the article's)", _summed(_half_sse_rows),
    _half_sse_gradient, _half_sse_rows,
)
MSE = Loss("mse", "mean squared error over the outputs, ‖A − y‖² / n_out", _summed(_mse_rows), _mse_gradient,
           _mse_rows)
BINARY_CROSS_ENTROPY = Loss(
    "bce",
    "binary cross-entropy on sigmoid outputs, −Σ y log A + (1 − y) log(1 − A)",
    _summed(_binary_cross_entropy_rows),
    _binary_cross_entropy_gradient,
    _binary_cross_entropy_rows,
)
SOFTMAX_CROSS_ENTROPY = Loss(
    "softmax_ce",
    "softmax cross-entropy on the raw outputs, −Σ y log softmax(A)",
    _summed(_softmax_cross_entropy_rows),
    _softmax_cross_entropy_gradient,
    _softmax_cross_entropy_rows,
)

LOSSES: dict[str, Loss] = {
    loss.name: loss for loss in (HALF_SSE, MSE, BINARY_CROSS_ENTROPY, SOFTMAX_CROSS_ENTROPY)
}


def get_loss(name: str | Loss) -> Loss:
    """The loss called `name` (or `name` itself when it already is a Loss)."""
    if isinstance(name, Loss):
        return name
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        known = ", ".join(LOSSES)
        raise ValueError(f"unknown loss {name!r}; known losses: {known}") from None
