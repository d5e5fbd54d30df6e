"""Step sizes: from the dtype and the scale of the argument, and the steps the dtype really takes."""

from __future__ import annotations

import numpy as np
from numpy.typing import DTypeLike, NDArray


def machine_epsilon(dtype: DTypeLike) -> float:
    """The spacing of floats near 1 for a float or complex dtype; float64's for anything else."""
    dtype = np.dtype(dtype)
    if np.issubdtype(dtype, np.inexact):
        return float(np.finfo(dtype).eps)
    return float(np.finfo(np.float64).eps)


def central_step(x: NDArray, dtype: DTypeLike | None = None) -> NDArray:
    """eps^(1/3)·max(1, |x|): the step that balances truncation (∝ h²) against rounding (∝ eps/h)."""
    x = np.asarray(x)
    eps = machine_epsilon(x.dtype if dtype is None else dtype)
    return np.cbrt(eps) * np.maximum(1.0, np.abs(x.astype(float)))


def realised_step(x: NDArray, h: NDArray) -> tuple[NDArray, NDArray]:
    """The perturbed values x + h stored in x's dtype, and the step they really are (in float64).

    Dividing by the realised step rather than the intended one removes the error of
    representing x + h, which in float32 is as large as the truncation error itself.
    """
    x = np.asarray(x)
    moved = (x.astype(float) + h).astype(x.dtype)
    return moved, moved.astype(float) - x.astype(float)
