"""Central differences with an error budget per element, from samples at steps ±h and ±2h.

The budget is a truncation estimate plus a rounding estimate.  With D(h) the central
difference, D(h) = f' + c·h² + …, so |D(2h) − D(h)| / 3 estimates the truncation error
of D(h); rounding contributes about eps·|f| / h.  The same samples give the one-sided
differences, and a kink inside the step shows as one-sided differences that stop scaling
with h: for a smooth function D₊(2h) − D₋(2h) = 2·(D₊(h) − D₋(h)) up to O(h³).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from .estimate import Estimate, Kink

Sampler = Callable[[float], tuple[NDArray, NDArray]]
"""sample(m) -> (f at x + m·h, the realised signed steps), both shaped like the derivative."""

ROUNDING_ULPS = 2.0
"""How many units of eps·|f| each function value is assumed to be off by."""
KINK_NOISE = 4.0
"""How far (in rounding units) the one-sided differences must depart from smooth scaling to be a kink."""
NOISE_QUANTILE = 0.25
"""Which quantile of the measured departures sets the rounding floor of a shared function."""
KINK_SHARE = 0.1
"""...and how large a share of the one-sided jump that departure must be."""


def cached(sample: Sampler) -> Sampler:
    """The same sampler, evaluating each multiplier once (estimates ask for some of them twice)."""
    store: dict[float, tuple[NDArray, NDArray]] = {}

    def again(m: float) -> tuple[NDArray, NDArray]:
        if m not in store:
            store[m] = sample(m)
        return store[m]

    return again


NOT_FINITE = "the function is not finite within a step of the point (NaN or inf values)"
"""The sentence of the ValueError every difference raises when f is NaN or inf at a step it takes."""


def require_finite(*values: NDArray) -> None:
    """Raise ValueError(NOT_FINITE) unless every value is finite: a difference of inf says nothing."""
    if not all(np.all(np.isfinite(v)) for v in values):
        raise ValueError(NOT_FINITE)


def rounding_error(scale: NDArray, step: NDArray, eps: float) -> NDArray:
    """The rounding error of a difference quotient: two values off by eps·|f| each, over the step."""
    return ROUNDING_ULPS * eps * scale / np.maximum(step, np.finfo(float).tiny)


def central_estimate(sample: Sampler, f0: NDArray | float, eps: float, *, magnitude: NDArray | float = 0.0,
                     kinks: Sequence[Kink] = (), method: str = "central",
                     note: str = "", shared_noise: bool = False, size: float = 0.0,
                     term_scale: NDArray | None = None) -> Estimate:
    """Central difference D(h) with budget |D(2h) − D(h)|/3 + rounding, and kinks bracketed.

    `magnitude` is |x| of each perturbed element: f's rounding follows the size of its terms,
    about max(|f|, |x·f'|), not |f| alone (x⁵/20 − x near x = −2.1 is 0.06 made of terms of 2).
    `kinks` are reported as they are; the one-sided test finds the kinked elements.
    `size` is the size of the terms f is summed from, when the caller knows it (a network);
    `term_scale` is passed on to the Estimate.
    `shared_noise` says every element perturbs the same scalar function (a loss): its
    rounding noise is then measured, as a low quantile over elements of the departure from
    smooth scaling, which for smooth f is pure noise (the O(h³) term is far below eps).
    A loss near 0 built from outputs near 1 rounds like the outputs, not like its value.
    """
    fp1, hp1 = sample(1.0)
    fm1, hm1 = sample(-1.0)
    fp2, hp2 = sample(2.0)
    fm2, hm2 = sample(-2.0)
    hm1, hm2 = -hm1, -hm2  # realised steps are never 0: h ∝ max(1, |x|) is far above x's spacing
    f0 = np.asarray(f0, dtype=float)
    require_finite(f0, fp1, fm1, fp2, fm2)
    h = (hp1 + hm1) / 2
    d1 = (fp1 - fm1) / (hp1 + hm1)
    d2 = (fp2 - fm2) / (hp2 + hm2)
    scale = np.array(np.abs(fp1), dtype=float)  # an array even at a 0-d point, for out=
    for v in (fm1, fp2, fm2, magnitude * d1):
        np.maximum(scale, np.abs(v), out=scale)
    scale = np.maximum(scale, np.maximum(np.abs(f0), size))
    noise = rounding_error(scale, h, eps)
    right1, left1 = (fp1 - f0) / hp1, (f0 - fm1) / hm1
    right2, left2 = (fp2 - f0) / hp2, (f0 - fm2) / hm2
    departure = np.abs((right2 - left2) - 2 * (right1 - left1))
    moved = departure > 0  # elements whose steps change nothing (an input of 0) carry no noise
    if shared_noise and np.any(moved):
        # departure·h is about 5 standard deviations of one function value's noise; its lower
        # quartile (about 1.6 of them) stays clear of kinks until they are three elements in four.
        spread = (departure * h)[moved]
        k = int(NOISE_QUANTILE * (spread.size - 1))
        floor = float(np.partition(spread, k)[k])
        noise = np.where(moved, np.maximum(noise, floor / h), noise)
    budget = np.abs(d2 - d1) / 3 + noise
    # A kink's departure is of the order of the jump itself; rounding's is of the order of noise.
    jump = np.maximum(np.abs(right1 - left1), np.abs(right2 - left2))
    kinked = (departure > KINK_NOISE * noise) & (departure > KINK_SHARE * jump)
    if np.any(kinked):
        # At a kink the one-sided differences at h bracket the true one-sided derivatives, up to
        # their rounding and their curvature error h·f''/2, measured on the side that stays clean
        # (its differences at h and 2h differ by exactly that much).
        curvature = np.minimum(np.abs(right2 - right1), np.abs(left2 - left1))
        budget = np.where(kinked, 2 * noise + 1.5 * curvature, budget)
        if not kinks:
            first = tuple(int(i) for i in np.argwhere(kinked)[0])
            more = int(kinked.sum()) - 1
            kinks = [Kink(None, first, None, f"element {first}" + (f" and {more} more" if more else ""))]
    return Estimate(d1, budget, method, list(kinks), kinked, left1, right1, h, note, term_scale)
