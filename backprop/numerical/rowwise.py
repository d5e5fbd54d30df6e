"""One loss value per row of a batch of outputs, so thousands of perturbed outputs cost one call.

A Loss's `value` sums over the whole batch; the built-in losses have a row-wise form here
(checked against `value` on the first row).  Any other loss is called row by row.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from ..losses import BINARY_CROSS_ENTROPY, HALF_SSE, MSE, SOFTMAX_CROSS_ENTROPY, Loss


def _log_softmax(a: NDArray) -> NDArray:
    shift = np.max(a.real, axis=-1, keepdims=True)
    return a - shift - np.log(np.sum(np.exp(a - shift), axis=-1, keepdims=True))


def _sum_of_squares(a: NDArray, y: NDArray) -> NDArray:
    """Σ (a − y)² over the last axis, computed in a's own storage (no squared copy); a is overwritten."""
    difference = np.subtract(a, y, out=a) if a.dtype == np.result_type(a, y) else a - y
    return np.einsum("...k,...k->...", difference, difference)


_ROWWISE: dict[int, Callable[[NDArray, NDArray], NDArray]] = {
    id(HALF_SSE): lambda a, y: 0.5 * _sum_of_squares(a, y),
    id(MSE): lambda a, y: _sum_of_squares(a, y) / a.shape[-1],
    id(BINARY_CROSS_ENTROPY): lambda a, y: -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a), axis=-1),
    id(SOFTMAX_CROSS_ENTROPY): lambda a, y: -np.sum(y * _log_softmax(a), axis=-1),
}


def rowwise_loss(loss: Loss) -> Callable[[NDArray, NDArray], NDArray]:
    """loss(rows, y) -> one value per row (over the last axis), vectorised when the loss is built in.

    The rows are scratch: the returned function may overwrite them.
    """
    known = _ROWWISE.get(id(loss))
    if known is not None:
        return known

    def by_row(a: NDArray, y: NDArray) -> NDArray:
        flat = a.reshape(-1, a.shape[-1])
        values = np.array([loss.value(row, y) for row in flat])
        return values.reshape(a.shape[:-1])

    return by_row
