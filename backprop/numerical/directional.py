"""Checks that cost a handful of loss evaluations instead of two per parameter.

Directional: ⟨g, v⟩ against (L(w + hv) − L(w − hv)) / 2h for K random ±1 directions.
Taylor remainder: r(ε) = |L(w + εv) − L(w) − ε⟨g, v⟩| falls as ε² when g is the gradient
and only as ε when it is not, so the slope of log r against log ε tells them apart.
Both use the steps the dtype really takes, so float32 parameters are judged fairly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .budget import rounding_error
from .comparison import ANALYTIC_ULPS, DEFAULT_SAFETY
from .steps import machine_epsilon
from .validation import check_callable, live_arrays, scalar_value


@dataclass(frozen=True, eq=False)
class DirectionalResult:
    """⟨g, v⟩ (analytic) and the central difference along v (numerical), one per direction."""

    passed: bool
    analytic: NDArray
    numerical: NDArray
    budget: NDArray
    worst: int
    safety: float = DEFAULT_SAFETY
    kinked: NDArray | None = None

    def message(self) -> str:
        k = self.worst
        verdict = "agree" if self.passed else "disagree"
        error = abs(self.analytic[k] - self.numerical[k])
        failing = int(np.count_nonzero(np.abs(self.analytic - self.numerical) > self.safety * self.budget))
        return (f"Directional derivatives {verdict} with the gradient: {failing} / {len(self.analytic)} "
                f"direction(s) off; worst direction {k}: <g, v> = {self.analytic[k]:.10g}, "
                f"numerical {self.numerical[k]:.10g}, error {error:.3g}, budget {self.budget[k]:.3g} "
                f"(x{self.safety:g})")


@dataclass(frozen=True, eq=False)
class TaylorResult:
    """Remainders r(ε) for halving ε, the slopes log2(r(ε)/r(ε/2)), and the verdict on the tail."""

    passed: bool
    slope: float
    epsilons: NDArray
    remainders: NDArray
    slopes: NDArray
    note: str = ""

    def message(self) -> str:
        verdict = "order 2: the gradient is right" if self.passed else "order 1: the gradient is wrong"
        rows = ", ".join(f"{e:.2g}: {r:.3g}" for e, r in zip(self.epsilons, self.remainders))
        return f"Taylor remainder slope {self.slope:.3g} ({verdict}). {self.note} r(eps) = {{{rows}}}".strip()


class _Shifter:
    """Moves live arrays along a direction and puts them back bit for bit."""

    def __init__(self, arrays: list[NDArray]) -> None:
        self.arrays = arrays
        self.saved = [a.copy() for a in arrays]

    def shift(self, direction: Sequence[NDArray], amount: float) -> list[NDArray]:
        """Set w = w0 + amount·v in each array's dtype; return the realised steps (float64)."""
        steps = []
        for array, saved, v in zip(self.arrays, self.saved, direction):
            array[...] = (saved.astype(float) + amount * v).astype(array.dtype)
            steps.append(array.astype(float) - saved.astype(float))
        return steps

    def restore(self) -> None:
        for array, saved in zip(self.arrays, self.saved):
            np.copyto(array, saved)


def _inputs(loss_fn: Callable[[], float], params: list[NDArray], gradients: Sequence[NDArray]
            ) -> tuple[list[NDArray], list[NDArray], float, float]:
    check_callable("loss_fn", loss_fn)
    arrays = live_arrays(params)
    if len(gradients) != len(arrays):
        raise ValueError(f"{len(gradients)} gradient array(s) for {len(arrays)} parameter array(s)")
    grads = []
    for i, (g, p) in enumerate(zip(gradients, arrays)):
        g = np.asarray(g)
        if g.shape != p.shape:
            raise ValueError(f"gradients[{i}] has shape {g.shape} but params[{i}] has {p.shape}")
        if not np.all(np.isfinite(g)):
            raise ValueError(f"gradients[{i}] holds non-finite value(s) (NaN or inf)")
        grads.append(g)
    eps_f = max(machine_epsilon(p.dtype) for p in arrays)
    eps_a = max(machine_epsilon(g.dtype) for g in grads)
    return arrays, grads, eps_f, eps_a


def _dot(grads: list[NDArray], steps: list[NDArray]) -> tuple[float, float]:
    """⟨g, s⟩ and Σ|g·s| (the size of its rounding)."""
    products = [g.astype(float) * s for g, s in zip(grads, steps)]
    return float(sum(p.sum() for p in products)), float(sum(np.abs(p).sum() for p in products))


