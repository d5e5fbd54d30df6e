"""A model's gradient as it gives it (`gradients(x, y)`) or, for code that only trains, derived from its
step: (W_before − W_after) / lr at two learning rates, the weights put back between.

An SGD step is linear in the learning rate, so the two derived gradients agree to rounding.  When they
do not, that is evidence in itself, measured against the numerical gradient: an error that grows with
the learning rate and vanishes as it goes to 0 is a step that backpropagates through weights it has
already updated (stale weights); a move that does not change with the learning rate ignores it; any
other disagreement is a step that is not W − lr × gradient.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ...findings import Finding
from .. import diagnosis
from ..cases import Case
from ..protocols import ModelNetwork
from .common import compare_estimate, compare_exact, moves_of

SECOND_RATE_DIVISOR = 8.0
"""The second learning rate is the case's divided by this (not 2, so a factor 2 is never confused)."""


@dataclass
class ModelGradient:
    """Per parameter array, the model's gradient and the rounding it may carry, and how it was obtained."""

    values: list[NDArray]
    rounding: list[NDArray] | None = None
    note: str = ""
    """Empty when `gradients(x, y)` gave it; otherwise how it was derived from the step."""
    rates: tuple[float, ...] = ()
    at_rates: list[list[NDArray]] = field(default_factory=list)
    rounding_at: list[list[NDArray]] = field(default_factory=list)


def step_moves(net: ModelNetwork, x: NDArray, y: NDArray, rate: float) -> tuple[list[NDArray], list[NDArray]]:
    """(W_before − W_after) / rate of one step(x, y, rate), and its rounding; the weights are put back."""
    before = net.copy_weights()
    net.step(x, y, rate)
    moves = moves_of(before, net.copy_weights(), rate, net.precision)
    net.set_weights(before)
    return moves


def model_gradient(
    net: ModelNetwork, case: Case, x: NDArray, y: NDArray, two_rates: bool = True
) -> ModelGradient:
    """gradients(x, y) when the model offers it, else the gradient derived from step (at two learning
    rates, or at the case's one when `two_rates` is False)."""
    shapes = [p.shape for p in net.weight_arrays()]
    if "gradients" in net.offers:
        return ModelGradient(net.gradients(x, y, shapes))
    return derived_gradient(net, case, x, y, two_rates)


def derived_gradient(
    net: ModelNetwork, case: Case, x: NDArray, y: NDArray, two_rates: bool = True
) -> ModelGradient:
    """(W_before − W_after) / lr of step(x, y, lr) at the case's learning rate and at 1/8 of it."""
    rates = (case.learning_rate, case.learning_rate / SECOND_RATE_DIVISOR)[: 2 if two_rates else 1]
    found = [step_moves(net, x, y, rate) for rate in rates]
    note = ("gradients derived from step(x, y, lr) as (W_before − W_after) / lr at the case's learning rate"
            + (" and at 1/8 of it" if two_rates else ""))
    return ModelGradient(found[0][0], found[0][1], note, rates, [f[0] for f in found], [f[1] for f in found])


