"""descent: a small enough step lowers the loss."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ... import numerical
from ...activations import get_activation
from ...findings import Finding
from ...losses import Loss
from .. import diagnosis
from ..cases import Case
from ..profile import Profile
from ..protocols import (
    LayerNetwork,
    ModelNetwork,
)
from . import penalty
from .common import (
    Evidence,
    Factory,
    _eps,
    _model_loss,
    pre_activations,
    prepare,
    units_on_a_kink,
    weight_estimates,
)
from .derived import model_gradient

DESCENT_RATES = (1e-2, 1e-3, 1e-4)
MEASURABLE_LOSS_CHANGE = 1e-10
"""The relative change of the loss below which a step's effect is taken as unmeasurable (at least 64 ulps
of the implementation's output dtype)."""
KINK_RATES = tuple(10.0**-k for k in range(5, 15))
"""Smaller steps, tried only while every step tried so far moved a pre-activation across a kink."""


def _kink_sides(net: LayerNetwork, x1: NDArray, activation: str) -> list[NDArray] | None:
    """The side of the kink every unit's z is on: ±1, or ±2 (0 on it) within rounding of it, where a unit
    that changes sign may still change the loss at first order; None for a smooth activation."""
    if not get_activation(activation).has_kink:
        return None
    zs = pre_activations(net, net.forward(x1))
    bands = units_on_a_kink(net, x1) or [np.zeros(z.shape, dtype=bool) for z in zs]
    return [np.where(band, 2, 1) * np.sign(z) for band, z in zip(bands, zs, strict=True)]


def descent(factory: Factory, case: Case, loss: Loss, profile: Profile) -> Evidence:
    """A step small enough lowers the loss (unless the gradient is too small to move it).

    At a kink this holds only for steps that leave every unit on its side of the kink (a step along
    −∇L can switch a unit on at first order), so with a kinked activation a step whose pre-activations
    change sides is not counted, and smaller ones are tried; when even a step too small to move the
    loss measurably changes sides, the case does not test descent.
    """
    net = prepare(factory, case, profile)
    before = net.copy_weights()
    sides: list[NDArray] | None = None
    x1 = net.with_one(case.x)
    resolution = MEASURABLE_LOSS_CHANGE
    if isinstance(net, ModelNetwork):
        data_loss = _model_loss(net, case, loss)
        value = lambda: float(data_loss()) + penalty.penalty_value(net.weight_arrays(), profile, True)  # noqa: E731
        start = value()
        grads = model_gradient(net, case, case.x, case.y, two_rates=False).values
    else:
        output = net.forward(x1)[-1]
        resolution = max(resolution, 64 * _eps(output))
        value = lambda: (float(np.real(loss(net.forward(x1)[-1], case.y)))  # noqa: E731
                         + penalty.penalty_value(net.weight_arrays(), profile, False))
        start = value()
        estimates = penalty.with_penalty(weight_estimates(net, x1, case.y, loss), before, profile, False)
        grads = [e.value for e in estimates]
        net.set_weights(before)
        sides = _kink_sides(net, x1, case.activation)
    slope = sum(float(np.sum(g * g)) for g in grads)
    tried: list[tuple[float, float]] = []
    crossed = 0
    last_crossed = too_small = False
    direction = np.empty(0)
    for rate in DESCENT_RATES + KINK_RATES:
        if rate < DESCENT_RATES[-1] and not last_crossed:
            break  # the smallest rate's step stayed on its side of every kink and still failed
        net.set_weights(before)
        if isinstance(net, ModelNetwork):
            if callable(getattr(net.network, "step", None)):
                net.step(case.x, case.y, rate)
            else:
                net.set_weights([w - rate * g for w, g in zip(before, grads, strict=True)])
        else:
            seen = net.forward(x1)
            net.backward(case.y)
            net.update(rate, seen)
        too_small = rate * slope < resolution * max(abs(start), 1e-12)
        if sides is not None and isinstance(net, LayerNetwork):
            moved = _kink_sides(net, x1, case.activation)
            assert moved is not None
            last_crossed = any(not np.array_equal(a, b) for a, b in zip(sides, moved, strict=True))
            if last_crossed:
                crossed += 1
                if too_small:
                    break
                continue
        after = value()
        tried.append((rate, after))
        if after < start:
            return Evidence("passed")
        if too_small:
            break
        direction = np.concatenate(
            [((b - a) / rate).ravel() for b, a in zip(before, net.copy_weights(), strict=True)]
        )
    if (too_small or not tried) and crossed:
        return Evidence(
            "passed",
            summary=f"not a test of descent in this case: {crossed} step(s) moved a pre-activation across "
            "the activation's kink, and the steps small enough not to are too small to move the loss "
            "measurably",
        )
    if too_small:
        return Evidence("passed", summary="the gradient is too small for the loss to move measurably")
    net.set_weights(before)
    if isinstance(net, ModelNetwork):
        grads = [e.value for e in numerical.parameter_gradient_estimates(value, net.weight_arrays())]
    gradient = np.concatenate([np.ravel(g) for g in grads])
    skipped = f" ({crossed} larger step(s) crossed a kink and are not counted)" if crossed else ""
    evidence = Evidence(
        "failed",
        None,
        "the whole network",
        "no small step lowered the loss",
        f"loss {start:.6g} before the step; after a step with learning rate "
        + ", ".join(f"{r:g}: {v:.6g}" for r, v in tried)
        + skipped,
    )
    return evidence.found(_descent_finding(direction, gradient, tried[-1][0]))


def _descent_finding(direction: NDArray, gradient: NDArray, rate: float) -> Finding:
    """What the step's direction is, measured against the numerical gradient ∇L: its sign is said to be
    flipped only when the step is −1 × the SGD step to the gradient's accuracy, not for any uphill step."""
    cosine = float(direction @ gradient / max(np.linalg.norm(direction) * np.linalg.norm(gradient), 1e-300))
    flipped = diagnosis.agreement(direction, -gradient)
    if flipped is not None:
        return Finding(
            "sign-flipped",
            f"the step equals −1 × the SGD step −learning rate × ∇L {diagnosis.within(flipped)} "
            f"in all {direction.size} weights: it goes up the gradient, so its sign is flipped "
            "(W += instead of W −=, or y − A)",
            {"cosine": cosine, "agreement": flipped},
        )
    if cosine < 0:
        sentence = (
            f"the step's cosine with −∇L is {cosine:.2f} (a descent step's is 1): it goes uphill, so the "
            "gradient it follows is wrong or is that of another loss (the gradient checks say which)"
        )
    elif cosine < 0.05:
        sentence = (
            f"the step's cosine with −∇L is {cosine:.2f} (a descent step's is 1): it moves almost at right "
            f"angles to the gradient, and the loss rose even with learning rate {rate:g}"
        )
    else:
        sentence = (
            f"the step's cosine with −∇L is {cosine:.2f}, a descent direction, yet the loss rose even with "
            f"learning rate {rate:g}"
        )
    return Finding("uphill", sentence, {"cosine": cosine})
