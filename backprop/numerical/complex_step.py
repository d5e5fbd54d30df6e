"""The complex step: f'(x) = Im f(x + ih) / h, with no subtraction and so no cancellation.

With h far below eps the truncation error (∝ h²) vanishes and the derivative is exact to
a few ulps, so correct code can be held to a tolerance near 1e-13.  It only works for
functions that carry the imaginary part through: np.abs, .real or a cast to float drop it
silently.  That is detected (a real result, a ComplexWarning, or a disagreement with a
directional central difference) and the estimate falls back to central differences,
saying so in its `method` and `note`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .estimate import Estimate
from .functions import central_difference, prepare
from .steps import machine_epsilon

COMPLEX_ULPS = 32.0
"""The budget of a complex-step derivative, in units of eps·(|value| + the mean |value|)."""


class DropsImaginaryPart(Exception):
    """f does not propagate the imaginary part of its input."""


def complex_step_size(x: NDArray) -> NDArray:
    """A step so small that h² vanishes next to eps, yet far from underflow in x's precision."""
    tiny = 1e-20 if np.dtype(x.dtype).itemsize >= 8 else 1e-10
    # in float32 at least: 1e-10 is 0 in float16, and a step of 0 gives 0/0
    return tiny * np.maximum(1.0, np.abs(x).astype(np.result_type(x.dtype, np.float32)))


def complex_budget(value: NDArray, eps: float) -> NDArray:
    """A few ulps of the value, plus a few of the typical value for elements that cancel to ~0."""
    magnitude = np.abs(value)
    return COMPLEX_ULPS * eps * (magnitude + (magnitude.mean() if magnitude.size else 0.0))


def imaginary_part(f: Callable, z: NDArray) -> NDArray:
    """Im f(z), raising DropsImaginaryPart when f discards it on the way."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        try:
            value = np.asarray(f(z))
        except np.exceptions.ComplexWarning:
            raise DropsImaginaryPart("it casts complex values to real (a ComplexWarning)") from None
        except TypeError as error:
            raise DropsImaginaryPart(f"it rejects complex input ({error})") from None
    if not np.iscomplexobj(value):
        raise DropsImaginaryPart("it returns real values for complex input (np.abs, .real or a cast)")
    return value.imag


def complex_step(f: Callable, x: ArrayLike) -> Estimate:
    """Complex-step derivatives of f at x, or central differences when f drops the imaginary part."""
    point, _, elementwise, precision = prepare(f, x)
    eps = machine_epsilon(precision)
    complex_dtype = np.result_type(point.dtype, np.complex64)
    h = complex_step_size(point)
    try:
        if elementwise:
            value = imaginary_part(f, point.astype(complex_dtype) + 1j * h) / h
        else:
            value = np.empty(point.shape)
            for index in np.ndindex(point.shape):
                z = point.astype(complex_dtype)
                z[index] += 1j * h[index]
                value[index] = imaginary_part(f, z).reshape(()) / h[index]
        central = central_difference(f, point)
        _check_against(central, value)
    except DropsImaginaryPart as reason:
        fallback = central_difference(f, point)
        return replace(fallback, method="central (complex step unavailable)",
                       note=f"complex step not used: f drops the imaginary part: {reason}")
    budget = complex_budget(value, eps)
    if np.any(central.kink_mask):
        # The complex step never crosses a kink; a point on one needs the one-sided bracket.
        return replace(central, method="complex", value=np.where(central.kink_mask, central.value, value),
                       budget=np.where(central.kink_mask, central.budget, budget))
    return Estimate(value, budget, "complex", step=h)


def _check_against(central: Estimate, value: NDArray) -> None:
    """A complex-step value outside the central budget means the imaginary part was mangled."""
    allowed = 8 * central.budget + complex_budget(value, machine_epsilon(np.float32))
    off = ~(np.abs(value - central.value) <= allowed)  # NaN is off too
    off &= ~central.kink_mask
    if np.any(off):
        raise DropsImaginaryPart(f"its complex-step derivative disagrees with central differences at "
                                 f"{int(off.sum())} of {off.size} element(s)")
