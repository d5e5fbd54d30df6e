"""fit-one-sample and fit-two-samples: what fit does to the weights, epoch by epoch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ...activations import get_activation
from ...losses import Loss
from ..cases import Case
from ..profile import Profile
from ..protocols import (
    LayerNetwork,
    call,
)
from .common import (
    Evidence,
    Explanation,
    Factory,
    _gradient_evidence,
    delta_estimates,
    moves_of,
    pre_activations,
    prepare,
    weight_estimates,
)

STALE_WEIGHTS = (
    "layer {number} moved by exactly the step whose delta was backpropagated through the already-updated "
    "weights of the layer to its right (stale weights): update a layer only after the layer to its left "
    "has computed its delta"
)
FIT_FOLLOWS_LAYERS = (
    "fit moved layer {number} as forward, backward and update do, {within}: fit drives the layers "
    "correctly, and the error is in them (see the checks above)"
)

CACHED_WEIGHTS = (
    "layer {number}'s second step backpropagated through the weights the layer to its right had before "
    "the first step, {within}: a copy of W (or Wᵀ) kept from an earlier step went stale; read "
    "rightLayer.weight afresh in each backward"
)
REFRESHED_INPUT = (
    "layer {number} moved by aᵀδ with its input a recomputed through the already-updated layer to its "
    "left, {within}: update needs the A of the forward pass, before any layer was updated"
)


# --------------------------------------------------------------------------- fit


def _stale_moves(
    seen: Sequence[NDArray],
    zs: Sequence[NDArray],
    output_delta: NDArray,
    updated: Sequence[NDArray],
    activation: str,
) -> list[NDArray]:
    """What each layer would move by (÷ lr) if its delta used the right layer's already-updated weights."""
    fprime = get_activation(activation).derivative
    delta = np.ravel(output_delta)
    moves = [np.outer(seen[-2], delta)]
    for index in range(len(zs) - 2, -1, -1):
        delta = (delta @ updated[index + 1].T) * fprime(zs[index])
        moves.insert(0, np.outer(seen[index], delta))
    return moves


def _refreshed_moves(
    x1: NDArray, delta_estimates: Sequence[Any], updated: Sequence[NDArray], activation: str
) -> list[NDArray]:
    """What each layer would move by (÷ lr) if its input were recomputed through the updated layers."""
    f = get_activation(activation).function
    a, moves = x1, []
    for estimate, weight in zip(delta_estimates, updated, strict=True):
        moves.append(np.outer(a, estimate.value))
        a = f(a @ weight)
    return moves


def fit_one_sample(factory: Factory, case: Case, loss: Loss, profile: Profile) -> Evidence:
    net = prepare(factory, case, profile)
    assert isinstance(net, LayerNetwork)
    before = net.copy_weights()
    x1 = net.with_one(case.x)
    estimates = weight_estimates(net, x1, case.y, loss)
    lr = case.learning_rate
    call(
        "fit(X, y, learning_rate, epochs=1)",
        net.network.fit,
        case.x[None, :].copy(),
        case.y[None, :].copy(),
        lr,
        1,
    )
    after = net.copy_weights()
    moves, rounding = moves_of(before, after, lr)

    def explain() -> list[list[Explanation]]:
        """Stale weights, refreshed inputs, or fit faithful to faulty layers: what the moves may equal."""
        probe = prepare(factory, case, profile)
        assert isinstance(probe, LayerNetwork)
        deltas = delta_estimates(probe, x1, case.y, loss)
        seen = probe.forward(x1)
        explanations: list[list[Explanation]] = [[] for _ in moves]
        if len(moves) > 1:
            stale = _stale_moves(seen, pre_activations(probe, seen), deltas[-1].value, after, case.activation)
            for number, move in enumerate(stale, 1):
                explanations[number - 1].append((move, STALE_WEIGHTS.format(number=number)))
        refreshed = _refreshed_moves(x1, deltas, after, case.activation)
        for number, move in enumerate(refreshed[1:], 2):
            explanations[number - 1].append((move, REFRESHED_INPUT.format(number=number, within="{within}")))
        probe.set_weights(before)
        stepped_seen = probe.forward(x1)
        probe.backward(case.y)
        probe.update(lr, stepped_seen)
        for number, move in enumerate(moves_of(before, probe.copy_weights(), lr)[0], 1):
            explanations[number - 1].append(
                (move, FIT_FOLLOWS_LAYERS.format(number=number, within="{within}"))
            )
        return explanations

    return _gradient_evidence(
        moves,
        estimates,
        case,
        "one epoch of fit on one sample (÷ learning rate)",
        before,
        explain=explain,
        rounding=rounding,
    )


def fit_two_samples(factory: Factory, case: Case, loss: Loss, profile: Profile) -> Evidence:
    """The second epoch must be an SGD step from wherever the first one landed.

    Two identical rows, so whichever row fit picks, both epochs step on the same sample; the
    first step is the implementation's own (fit-one-sample judges it), so only the second is
    judged here, against the numerical gradient at the weights the first step produced.
    """
    lr = case.learning_rate
    X, Y = np.stack([case.x, case.x]), np.stack([case.y, case.y])
    landed = []
    for epochs in (1, 2):
        net = prepare(factory, case, profile)
        assert isinstance(net, LayerNetwork)
        before = net.copy_weights()
        call(f"fit(X, y, learning_rate, epochs={epochs})", net.network.fit, X.copy(), Y.copy(), lr, epochs)
        landed.append(net.copy_weights())
    middle, observed = landed
    net = prepare(factory, case, profile)
    assert isinstance(net, LayerNetwork)
    net.set_weights(middle)
    x1 = net.with_one(case.x)
    second = weight_estimates(net, x1, case.y, loss)
    moves, rounding = moves_of(middle, observed, lr)

    def explain() -> list[list[Explanation]]:
        """A second step through the right layer's weights from before the first step (a stale copy)."""
        explanations: list[list[Explanation]] = [[] for _ in moves]
        if len(moves) > 1:
            deltas = delta_estimates(net, x1, case.y, loss)
            seen = net.forward(x1)
            stale = _stale_moves(seen, pre_activations(net, seen), deltas[-1].value, before, case.activation)
            for number, move in enumerate(stale, 1):
                explanations[number - 1].append(
                    (move, CACHED_WEIGHTS.format(number=number, within="{within}"))
                )
        return explanations

    notes = [
        "(the second epoch's step W₁ − W₂, ÷ learning rate, against ∇L at W₁ where the first epoch landed)"
    ]
    return _gradient_evidence(
        moves,
        second,
        case,
        "the second epoch of fit (÷ learning rate)",
        before,
        notes,
        rounding=rounding,
        explain=explain,
    )
