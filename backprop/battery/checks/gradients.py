"""weight-gradient and update-is-sgd-step: aᵀδ, and the move update makes, against ∂L/∂W."""

from __future__ import annotations

import numpy as np

from ...losses import Loss
from ..cases import Case
from ..profile import Profile
from ..protocols import (
    ModelNetwork,
    as_array,
)
from .common import (
    Evidence,
    Explanation,
    Factory,
    _gradient_evidence,
    compare_estimate,
    delta_estimates,
    model_estimates,
    moves_of,
    prepare,
    weight_estimates,
)

# --------------------------------------------------------------------------- weight gradient and update


def weight_gradient(factory: Factory, case: Case, loss: Loss, profile: Profile) -> Evidence:
    net = prepare(factory, case, profile)
    weights = net.copy_weights()
    if isinstance(net, ModelNetwork):
        params = net.weight_arrays()
        estimates = model_estimates(net, case, loss)
        grads = net.gradients(case.x, case.y, [p.shape for p in params])
        return _gradient_evidence(grads, estimates, case, "the weight gradient", weights, model=True)
    x1 = net.with_one(case.x)
    estimates = weight_estimates(net, x1, case.y, loss)
    seen = net.forward(x1)
    deltas = net.backward(case.y)
    grads = []
    for number, (a, delta, w) in enumerate(zip(seen, deltas, net.weight_arrays(), strict=False), 1):
        outer = np.outer(a, delta).astype(np.promote_types(w.dtype, delta.dtype))  # keep float32's rounding
        grads.append(as_array(f"layer {number}'s aᵀδ", outer, w.shape))

    def explain() -> list[list[Explanation]]:
        found: list[list[Explanation]] = []
        for number, (delta, estimate) in enumerate(zip(deltas, delta_estimates(net, x1, case.y, loss)), 1):
            own = compare_estimate("", "unit", delta.ravel(), estimate)
            found.append(
                [] if own.passed else [(None, WRONG_DELTA.format(number=number, error=own.max_rel_error))]
            )
        return found

    return _gradient_evidence(grads, estimates, case, "the weight gradient aᵀδ", weights, explain=explain)



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
        estimates = model_estimates(net, case, loss)
        net.step(case.x, case.y, lr)
        moves, rounding = moves_of(before, net.copy_weights(), lr)
        return _gradient_evidence(
            moves,
            estimates,
            case,
            "the step (W_before − W_after) / learning rate",
            before,
            model=True,
            rounding=rounding,
        )
    x1 = net.with_one(case.x)
    estimates = weight_estimates(net, x1, case.y, loss)
    seen = net.forward(x1)
    deltas = net.backward(case.y)
    net.update(lr, seen)
    moves, rounding = moves_of(before, net.copy_weights(), lr)
    explanations: list[list[Explanation]] = [
        [
            (
                np.outer(a, d),
                (UPDATE_FOLLOWS_DELTA.format(number=number, within="{within}")),
            )
        ]
        for number, (a, d) in enumerate(zip(seen, deltas, strict=False), 1)
    ]
    return _gradient_evidence(
        moves,
        estimates,
        case,
        "the update (W_before − W_after) / learning rate",
        before,
        rounding=rounding,
        explain=lambda: explanations,
    )
