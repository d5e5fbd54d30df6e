"""Perturbing live parameter arrays one element at a time, restoring them bit for bit.

This is the general engine: it needs nothing but a loss that reads the arrays, so it
works for any implementation, at the price of two evaluations per parameter and step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from .budget import Sampler, central_estimate
from .estimate import Estimate, Kink
from .richardson import richardson_estimate
from .steps import central_step, coarsest, computed_precision, machine_epsilon, realised_step
from .validation import check_callable, check_method, live_arrays, scalar_value


def element_sampler(loss_fn: Callable[[], float | NDArray], array: NDArray, h: NDArray) -> Sampler:
    """sample(m): the loss with each element of `array` moved by m·h in turn (then put back)."""

    def sample(m: float) -> tuple[NDArray, NDArray]:
        moved, steps = realised_step(array, m * h)
        values = np.empty(array.shape)
        flat, moved_flat = array.reshape(-1), moved.reshape(-1)
        if not np.shares_memory(flat, array):
            raise ValueError("params must be contiguous arrays so they can be perturbed in place")
        out = values.reshape(-1)
        for k in range(flat.size):
            original = flat[k]
            flat[k] = moved_flat[k]
            try:
                out[k] = scalar_value("loss_fn", loss_fn())
            finally:
                flat[k] = original
        return values, steps

    return sample


def parameter_gradient_estimates(loss_fn: Callable[[], float | NDArray], params: list[NDArray], *,
                                 method: str = "auto") -> list[Estimate]:
    """∂loss/∂p for every element of every array in `params`, perturbing the live arrays in place.

    `loss_fn()` must read the arrays each time it is called.  The steps and the noise allowed are those
    of the coarser of each array's dtype and the precision the loss is computed in (`computed_precision`
    of its value: a float32 loss handed back as a Python float is judged as float32).  Every array is
    restored bit for bit (the same objects) before this returns, even if `loss_fn` raises.
    """
    check_callable("loss_fn", loss_fn)
    check_method(method, ("auto", "central", "richardson"))
    arrays = live_arrays(params)
    value = loss_fn()
    f0 = scalar_value("loss_fn", value)
    # a loss computed in float32 from float64 parameters is only as precise as float32
    loss_precision = computed_precision(value)
    estimates = []
    for index, array in enumerate(arrays):
        precision = coarsest(array.dtype, loss_precision)
        eps = machine_epsilon(precision)
        sample = element_sampler(loss_fn, array, central_step(array, precision))
        magnitude = np.abs(array.astype(float))
        if method == "richardson":
            estimate = richardson_estimate(sample, f0, eps, magnitude=magnitude, shared_noise=True)
        else:
            estimate = central_estimate(sample, f0, eps, magnitude=magnitude, shared_noise=True)
        estimates.append(_located(estimate, f"params[{index}]"))
    return estimates


def _located(estimate: Estimate, name: str) -> Estimate:
    """Name the array in the kinks found by the one-sided test."""
    kinks = [Kink(k.layer, k.unit, k.z, f"{name} {k.where}") if k.layer is None else k
             for k in estimate.kinks]
    return replace(estimate, kinks=kinks)
