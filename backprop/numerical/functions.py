"""Derivatives of plain functions of an array: f(x) -> scalar (a gradient) or f(x) -> array
shaped like x (an elementwise function, all elements perturbed at once)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .budget import Sampler, central_estimate
from .estimate import Estimate
from .perturb import element_sampler
from .richardson import richardson_estimate
from .steps import central_step, coarsest, computed_precision, machine_epsilon, realised_step
from .validation import check_callable, finite_point, scalar_value


def evaluate_real(f: Callable, x: NDArray, elementwise: bool) -> NDArray:
    """f at x as a float array, with a TypeError when f returns the wrong shape or a complex value."""
    value = np.asarray(f(x))
    if np.iscomplexobj(value):
        raise TypeError("f returned complex values for real input; central differences need real ones")
    if elementwise:
        if value.shape != x.shape:
            raise TypeError(f"f returned shape {value.shape} for input of shape {x.shape}")
        return value.astype(float)
    return np.asarray(scalar_value("f", value))


def prepare(f: Callable, x: ArrayLike) -> tuple[NDArray, NDArray, bool, np.dtype]:
    """The point (a copy), f there, whether f is elementwise, and the precision of f's arithmetic: the
    coarsest of the point's dtype, the value's and the precision the values were computed in (a
    float32 tanh handed back as float64 rounds like float32)."""
    check_callable("f", f)
    point = finite_point("x", x)
    value = np.asarray(f(point.copy()))
    elementwise = point.ndim > 0 and value.shape == point.shape
    if not elementwise and value.size != 1:
        raise TypeError(f"f must return a scalar or an array shaped like x {point.shape}, "
                        f"got shape {value.shape}")
    precision = coarsest(point.dtype, value.dtype, computed_precision(value))
    return point, evaluate_real(f, point.copy(), elementwise), elementwise, precision


def point_sampler(f: Callable, point: NDArray, elementwise: bool, precision: np.dtype) -> Sampler:
    """Moves every element of the point by m·h, h sized for f's arithmetic (`precision`): all at once
    for an elementwise f, else one at a time."""
    h = central_step(point, precision)
    if not elementwise:
        work = point.copy()
        return element_sampler(lambda: f(work), work, h)

    def sample(m: float) -> tuple[NDArray, NDArray]:
        moved, steps = realised_step(point, m * h)
        return evaluate_real(f, moved, True), steps

    return sample


def central_difference(f: Callable, x: ArrayLike) -> Estimate:
    """Central differences at steps eps^(1/3)·max(1, |x|), with a truncation + rounding budget."""
    point, f0, elementwise, precision = prepare(f, x)
    sample = point_sampler(f, point, elementwise, precision)
    return central_estimate(sample, f0, machine_epsilon(precision), magnitude=np.abs(point))


def richardson(f: Callable, x: ArrayLike) -> Estimate:
    """Richardson-extrapolated central differences: for rough scales or when more digits are needed."""
    point, f0, elementwise, precision = prepare(f, x)
    sample = point_sampler(f, point, elementwise, precision)
    return richardson_estimate(sample, f0, machine_epsilon(precision), magnitude=np.abs(point))
