"""fit-one-sample and fit-two-samples: what fit does to the weights, epoch by epoch."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ...activations import get_activation
from ...findings import Finding
from ...losses import Loss
from ..cases import Case
from ..interfaces import declare
from ..profile import Profile
from ..protocols import (
    LayerNetwork,
    call,
)
from ..schemes import RANDOM_SAMPLE, Path, Scheme, epoch_paths, parse_scheme, weight_of
from .common import (
    Evidence,
    Explanation,
    Factory,
    _gradient_evidence,
    compare_exact,
    delta_estimates,
    evidence_from,
    layer_label,
    moves_of,
    pre_activations,
    prepare,
    weight_estimates,
)
from .identities import INTEGER_ADVICE

STALE_WEIGHTS = (
    "layer {number} moved by exactly the step whose delta was backpropagated through the already-updated "
    "weights of the layer to its right (stale weights): update a layer only after the layer to its left "
    "has computed its delta"
)
FIT_FOLLOWS_LAYERS = (
    "fit moved layer {number} as forward, backward and update do, {within}: fit drives the layers "
    "correctly, and the error is in them (see the checks above)"
)

PROBED = (
    "(seen on the battery's probe rows, once a run, before any case was drawn: the smallest case below "
    "is only where the search stopped)"
)
BIAS_ELSEWHERE = (
    "fit moved layer {number} as one step on x with the constant 1 {other} does, {within}: fit takes the 1 "
    "{other}, not {bias} as the battery was told; declare {declared}"
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
    moves, rounding = moves_of(before, after, lr, net.precision)

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
                explanations[number - 1].append(
                    (move, Finding("stale-weights", STALE_WEIGHTS.format(number=number), {"layer": number}))
                )
        refreshed = _refreshed_moves(x1, deltas, after, case.activation)
        for number, move in enumerate(refreshed[1:], 2):
            explanations[number - 1].append((move, Finding(
                "wrong-left-activation", REFRESHED_INPUT.format(number=number, within="{within}"),
                {"layer": number, "input": "recomputed after the update"})))
        other = "last" if profile.bias == "first" else "first"
        if profile.layout_of("fit") == other:  # fit was seen to take the 1 at the other end
            probe.set_weights(before)
            elsewhere = probe.forward(profile.but(bias=other).with_one(case.x))
            probe.backward(case.y)
            probe.update(lr, elsewhere)
            for number, move in enumerate(moves_of(before, probe.copy_weights(), lr)[0], 1):
                explanations[number - 1].insert(0, (move, Finding("bias-layout", BIAS_ELSEWHERE.format(
                    number=number, other=other, bias=profile.bias, within="{within}",
                    declared=declare("bias", other, profile.interface)),
                    {"layer": number, "fit": other, "assumed": profile.bias})))
        probe.set_weights(before)
        stepped_seen = probe.forward(x1)
        probe.backward(case.y)
        probe.update(lr, stepped_seen)
        for number, move in enumerate(moves_of(before, probe.copy_weights(), lr)[0], 1):
            explanations[number - 1].append(
                (move, Finding("inherited", FIT_FOLLOWS_LAYERS.format(number=number, within="{within}"),
                               {"layer": number, "from": "the layers"}))
            )
        return explanations

    evidence = _gradient_evidence(
        moves,
        estimates,
        case,
        "one epoch of fit on one sample (÷ learning rate)",
        before,
        explain=explain,
        rounding=rounding,
        step=True,
    )
    return evidence if evidence.failing else _integer_fit(net, case, evidence)


def _integer_fit(net: LayerNetwork, case: Case, passed: Evidence) -> Evidence:
    """fit on one row given as integer arrays (X of integers from −2 to 2, y rounded: XOR as the article
    writes it) moves the weights exactly as on the same values as floats (input-dtype when it does not),
    both from the weights the network holds now."""
    X, Y = case.integer_x()[None, :], np.rint(case.y)[None, :] + 0.0  # + 0.0: no −0 in the report
    before = net.copy_weights()
    landed: list[list[NDArray]] = []
    for dtype in (float, np.int64):
        if landed:
            net.set_weights(before)
        call("fit(X, y, learning_rate, epochs=1)", net.network.fit, X.astype(dtype), Y.astype(dtype),
             case.learning_rate, 1)
        landed.append(net.copy_weights())
    comparisons = [compare_exact(layer_label(n, len(before)), "W", i, f)
                   for n, (i, f) in enumerate(zip(landed[1], landed[0], strict=True), 1)]
    evidence = evidence_from(comparisons, "fit on integer arrays")
    if not evidence.failing:
        return passed
    differ = sum(c.n_mismatched for c in comparisons)
    gap = max(float(np.max(np.abs(c.analytic - c.expected))) for c in comparisons)
    shown = ", ".join(str(int(v)) for v in X[0])
    targets = ", ".join(f"{v:g}" for v in Y[0])
    sentence = (f"fit(X, y, learning_rate, epochs=1) on X = [[{shown}]] and y = [[{targets}]] as integer "
                f"arrays moved the weights differently from the same values as floats: {differ} of "
                f"{sum(w.size for w in before)} weights differ, by up to {gap:.3g}; {INTEGER_ADVICE}")
    evidence.summary = "fit on integer arrays moves the weights differently from fit on their floats"
    evidence.weights = passed.weights  # the case's weights, as the reproduce line builds them
    return evidence.found(Finding("input-dtype", sentence, {"x": [int(v) for v in X[0]]}))


def fit_two_samples(factory: Factory, case: Case, loss: Loss, profile: Profile) -> Evidence:
    """The second epoch must be the fit's scheme's step from wherever the first one landed.

    Two identical rows, so whichever row fit picks (or in whichever order), both epochs step on the
    same sample; the first step is the implementation's own (fit-one-sample judges it), so only the
    second is judged here, against the numerical gradient at the weights the first step produced:
    one gradient for one random sample or a mean, the two rows' sum for a summed batch, two steps in
    turn for per-sample training.  The scheme itself was probed on distinct rows, once a run
    (backprop.battery.conventions); a fit that follows none, or not the declared one, fails here.
    """
    failure = profile.scheme_failure
    if failure is not None:
        details = "\n".join(filter(None, (failure.details, PROBED)))
        return Evidence("failed", where="fit", summary=failure.summary, details=details,
                        findings=list(failure.findings))
    scheme = parse_scheme(profile.scheme or RANDOM_SAMPLE)
    path = epoch_paths(scheme, 2)[0]  # on identical rows, every path of the epoch lands in the same place
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
    second = epoch_estimates(net, middle, x1, case.y, loss, scheme, path, lr)
    moves, rounding = moves_of(middle, observed, lr, net.precision)
    factor = weight_of(scheme, path[0]) * len(path[0])

    def explain() -> list[list[Explanation]]:
        """A second step through the right layer's weights from before the first step (a stale copy)."""
        explanations: list[list[Explanation]] = [[] for _ in moves]
        if len(moves) > 1 and len(path) == 1:
            deltas = delta_estimates(net, x1, case.y, loss)
            seen = net.forward(x1)
            stale = _stale_moves(seen, pre_activations(net, seen), deltas[-1].value, before, case.activation)
            for number, move in enumerate(stale, 1):
                explanations[number - 1].append(
                    (factor * move, Finding(
                        "stale-weights", CACHED_WEIGHTS.format(number=number, within="{within}"),
                        {"layer": number, "cached": True}))
                )
        return explanations

    notes = [
        f"(the second epoch's step W₁ − W₂, ÷ learning rate, against {_expected(scheme, path)} at W₁ where "
        f"the first epoch landed; fit trains by {scheme.name}: {scheme.describe()})"
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
        step=True,
    )