def rate_disagreement(
    gradient: ModelGradient, labels: Sequence[str], estimates: Sequence[Any], index_name: str = ""
) -> tuple[str, str, Finding] | None:
    """(where, details, finding) when the gradients derived at the two learning rates disagree beyond
    their rounding, else None; ``index_name`` as ``parameter_labels`` gives it ("p" for unnamed arrays)."""
    if len(gradient.rates) < 2:
        return None
    (g1, g2), (r1, r2) = gradient.at_rates, gradient.rounding_at
    lr1, lr2 = gradient.rates
    pairs = [compare_exact(label, index_name, a, b, extra=ra + rb)
             for label, a, b, ra, rb in zip(labels, g1, g2, r1, r2, strict=True)]
    wrong = [c for c in pairs if not c.passed]
    if not wrong:
        return None
    worst = max(wrong, key=lambda c: float(np.max(np.abs(c.analytic - c.expected))))
    change = float(np.max(np.abs(worst.analytic - worst.expected)))
    where = worst.where()
    details = (f"{where}: (W_before − W_after) / lr is {worst.analytic[worst.worst_index]:.6g} at learning "
               f"rate {lr1:g} and {worst.expected[worst.worst_index]:.6g} at {lr2:g}")
    rates = {"learning_rates": [lr1, lr2], "where": where}
    moved = [compare_exact("", "", a * lr1, b * lr2, extra=ra * lr1 + rb * lr2)
             for a, b, ra, rb in zip(g1, g2, r1, r2, strict=True)]
    if all(c.passed for c in moved):
        return where, details, Finding(
            "learning-rate-ignored",
            f"step(x, y, lr) moves the weights by the same amount at learning rates {lr1:g} and {lr2:g}: "
            "the learning rate is ignored",
            rates,
        )
    twice = _rate_applied_twice(labels, pairs, g1, g2, r1, r2, lr1, lr2, estimates)
    if twice is not None:
        return where, details, Finding("scaled", twice[0], {**rates, **twice[1]})
    span = lr1 - lr2
    extrapolated = [(lr1 * b - lr2 * a) / span for a, b in zip(g1, g2, strict=True)]
    amplified = [(lr1 * rb + lr2 * ra) / span for ra, rb in zip(r1, r2, strict=True)]
    at_zero = [
        compare_estimate(label, "", value, _widened(estimate, extra))
        for label, value, estimate, extra in zip(labels, extrapolated, estimates, amplified, strict=True)
    ]
    errors = [
        max(float(np.max(np.abs(g - np.asarray(e.value)), initial=0.0))
            for g, e in zip(gs, estimates, strict=True))
        for gs in (g1, g2)
    ]
    vanishes = ", and it vanishes as the learning rate goes to 0" if all(c.passed for c in at_zero) else ""
    grows = errors[1] < 0.5 * errors[0]
    if all(c.passed for c in at_zero) or grows:
        return where, details, Finding(
            "stale-weights",
            f"the gradient derived from the step changes with the learning rate (by up to {change:.2g} "
            f"between {lr1:g} and {lr2:g}; its error against ∂L/∂p is {errors[0]:.2g} at {lr1:g} and "
            f"{errors[1]:.2g} at {lr2:g}{vanishes}): "
            "an error that grows with the learning rate is a step that backpropagates through weights it has "
            "already updated (a layer updated inside backward before the delta to its left went through it)",
            {**rates, "errors": errors},
        )
    return where, details, Finding(
        "not-sgd-step",
        f"(W_before − W_after) / lr differs between learning rates {lr1:g} and {lr2:g} (by up to "
        f"{change:.2g} at {where}) and not as stale weights would: the step is not W − lr × gradient "
        "(momentum, clipping, or a term that does not scale with the learning rate)",
        rates,
    )


def _rate_applied_twice(
    labels: Sequence[str], pairs: Sequence[Any], g1: Sequence[NDArray], g2: Sequence[NDArray],
    r1: Sequence[NDArray], r2: Sequence[NDArray], lr1: float, lr2: float, estimates: Sequence[Any],
) -> tuple[str, dict[str, Any]] | None:
    """(sentence, params) when the arrays whose derived gradient changes with the learning rate move by
    lr² × a fixed gradient (the learning rate applied twice to them) and the others agree; else None."""
    squared = [compare_exact("", "", a / lr1, b / lr2, extra=ra / lr1 + rb / lr2)
               for a, b, ra, rb in zip(g1, g2, r1, r2, strict=True)]
    if not all(c.passed or p.passed for c, p in zip(squared, pairs, strict=True)):
        return None
    twice = [i for i, p in enumerate(pairs) if not p.passed]
    names = ", ".join(labels[i] for i in twice)
    # g1 / lr1 carries the rounding of the moves divided by the rate too (large in float32)
    exact = [diagnosis.agreement(g1[i] / lr1, np.asarray(estimates[i].value),
                                 np.asarray(estimates[i].budget) + r1[i] / lr1)
             for i in twice]
    gaps = [g for g in exact if g is not None]
    what = (f"lr² × ∂L/∂p {diagnosis.within(max(gaps))}" if len(gaps) == len(exact)
            else "lr² × one fixed array")
    verb = "moves" if len(twice) == 1 else "move"
    return (
        f"{names} {verb} by {what} at learning rates {lr1:g} and {lr2:g}, where the step is lr × ∂L/∂p: "
        "the learning rate is applied twice to " + ("it" if len(twice) == 1 else "them"),
        {"factor": "the learning rate", "parameters": [labels[i] for i in twice]},
    )


def _widened(estimate: Any, extra: NDArray) -> Any:
    return dataclasses.replace(estimate, budget=np.asarray(estimate.budget) + extra)
