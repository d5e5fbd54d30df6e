"""Analytic against numerical: pass when every difference is within its budget times a safety factor.

The report is in the spirit of numpy.testing.assert_allclose: how many elements mismatch,
the worst one, its absolute and relative errors and the budget there.  The analytic side
carries rounding of its own (large in float32), so its dtype adds to the budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .estimate import Estimate, Kink
from .steps import machine_epsilon

DEFAULT_SAFETY = 4.0
"""How many budgets a difference may reach before it counts as a mismatch."""
ANALYTIC_ULPS = 32.0
"""The analytic side's own rounding, in units of its eps·(|value| + the largest |value|)."""


@dataclass(frozen=True, eq=False)
class Comparison:
    """The verdict of compare(), with the numbers at the worst element."""

    passed: bool
    n_mismatched: int
    n_total: int
    worst_index: tuple[int, ...]
    analytic: float
    numerical: float
    abs_error: float
    rel_error: float
    budget: float
    max_rel_error: float
    kinks: list[Kink] = field(default_factory=list)
    safety: float = DEFAULT_SAFETY
    method: str = ""
    max_abs_error: float = 0.0

    @property
    def fraction_mismatched(self) -> float:
        return self.n_mismatched / self.n_total if self.n_total else 0.0

    def message(self) -> str:
        """numpy.testing-style text: the counts, then the worst element and its budget."""
        index = ", ".join(str(i) for i in self.worst_index)
        head = ("Analytic and numerical derivatives agree within the error budget"
                if self.passed else "Analytic and numerical derivatives differ beyond the error budget")
        lines = [
            f"{head} (safety factor {self.safety:g}, method {self.method or 'n/a'})",
            f"Mismatched elements: {self.n_mismatched} / {self.n_total} "
            f"({100 * self.fraction_mismatched:.3g}%)",
            f"Worst element [{index}]: analytic {self.analytic:.10g}, numerical {self.numerical:.10g}",
            f"  absolute error {self.abs_error:.3g}, relative error {self.rel_error:.3g}, "
            f"budget there {self.budget:.3g} (x{self.safety:g} = {self.safety * self.budget:.3g})",
            f"Max absolute difference: {self.max_abs_error:.3g}",
            f"Max relative difference: {self.max_rel_error:.3g}",
        ]
        if self.kinks:
            lines.append(f"Kinks met ({len(self.kinks)}):")
            lines += [f"  {kink.describe()}" for kink in self.kinks[:5]]
            if len(self.kinks) > 5:
                lines.append(f"  ... and {len(self.kinks) - 5} more")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.message()


def analytic_rounding(analytic: NDArray, dtype: np.dtype, term_scale: NDArray | None = None) -> NDArray:
    """What the analytic side may be off by from its own arithmetic in `dtype`.

    Its values and their largest stand for the size of the terms they were summed from,
    unless the estimate knows that size (`term_scale`): a float32 residual A − y that cancels
    to 1e-4 still carries the rounding of outputs near 1.  Below the dtype's smallest normal
    number the spacing of values no longer shrinks with them (float32 gradients of 1e-44 are
    only known to 1.4e-45), so the allowance never falls below ANALYTIC_ULPS subnormal spacings.
    """
    magnitude = np.abs(analytic)
    largest = magnitude.max() if magnitude.size else 0.0
    terms = 0.0 if term_scale is None else term_scale
    subnormal = float(np.finfo(dtype).smallest_subnormal) if np.dtype(dtype).kind == "f" else 0.0
    return ANALYTIC_ULPS * (machine_epsilon(dtype) * (magnitude + largest + terms) + subnormal)