def _expected(scheme: Scheme, path: Path) -> str:
    if len(path) > 1:
        return f"{len(path)} steps' ∇L in turn, one per row"
    factor = weight_of(scheme, path[0]) * len(path[0])
    return "∇L" if factor == 1 else f"{factor:g} × ∇L (the {len(path[0])} rows' gradients summed)"


def epoch_estimates(
    net: LayerNetwork, weights: list[NDArray], x1: NDArray, y: NDArray, loss: Loss, scheme: Scheme,
    path: Path, lr: float,
) -> list[Any]:
    """What one epoch of the scheme on rows that are all (x1, y) moves the weights by (÷ lr), as
    numerical estimates: each batch's step taken from where the one before it landed.  A later step's
    budget also carries the earlier ones', since it starts from their estimated landing."""
    total: list[Any] | None = None
    current = [w.copy() for w in weights]
    for batch in path:
        net.set_weights(current)
        step = [_scaled(e, weight_of(scheme, batch) * len(batch)) for e in weight_estimates(net, x1, y, loss)]
        total = step if total is None else [_added(t, s) for t, s in zip(total, step, strict=True)]
        current = [w - lr * e.value for w, e in zip(current, step, strict=True)]
    net.set_weights(weights)
    assert total is not None
    return total


def _scaled(estimate: Any, factor: float) -> Any:
    if factor == 1:
        return estimate
    return dataclasses.replace(
        estimate, value=factor * estimate.value, budget=abs(factor) * estimate.budget,
        lower=factor * estimate.lower, upper=factor * estimate.upper,
        term_scale=None if estimate.term_scale is None else abs(factor) * estimate.term_scale,
    )


def _added(first: Any, second: Any) -> Any:
    return dataclasses.replace(
        second, value=first.value + second.value, budget=2 * first.budget + second.budget,
        kink_mask=first.kink_mask | second.kink_mask, lower=first.lower + second.lower,
        upper=first.upper + second.upper, kinks=[*first.kinks, *second.kinks],
        term_scale=None if first.term_scale is None or second.term_scale is None
        else first.term_scale + second.term_scale,
    )
