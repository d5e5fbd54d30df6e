"""One loss value per row of a batch of outputs, so thousands of perturbed outputs cost one call.

A Loss's `rows` gives one value per row; the sums of squares here are computed in the
scratch rows' own storage, which the engine's hot path can afford to overwrite.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from ..losses import HALF_SSE, MSE, Loss


def _sum_of_squares(a: NDArray, y: NDArray) -> NDArray:
    """Σ (a − y)² over the last axis, computed in a's own storage (no squared copy); a is overwritten."""
    difference = np.subtract(a, y, out=a) if a.dtype == np.result_type(a, y) else a - y
    return np.einsum("...k,...k->...", difference, difference)


_IN_PLACE: dict[int, Callable[[NDArray, NDArray], NDArray]] = {
    id(HALF_SSE): lambda a, y: 0.5 * _sum_of_squares(a, y),
    id(MSE): lambda a, y: _sum_of_squares(a, y) / a.shape[-1],
}


def rowwise_loss(loss: Loss) -> Callable[[NDArray, NDArray], NDArray]:
    """loss(rows, y) -> one value per row (over the last axis).

    The rows are scratch: the returned function may overwrite them.
    """
    return _IN_PLACE.get(id(loss), loss.rows)