def underflow_allowance(analytic: NDArray, estimate: Estimate, dtype: np.dtype) -> NDArray:
    """Where the analytic value and every true value the estimate allows lie below `dtype`'s smallest
    normal number, the whole subnormal range: their difference is rounding, not a mistake.

    There the spacing of values stops shrinking with them, so a product that underflows is known to
    one spacing at best, and what multiplies it later (an input of 1e5, a wide relu activation) scales
    that spacing up: a correct float32 gradient of −1.5e-41 comes out as 0 when its delta flushes to 0,
    and −3.8e-40 as −2.5e-40 when its delta keeps two spacings of its 2.9.  Elsewhere: 0.
    """
    if np.dtype(dtype).kind != "f":
        return np.zeros(analytic.shape)
    tiny = float(np.finfo(dtype).smallest_normal)
    true_size = np.maximum(np.abs(estimate.lower), np.abs(estimate.upper))
    return np.where((np.abs(analytic) < tiny) & (true_size < tiny), 2 * tiny, 0.0)


def relative_error(analytic: NDArray, numerical: NDArray) -> NDArray:
    """|a − n| / |n|, with 0 where both are 0 and inf where only n is 0."""
    difference = np.abs(analytic - numerical)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = difference / np.abs(numerical)
    return np.where(difference == 0, 0.0, rel)


def compare(analytic: ArrayLike, estimate: Estimate, *, safety: float = DEFAULT_SAFETY) -> Comparison:
    """Judge analytic derivatives against a numerical Estimate, element by element."""
    if not isinstance(estimate, Estimate):
        raise TypeError(f"estimate must be an Estimate, not {type(estimate).__name__}")
    if not (isinstance(safety, (int, float)) and np.isfinite(safety) and safety > 0):
        raise ValueError(f"safety must be a positive finite number, not {safety!r}")
    raw = np.asarray(analytic)
    if raw.dtype.kind not in "biuf":
        raise TypeError(f"analytic derivatives must be real numbers, not {raw.dtype}")
    if raw.shape != estimate.shape:
        raise ValueError(f"analytic derivatives have shape {raw.shape} but the estimate has {estimate.shape}")
    values = raw.astype(float)
    if not np.all(np.isfinite(values)):
        bad = np.argwhere(~np.isfinite(values))[0]
        return _report(values, estimate, safety, np.inf, ~np.isfinite(values), tuple(int(i) for i in bad))
    allowed = safety * (estimate.budget + analytic_rounding(values, raw.dtype, estimate.term_scale))
    allowed = np.maximum(allowed, underflow_allowance(values, estimate, raw.dtype))
    below = np.maximum(estimate.lower - values, 0.0)
    above = np.maximum(values - estimate.upper, 0.0)
    excess = np.maximum(below, above)  # 0 inside [lower, upper]; equals |a − value| off kinks
    mismatched = excess > allowed
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(excess == 0, 0.0, excess / allowed)
    worst = np.unravel_index(int(np.argmax(ratio)), ratio.shape) if ratio.size else ()
    return _report(values, estimate, safety, ratio, mismatched, tuple(int(i) for i in worst))


def _report(values: NDArray, estimate: Estimate, safety: float, ratio: object, mismatched: NDArray,
            worst: tuple[int, ...]) -> Comparison:
    numerical = estimate.value
    difference = np.abs(values - numerical)
    rel = relative_error(values, numerical)
    n_mismatched = int(np.count_nonzero(mismatched))
    return Comparison(
        passed=n_mismatched == 0,
        n_mismatched=n_mismatched,
        n_total=int(values.size),
        worst_index=worst,
        analytic=float(values[worst]) if values.size else 0.0,
        numerical=float(numerical[worst]) if values.size else 0.0,
        abs_error=float(difference[worst]) if values.size else 0.0,
        rel_error=float(rel[worst]) if values.size else 0.0,
        budget=float(estimate.budget[worst]) if values.size else 0.0,
        max_rel_error=float(np.max(rel)) if values.size else 0.0,
        kinks=list(estimate.kinks),
        safety=safety,
        method=estimate.method,
        max_abs_error=float(np.max(difference)) if values.size else 0.0,
    )