def directional_check(loss_fn: Callable[[], float], params: list[NDArray], gradients: Sequence[NDArray], *,
                      directions: int = 8, seed: int = 0,
                      safety: float = DEFAULT_SAFETY) -> DirectionalResult:
    """Compare ⟨g, v⟩ with central differences along `directions` random ±1 directions v.

    Costs 4·directions + 1 loss evaluations, whatever the number of parameters.
    """
    if not isinstance(directions, int) or directions < 1:
        raise ValueError(f"directions must be a positive integer, not {directions!r}")
    arrays, grads, eps_f, eps_a = _inputs(loss_fn, params, gradients)
    rng = np.random.default_rng(seed)
    scale = max(1.0, max(float(np.abs(p).max(initial=0.0)) for p in arrays))
    h = np.cbrt(eps_f) * scale
    shifter = _Shifter(arrays)
    f0 = scalar_value("loss_fn", loss_fn())
    analytic, numerical, budget = (np.empty(directions) for _ in range(3))
    try:
        for k in range(directions):
            v = [rng.choice([-1.0, 1.0], size=p.shape) for p in arrays]
            errors, slopes, sizes, values = [], [], [], [f0]
            for m in (1.0, 2.0):
                plus = shifter.shift(v, m * h)
                f_plus = scalar_value("loss_fn", loss_fn())
                minus = shifter.shift(v, -m * h)
                f_minus = scalar_value("loss_fn", loss_fn())
                shifter.restore()
                dot, size = _dot(grads, [p - q for p, q in zip(plus, minus)])
                slopes.append((f_plus - f_minus) / (2 * m * h))
                errors.append((f_plus - f_minus - dot) / (2 * m * h))
                sizes.append(size / (2 * m * h))
                values += [f_plus, f_minus]
                if m == 1.0:
                    analytic[k] = dot / (2 * h)
            numerical[k] = slopes[0]
            scale_f = max(abs(f) for f in values)
            rounding = float(rounding_error(np.asarray(scale_f), np.asarray(h), eps_f))
            budget[k] = abs(errors[1] - errors[0]) / 3 + rounding + ANALYTIC_ULPS * eps_a * sizes[0]
    finally:
        shifter.restore()
    difference = np.abs(analytic - numerical)
    with np.errstate(divide="ignore", invalid="ignore"):
        off = np.where(difference == 0, 0.0, difference / (safety * budget))
    return DirectionalResult(bool(np.all(off <= 1)), analytic, numerical, budget, int(np.argmax(off)), safety)


TAYLOR_PASS_SLOPE = 1.5
"""Slopes above this pass (a right gradient gives 2, or 3 where the curvature along v vanishes)."""


def taylor_test(loss_fn: Callable[[], float], params: list[NDArray], gradients: Sequence[NDArray], *,
                direction: Sequence[NDArray] | None = None, seed: int = 0, epsilon: float | None = None,
                halvings: int = 30) -> TaylorResult:
    """The slope of the first-order Taylor remainder as ε halves: near 2 passes, near 1 fails.

    Costs halvings + 2 loss evaluations.  Remainders lost in rounding are left out of the slope,
    which is taken on the smallest ε still above rounding: a small gradient error only
    dominates the quadratic term once ε is below (error along v) / (curvature along v).
    """
    if not isinstance(halvings, int) or halvings < 3:
        raise ValueError(f"halvings must be an integer of at least 3, not {halvings!r}")
    arrays, grads, eps_f, eps_a = _inputs(loss_fn, params, gradients)
    if direction is None:
        rng = np.random.default_rng(seed)
        direction = [rng.choice([-1.0, 1.0], size=p.shape) for p in arrays]
    if len(direction) != len(arrays) or any(np.shape(v) != p.shape for v, p in zip(direction, arrays)):
        raise ValueError("direction must hold one array shaped like each parameter array")
    count = max(1, sum(p.size for p in arrays))
    rms = np.sqrt(sum(float(np.sum(p.astype(float) ** 2)) for p in arrays) / count)
    first = epsilon if epsilon is not None else 2.0 ** -4 * max(1.0, rms)
    if not (np.isfinite(first) and first > 0):
        raise ValueError(f"epsilon must be a positive finite number, not {epsilon!r}")
    epsilons = first * 2.0 ** -np.arange(halvings + 1)
    shifter = _Shifter(arrays)
    f0 = scalar_value("loss_fn", loss_fn())
    remainders, noise = np.empty(epsilons.size), np.empty(epsilons.size)
    try:
        for k, eps in enumerate(epsilons):
            steps = shifter.shift([np.asarray(v, float) for v in direction], float(eps))
            value = scalar_value("loss_fn", loss_fn())
            dot, size = _dot(grads, steps)
            remainders[k] = abs(value - f0 - dot)
            noise[k] = 64 * eps_f * (abs(value) + abs(f0)) + ANALYTIC_ULPS * eps_a * size
    finally:
        shifter.restore()
    with np.errstate(divide="ignore", invalid="ignore"):
        slopes = np.log2(remainders[:-1] / remainders[1:])
    valid = (remainders[:-1] > 8 * noise[:-1]) & (remainders[1:] > 8 * noise[1:])
    usable = slopes[valid]
    if usable.size == 0:
        linear = bool(np.all(remainders <= 8 * noise))
        note = ("the remainder stays within rounding: the loss is linear along v and the gradient matches"
                if linear else "no two remainders rise above rounding; choose a larger epsilon")
        return TaylorResult(linear, float("nan"), epsilons, remainders, slopes, note)
    slope = float(np.median(usable[-3:]))
    return TaylorResult(slope > TAYLOR_PASS_SLOPE, slope, epsilons, remainders, slopes)
