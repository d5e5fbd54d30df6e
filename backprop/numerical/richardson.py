"""Richardson extrapolation of central differences, for functions where plain steps struggle.

From D(h), D(2h), D(4h) the h² and h⁴ error terms cancel: R = (64·D(h) − 20·D(2h) + D(4h)) / 45.
Because the truncation error is eliminated, the base step can be much larger than the
central one (RICHARDSON_SCALE times), which divides the rounding error by as much.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from .budget import Sampler, central_estimate, require_finite, rounding_error
from .estimate import Estimate, Kink

RICHARDSON_SCALE = 64.0
MULTIPLIERS = (RICHARDSON_SCALE, 2 * RICHARDSON_SCALE, 4 * RICHARDSON_SCALE, 1.0, 2.0)
"""The step multipliers an estimate samples, in both signs (the last two for the kink-aware central one)."""
"""The base step of the extrapolation, in units of the central step eps^(1/3)·max(1, |x|)."""


def _difference(sample: Sampler, m: float) -> tuple[NDArray, NDArray, NDArray]:
    fp, hp = sample(m)
    fm, hm = sample(-m)
    require_finite(fp, fm)
    width = np.maximum(hp - hm, np.finfo(float).tiny)
    return (fp - fm) / width, np.maximum(np.abs(fp), np.abs(fm)), width / 2


def richardson_estimate(sample: Sampler, f0: NDArray | float, eps: float, *,
                        magnitude: NDArray | float = 0.0, shared_noise: bool = False,
                        kinks: Sequence[Kink] = (),
                        size: float = 0.0) -> Estimate:
    """The extrapolated derivative, budgeted by its distance to the previous extrapolation level.

    Elements where a kink lies within the steps get the kink-aware central estimate instead;
    `kinks` are passed on to it (see central_estimate).
    """
    s = RICHARDSON_SCALE
    d1, scale1, h = _difference(sample, s)
    d2, scale2, _ = _difference(sample, 2 * s)
    d4, scale4, _ = _difference(sample, 4 * s)
    first = (4 * d1 - d2) / 3
    value = (64 * d1 - 20 * d2 + d4) / 45
    scale = np.maximum.reduce([scale1, scale2, scale4, np.abs(np.broadcast_to(f0, d1.shape)),
                               np.abs(magnitude * value), np.full(value.shape, size)])
    budget = np.abs(value - first) + 2 * rounding_error(scale, h, eps)
    central = central_estimate(sample, f0, eps, magnitude=magnitude, shared_noise=shared_noise,
                               kinks=kinks, size=size)
    # The central budget is mostly rounding at a step RICHARDSON_SCALE times smaller: scaled
    # down, it is a floor for this one's rounding that includes the measured noise of a loss.
    budget = np.maximum(budget, 2 * central.budget / RICHARDSON_SCALE)
    estimate = Estimate(value, budget, "richardson", step=h)
    # A kink inside the large steps shows as a level that disagrees with the small-step estimate.
    suspect = central.kink_mask | (np.abs(value - central.value) > budget + central.budget)
    if np.any(suspect):
        return replace(central, method="richardson",
                       value=np.where(suspect, central.value, value),
                       budget=np.where(suspect, central.budget, budget),
                       note="central differences used where a kink lies within the extrapolation steps")
    return replace(estimate, kinks=central.kinks)
