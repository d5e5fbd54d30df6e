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


def computed_precision(values: object) -> np.dtype:
    """The float type `values` were computed in, judged from what they hold: their own dtype when it is
    coarser than float64; float32 for float64 values that are all float32 numbers, one at least not a
    float16 number (a float64 result lands on a float32 number about once in 2**29, so results that
    all do were rounded to float32 and converted back); float64 otherwise."""
    array = np.asarray(values)
    if array.dtype.kind != "f" or machine_epsilon(array.dtype) > machine_epsilon(np.float64):
        return np.dtype(array.dtype if array.dtype.kind == "f" else np.float64)
    finite = array[np.isfinite(array)]
    with np.errstate(over="ignore"):
        single, half = finite.astype(np.float32), finite.astype(np.float16)
    if finite.size and np.array_equal(single, finite) and not np.array_equal(half, finite):
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def coarsest(*dtypes: DTypeLike) -> np.dtype:
    """The float type with the largest spacing among `dtypes` (float64 when none is a float)."""
    return max((np.dtype(d) for d in dtypes), key=machine_epsilon, default=np.dtype(np.float64))


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
