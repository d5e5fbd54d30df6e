"""weight-gradient and update-is-sgd-step: aᵀδ, and the move update makes, against ∂L/∂W."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ...findings import Finding
from ...losses import Loss
from ...numerical.steps import coarsest
from ..cases import Case
from ..profile import Profile
from ..protocols import (
    GradientShapeError,
    LayerNetwork,
    ModelNetwork,
    as_array,
)
from . import penalty, suspected
from .common import (
    Evidence,
    Explanation,
    Factory,
    _gradient_evidence,
    compare_estimate,
    delta_estimates,
    model_estimates,
    moves_of,
    parameter_labels,
    prepare,
    weight_estimates,
)
from .derived import derived_gradient, model_gradient, rate_disagreement

# --------------------------------------------------------------------------- weight gradient and update


def weight_gradient(factory: Factory, case: Case, loss: Loss, profile: Profile) -> Evidence:
    net = prepare(factory, case, profile)
    weights = net.copy_weights()
    if isinstance(net, ModelNetwork):
        return model_gradient_evidence(net, case, loss, from_step="gradients" not in net.offers)
    x1 = net.with_one(case.x)
    estimates = weight_estimates(net, x1, case.y, loss)  # aᵀδ is the data loss's gradient: no penalty
    seen = net.forward(x1)
    deltas = net.backward(case.y)
    grads = []
    for number, (a, delta, w) in enumerate(zip(seen, deltas, net.weight_arrays(), strict=False), 1):
        outer = np.outer(a, delta).astype(coarsest(w.dtype, net.precision))  # keep float32's rounding
        grads.append(as_array(f"layer {number}'s aᵀδ", outer, w.shape))

    def explain() -> list[list[Explanation]]:
        found: list[list[Explanation]] = []
        for number, (delta, estimate) in enumerate(zip(deltas, delta_estimates(net, x1, case.y, loss)), 1):
            own = compare_estimate("", "unit", delta.ravel(), estimate)
            inherited = Finding("inherited", WRONG_DELTA.format(number=number, error=own.max_rel_error),
                                {"layer": number, "from": "delta", "error": own.max_rel_error})
            found.append([] if own.passed else [(None, inherited)])
        return found

    def suspect(judged: Sequence[Any]) -> list[Finding]:
        return suspected.findings(net, case, loss, grads, judged, "every layer's weight gradient", seen=seen,
                                  penalised=False)

    return _gradient_evidence(grads, estimates, case, "the weight gradient aᵀδ", weights, explain=explain,
                              suspect=suspect)



WRONG_DELTA = (
    "layer {number}'s delta is itself wrong (relative error {error:.1e} against ∂L/∂z, see the delta "
    "checks), and aᵀδ inherits it"
)
UPDATE_FOLLOWS_DELTA = (
    "layer {number} moved by learning rate × aᵀδ of its own stored delta {within}: update applies the "
    "step correctly, and the error is in the delta (see the delta checks)"
)

def update_is_sgd_step(factory: Factory, case: Case, loss: Loss, profile: Profile) -> Evidence:
    net = prepare(factory, case, profile)
    before = net.copy_weights()
    lr = case.learning_rate
    if isinstance(net, ModelNetwork):
        return model_gradient_evidence(net, case, loss, from_step=True)
    x1 = net.with_one(case.x)
    data = weight_estimates(net, x1, case.y, loss)
    estimates = penalty.with_penalty(data, before, profile, model=False)
    moves, rounding, seen, deltas = layer_moves(net, x1, case.y, lr)
    explanations: list[list[Explanation]] = [
        [
            (
                np.outer(a, d),
                Finding("inherited", UPDATE_FOLLOWS_DELTA.format(number=number, within="{within}"),
                        {"layer": number, "from": "delta"}),
            )
        ]
        for number, (a, d) in enumerate(zip(seen, deltas, strict=False), 1)
    ]
    evidence = _gradient_evidence(
        moves,
        estimates,
        case,
        "the update (W_before − W_after) / learning rate",
        before,
        rounding=rounding,
        explain=lambda: explanations,
        suspect=lambda judged: suspected.findings(
            net, case, loss, moves, judged, "every layer's update ÷ the learning rate", seen=seen
        ),
        step=True,
    )
    if evidence.failing and not suspected.named(evidence.findings):
        xs, ys = case.extra_samples(loss, 1)
        x2 = net.with_one(xs[0])
        other = weight_estimates(net, x2, ys[0], loss)
        samples = [(moves, data), (layer_moves(net, x2, ys[0], lr)[0], other)]
        found = penalty.regularisation_finding(samples, before, profile, False, "the update")
        evidence.found(found, first=True)
    return evidence


def layer_moves(
    net: LayerNetwork, x1: NDArray, y: NDArray, lr: float
) -> tuple[list[NDArray], list[NDArray], list[NDArray], list[NDArray]]:
    """(W_before − W_after) / lr of forward, backward then update on one sample, its rounding, the inputs
    the layers saw and their deltas; the weights are put back."""
    before = net.copy_weights()
    seen = net.forward(x1)
    deltas = net.backward(y)
    net.update(lr, seen)
    moves, rounding = moves_of(before, net.copy_weights(), lr, net.precision)
    net.set_weights(before)
    return moves, rounding, seen, deltas


def model_gradient_evidence(net: ModelNetwork, case: Case, loss: Loss, from_step: bool) -> Evidence:
    """gradients(x, y), or the gradient derived from step(x, y, lr) at two learning rates, against the
    numerical gradient of the declared loss (and penalty); what a wrong one carries, measured."""
    weights = net.copy_weights()
    data = model_estimates(net, case, loss, penalised=False)
    estimates = penalty.with_penalty(data, weights, net.profile, model=True)
    labels, index_name = parameter_labels(net)
    try:
        gradient = (derived_gradient if from_step else model_gradient)(net, case, case.x, case.y)
    except GradientShapeError as error:
        found = suspected.wrong_axis(error, estimates, labels)
        if found is None:
            raise
        return Evidence("failed", None, labels[error.index], f"the weight gradient of {labels[error.index]} "
                        "is misshapen", str(error), weights=weights).found(found)
    what = "the gradient derived from step(x, y, lr)" if from_step else "the weight gradient"
    every = "every parameter's move ÷ the learning rate" if from_step else "every parameter's gradient"
    evidence = _gradient_evidence(
        gradient.values, estimates, case, what, weights, model=net, rounding=gradient.rounding,
        suspect=lambda judged: (
            suspected.findings(net, case, loss, gradient.values, judged, every, labels=labels)
            or suspected.frozen_arrays(gradient.values, judged, labels, what)
        ),
        step=from_step,
    )
    evidence.note = gradient.note
    disagreement = rate_disagreement(gradient, labels, estimates, index_name)
    if disagreement is not None:
        where, details, finding = disagreement
        if not evidence.failing:
            evidence = Evidence("failed", None, where, f"{what} differs between the two learning rates",
                                details, weights=weights, note=gradient.note)
        else:
            evidence.details += "\n" + details
        evidence.found(finding, first=True)
    elif evidence.failing and not suspected.named(evidence.findings):
        xs, ys = case.extra_samples(loss, 1)
        again = model_gradient(net, case, xs[0], ys[0], two_rates=False).values
        samples = [(gradient.values, data), (again, model_estimates(net, case, loss, False, xs[0], ys[0]))]
        found = penalty.regularisation_finding(samples, weights, net.profile, True, what)
        evidence.found(found, first=True)
    return evidence
