"""predict-is-forward and batch-is-sum: two computations of the same thing that must agree."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ...activations import get_activation
from ...losses import LOSSES, Loss
from .. import diagnosis
from ..cases import Case
from ..profile import Profile
from ..protocols import (
    LayerNetwork,
    ModelNetwork,
    PluginError,
    as_array,
    call,
)
from .common import (
    EXACT_TOLERANCE,
    Evidence,
    Factory,
    compare_exact,
    evidence_from,
    layer_label,
    prepare,
    step_rounding,
    units_on_a_kink,
)

# --------------------------------------------------------------------------- predict, batch


def predict_is_forward(factory: Factory, case: Case, loss: Loss, profile: Profile) -> Evidence:
    net = prepare(factory, case, profile)
    if isinstance(net, ModelNetwork):
        prediction = net.predict(case.x, case.n_outputs)
        own = net.loss(case.x, case.y)
        declared = float(np.real(loss(prediction, case.y)))
        comparison = compare_exact(
            "loss(x, y) against the declared loss of predict(x)",
            "value",
            np.array([own]),
            np.array([declared]),
        )
        evidence = evidence_from([comparison], "loss(x, y)")
        if evidence.failing:
            evidence.where = "loss(x, y)"
            evidence.details = f"loss(x, y) = {own:.6g} but {loss.name}(predict(x), y) = {declared:.6g}"
            for other in LOSSES.values():
                value = float(np.real(other(prediction, case.y)))
                if other.name != loss.name and abs(value - own) <= EXACT_TOLERANCE * max(abs(own), 1.0):
                    evidence.diagnosis = (
                        f"loss(x, y) equals {other.name}(predict(x), y) = {value:.6g}: the model "
                        f"computes {other.description}; declare it with --loss {other.name}"
                    )
        return evidence
    prediction = as_array("predict(x)", call("predict(x)", net.network.predict, case.x.copy()))
    seen = net.forward(net.with_one(case.x))
    output = seen[-1]
    if prediction.size != output.size:
        raise PluginError(f"predict(x) returned {prediction.size} values but forward gives {output.size}")
    comparison = compare_exact("the output", "unit", prediction.reshape(output.shape), output)
    evidence = evidence_from([comparison], "predict(x) against the chained forward passes")
    if evidence.failing:
        evidence.where = f"output unit {comparison.worst_index[-1]}"
        evidence.diagnosis = _predict_diagnosis(net, case.x, prediction.reshape(output.shape))
    return evidence


def _outputs(count: int) -> str:
    return "the only output" if count == 1 else f"all {count} outputs"


def _predict_diagnosis(net: LayerNetwork, x: NDArray, prediction: NDArray) -> str | None:
    """What predict(x) computes instead: the forward passes of x with its constant 1 put last."""
    if x.size == 0 or np.all(x == 1.0):
        return None  # [1, x] and [x, 1] are the same input: no evidence either way
    bias_last = net.forward(np.concatenate((x, np.ones(1))))[-1]
    gap = diagnosis.agreement(prediction, bias_last)
    if gap is None:
        return None
    return (
        f"predict(x) equals the forward passes of x with the constant 1 appended after the inputs "
        f"{diagnosis.within(gap)} in {_outputs(prediction.size)}, while the layers (and fit) take it "
        "first: put the 1 before x in predict"
    )


def batch_is_sum(factory: Factory, case: Case, loss: Loss, profile: Profile) -> Evidence:
    net = prepare(factory, case, profile)
    assert isinstance(net, LayerNetwork)
    before = net.copy_weights()
    xs, ys = case.extra_samples(loss, 1)
    X = np.vstack([case.x, xs])
    Y = np.vstack([case.y, ys])
    lr = case.learning_rate
    total = [np.zeros_like(w) for w in before]
    on_kink = 0
    kinked = get_activation(case.activation).has_kink
    for x, y in zip(X, Y, strict=True):
        net.set_weights(before)
        if kinked:
            on_kink += sum(int(np.count_nonzero(m)) for m in units_on_a_kink(net, net.with_one(x)) or [])
        seen = net.forward(net.with_one(x))
        net.backward(y)
        net.update(lr, seen)
        total = [t + (b - a) for t, b, a in zip(total, before, net.copy_weights(), strict=True)]
    net.set_weights(before)
    seen = net.forward(net.with_one(X))
    if on_kink:  # f' of a z within rounding of the kink may differ between the batch and the samples
        return Evidence(
            "passed",
            summary=f"not an exact identity in this case: {on_kink} pre-activation(s) lie within rounding "
            "of the activation's kink, where the batch and the single samples may legitimately take "
            "different one-sided derivatives",
        )
    net.backward(Y, batch=len(X))
    net.update(lr, seen)
    batch = [b - a for b, a in zip(before, net.copy_weights(), strict=True)]
    comparisons = []
    for number, (got, want) in enumerate(zip(batch, total, strict=True), 1):
        rounding = len(X) * step_rounding(before[number - 1], before[number - 1] - got, lr)
        comparison = compare_exact(layer_label(number, len(batch)), "W", got / lr, want / lr, extra=rounding)
        if not comparison.passed:
            gap = diagnosis.agreement(got, want / len(X))
            if gap is not None:
                comparison.diagnosis = (
                    "the batch update equals the mean of the one-sample updates "
                    f"{diagnosis.within(gap)}, not their sum: a batch's loss is the sum of its samples' "
                    "losses, so aᵀδ must not be divided by the batch size"
                )
            else:
                comparison.diagnosis = diagnosis.diagnose(got, want)
        comparisons.append(comparison)
    evidence = evidence_from(
        comparisons,
        "the batch update (÷ learning rate)",
        [f"(a batch of {len(X)} samples against the sum of their one-sample updates)"],
    )
    evidence.weights = before
    return evidence
