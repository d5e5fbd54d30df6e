"""predict-is-forward and batch-is-sum: two computations of the same thing that must agree."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from ...activations import get_activation
from ...findings import Finding
from ...losses import LOSSES, Loss
from .. import diagnosis
from ..cases import Case
from ..interfaces import declare
from ..profile import Profile
from ..protocols import (
    LayerNetwork,
    ModelNetwork,
    PluginError,
    as_array,
    call,
)
from . import penalty
from .common import (
    EXACT_TOLERANCE,
    Comparison,
    Evidence,
    Factory,
    compare_exact,
    evidence_from,
    layer_label,
    moves_of,
    parameter_labels,
    prepare,
    step_rounding,
    units_on_a_kink,
)
from .derived import step_moves
from .overflow import forward_finding, large_weights, numbers

# --------------------------------------------------------------------------- predict, batch


def predict_is_forward(factory: Factory, case: Case, loss: Loss, profile: Profile) -> Evidence:
    """predict(x) is the forward pass of x alone: whatever ran before it, whether x holds integers or
    floats, and finite at large weights where the activation is not exposed (see .overflow)."""
    net = prepare(factory, case, profile)
    if isinstance(net, ModelNetwork):
        return _model_predict(net, case, loss, profile)
    other = case.integer_x()
    before = net.forward(net.with_one(other))[-1]  # a forward pass on another sample, just before
    prediction = as_array("predict(x)", call("predict(x)", net.network.predict, case.x.copy()))
    output = net.forward(net.with_one(case.x))[-1]
    if prediction.size != output.size:
        raise PluginError(f"predict(x) returned {prediction.size} values but forward gives {output.size}")
    prediction = prediction.reshape(output.shape)
    comparison = compare_exact("the output", "unit", prediction, output)
    evidence = evidence_from([comparison], "predict(x) against the chained forward passes")
    if evidence.failing:
        evidence.where = f"output unit {comparison.worst_index[-1]}"
        evidence.summary = "predict(x) differs from the chained forward passes on x"
        _bias_diagnosis(net, case.x, prediction, profile, evidence)
        if evidence.diagnosis is None:
            evidence.found(_not_forward(comparison, {"the forward pass run just before it on another sample":
                                                     before}))
        return evidence
    integers = as_array("predict(x) of integers",
                        call("predict(x)", net.network.predict, other.astype(np.int64)), (before.size,))
    integer = _integer_evidence(integers.reshape(before.shape), before, other, prediction, output)
    if integer.failing or {"activation", "activation_prime"} <= net.offers:  # those are probed themselves
        return _worst(integer, evidence)
    return _worst(_large_weights(net, case, "weight"), integer, evidence)


def _worst(last: Evidence, *passed: Evidence) -> Evidence:
    """The last stage's evidence; when it passed too, with the worst error of every stage."""
    if not last.failing:
        last.rel_error = max((e.rel_error or 0.0 for e in (last, *passed)), default=0.0)
    return last


def _difference(comparison: Comparison) -> str:
    i = comparison.worst_index
    gap = float(np.abs(comparison.analytic[i] - comparison.expected[i]))
    return (f"{comparison.n_mismatched} of {comparison.analytic.size} output(s) differ, by up to {gap:.3g} "
            f"({float(comparison.analytic[i]):.6g} against {float(comparison.expected[i]):.6g})")


def _not_forward(comparison: Comparison, earlier: dict[str, NDArray], call_: str = "predict(x)") -> Finding:
    """predict-not-forward: what predict(x) equals of the outputs computed before it (a cached output),
    else how far it is from the forward pass of x."""
    for what, value in earlier.items():
        gap = diagnosis.agreement(comparison.analytic, value)
        if gap is not None and diagnosis.agreement(comparison.expected, value) is None:
            sentence = (f"{call_} equals the output of {what}, {diagnosis.within(gap)} in "
                        f"{_outputs(value.size)}, not the forward pass of its own input: "
                        f"{_difference(comparison)}; it returns an output cached from an earlier call "
                        "instead of computing it")
            return Finding("predict-not-forward", sentence, {"cached": what})
    sentence = f"{call_} is not the forward pass of its input: {_difference(comparison)}"
    return Finding("predict-not-forward", sentence, {})


def _integer_evidence(
    integers: NDArray, floats: NDArray, x: NDArray, *earlier: NDArray, what: str = "the forward pass"
) -> Evidence:
    """predict of x as an integer array against `what` of the same values as floats: input-dtype when
    they differ and predict did not just return an earlier output (that is predict-not-forward)."""
    comparison = compare_exact("predict(x) of integers", "unit", integers, floats)
    evidence = evidence_from([comparison], "predict(x) with x as an integer array")
    if not evidence.failing:
        return evidence
    evidence.where, evidence.summary = "predict(x) of integers", f"predict(x) of integers differs from {what}"
    if any(diagnosis.agreement(integers, e) is not None for e in earlier if e.shape == integers.shape):
        return evidence.found(_not_forward(comparison, {"the call before it": earlier[-1]}, "predict(x′)"))
    shown = ", ".join(str(int(v)) for v in x)
    sentence = (f"predict(x) with x = [{shown}] as an integer array differs from {what} of the same values "
                f"as floats: {_difference(comparison)}; {INTEGER_ADVICE}")
    return evidence.found(Finding("input-dtype", sentence, {"x": [int(v) for v in x]}))


INTEGER_ADVICE = (
    "an integer input must give what its floats give: cast it (np.asarray(x, dtype=float)) before anything "
    "is written into an array of its dtype"
)


def _large_weights(net: LayerNetwork | ModelNetwork, case: Case, kind: str) -> Evidence:
    """predict at x = (1, …, 1) with every weight ±WEIGHTED_Z / inputs: finite where the maths is (the last
    requests of the check, as they leave the subject's weights changed)."""
    ones = np.ones(case.layers[0])
    shapes = [w.shape for w in net.weight_arrays()]
    for sign in (1.0, -1.0):
        value, weights = large_weights(shapes, case.layers[0], sign)
        out = numbers("predict(x)", net.request("method_at", weights, "predict", ones))
        finding = forward_finding("predict(x)", kind, value, case.layers[0], out)
        if finding is not None:
            return Evidence("failed", where="predict(x) at large weights", details=finding.sentence,
                            summary="predict(x) is not finite at large weights").found(finding)
    return Evidence("passed", 0.0)


def _model_predict(net: ModelNetwork, case: Case, loss: Loss, profile: Profile) -> Evidence:
    """predict(x) before and after the model computes on another sample, and of x as integers; its loss
    against the declared loss of predict(x) (when it has a loss); finite at large parameters."""
    prediction = net.predict(case.x, case.n_outputs)
    agreed = Evidence("passed")
    if "loss" in net.offers:
        agreed = _model_loss_agrees(net, case, loss, profile, prediction)
    if agreed.failing:
        return agreed
    other = case.integer_x()
    y_other = case.extra_samples(loss, 1)[1][0]
    if "gradients" in net.offers:
        ran = "gradients(x′, y′)"
        net.request("method", "gradients", other, y_other)
    else:
        ran = "step(x′, y′, lr)"
        before = net.copy_weights()
        net.step(other, y_other, case.learning_rate)
        net.set_weights(before)
    again = net.predict(case.x, case.n_outputs)
    comparison = compare_exact("the output", "unit", again, prediction)
    evidence = evidence_from([comparison], f"predict(x) after {ran} on another sample")
    if evidence.failing:
        evidence.where = f"output unit {comparison.worst_index[-1]}"
        evidence.summary = f"predict(x) changed when {ran} ran on another sample"
        sentence = (f"predict(x) changed when {ran} ran on another sample between two calls, with the same "
                    f"parameters: {_difference(comparison)}; predict must compute the forward pass of its "
                    "own x, not return what an earlier call left behind")
        return evidence.found(Finding("predict-not-forward", sentence, {"between": ran}))
    floats = net.predict(other, case.n_outputs)
    integers = net.predict(other.astype(np.int64), case.n_outputs)
    integer = _integer_evidence(integers, floats, other, what="predict(x)")
    if integer.failing:
        return integer
    return _worst(_large_weights(net, case, "parameter"), integer, evidence, agreed)


def _model_loss_agrees(
    net: ModelNetwork, case: Case, loss: Loss, profile: Profile, prediction: NDArray
) -> Evidence:
    """loss(x, y) against the declared loss of predict(x): loss-mismatch when it is another known loss."""
    own = net.loss(case.x, case.y)
    declared = float(np.real(loss(prediction, case.y)))
    # Both at the model's precision: a float32 model's own loss comes back as a Python float.
    comparison = compare_exact(
        "loss(x, y) against the declared loss of predict(x)",
        "value",
        net.computed(np.array([own])),
        net.computed(np.array([declared])),
    )
    evidence = evidence_from([comparison], "loss(x, y)")
    if evidence.failing:
        evidence.where = "loss(x, y)"
        evidence.details = f"loss(x, y) = {own:.6g} but {loss.name}(predict(x), y) = {declared:.6g}"
        for other in LOSSES.values():
            with np.errstate(all="ignore"):  # another loss may be undefined here (bce outside (0, 1))
                value = float(np.real(other(prediction, case.y)))
            within = max(EXACT_TOLERANCE, float(comparison.budget[0]) / max(abs(declared), 1.0))
            if other.name != loss.name and abs(value - own) <= within * max(abs(own), 1.0):
                evidence.found(Finding(
                    "loss-mismatch",
                    f"loss(x, y) equals {other.name}(predict(x), y) = {value:.6g}: the model "
                    f"computes {other.description}; declare it with "
                    f"{declare('loss', other.name, profile.interface)}",
                    {"loss": other.name, "declared": loss.name},
                ))
    return evidence


def _outputs(count: int) -> str:
    return "the only output" if count == 1 else f"all {count} outputs"


def _bias_diagnosis(
    net: LayerNetwork, x: NDArray, prediction: NDArray, profile: Profile, evidence: Evidence
) -> None:
    """predict(x) is the forward passes of x with its constant 1 at the other end: a bias-layout finding
    when fit puts it where the battery did (predict and fit disagree), else a hint to declare it."""
    other = "last" if profile.bias == "first" else "first"
    if x.size == 0 or np.all(x == 1.0):
        return  # [1, x] and [x, 1] are the same input: no evidence either way
    gap = diagnosis.agreement(prediction, net.forward(profile.but(bias=other).with_one(x))[-1])
    if gap is None:
        return
    put = "appended after" if other == "last" else "put before"
    said = (f"predict(x) equals the forward passes of x with the constant 1 {put} the inputs "
            f"{diagnosis.within(gap)} in {_outputs(prediction.size)}")
    if profile.layout_of("fit") == profile.bias:
        where = "before" if profile.bias == "first" else "after"
        evidence.found(Finding("bias-layout",
                               f"{said}, while fit puts it {where} them: put the 1 where fit puts it in "
                               "predict",
                               {"predict": other, "fit": profile.bias}))
    else:
        evidence.found(Finding("bias-layout",
                               f"{said}, while the battery put it {profile.bias}: if that is where your "
                               f"layers expect it, declare it ({declare('bias', other, profile.interface)})",
                               {"predict": other, "assumed": profile.bias}))


def batch_is_sum(factory: Factory, case: Case, loss: Loss, profile: Profile) -> Evidence:
    net = prepare(factory, case, profile)
    if isinstance(net, ModelNetwork):
        return _model_batch(net, case, loss)
    before = net.copy_weights()
    xs, ys = case.extra_samples(loss, 1)
    X = np.vstack([case.x, xs])
    Y = np.vstack([case.y, ys])
    lr = case.learning_rate
    samples: list[list[NDArray]] = []
    on_kink = 0
    kinked = get_activation(case.activation).has_kink
    for x, y in zip(X, Y, strict=True):
        net.set_weights(before)
        if kinked:
            on_kink += sum(int(np.count_nonzero(m)) for m in units_on_a_kink(net, net.with_one(x)) or [])
        seen = net.forward(net.with_one(x))
        net.backward(y)
        net.update(lr, seen)
        samples.append(moves_of(before, net.copy_weights(), lr, net.precision)[0])
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
    batch = moves_of(before, net.copy_weights(), lr, net.precision)[0]
    comparisons = [
        batch_comparison(
            layer_label(number, len(batch)), "W", got, [s[number - 1] for s in samples], "sum",
            len(X) * step_rounding(before[number - 1], before[number - 1] - lr * got, lr),
            "the batch update", "updates", LAYER_MEAN_HINT,
        )
        for number, got in enumerate(batch, 1)
    ]
    evidence = evidence_from(
        comparisons,
        "the batch update (÷ learning rate)",
        [f"(a batch of {len(X)} samples against the sum of their one-sample updates)"],
    )
    evidence.weights = before
    return evidence


LAYER_MEAN_HINT = (
    ": a batch's loss is the sum of its samples' losses, so aᵀδ must not be divided by the batch size"
)
MODEL_BATCH = 3
"""Rows of a model-level batch (not 2, so that its factor is not taken for the factor 2 of other mistakes)."""


def batch_comparison(
    label: str,
    index_name: str,
    got: NDArray,
    samples: Sequence[NDArray],
    reduction: str,
    extra: NDArray,
    what: str,
    per_sample: str,
    hint: str,
) -> Comparison:
    """A batch's result against the sum (or mean) of its samples' results; a batch that gives the other
    reduction is a constant factor, the batch size, stated as a finding."""
    count = len(samples)
    total = np.sum(samples, axis=0)
    want = total if reduction == "sum" else total / count
    comparison = compare_exact(label, index_name, got, want, extra=extra)
    if not comparison.passed:
        other, name = (total / count, "mean") if reduction == "sum" else (total, "sum")
        gap = diagnosis.agreement(got, other)
        if gap is not None:
            factor = 1 / count if reduction == "sum" else float(count)
            size = f"1/{count}" if reduction == "sum" else f"{count}"
            sentence = (f"{what} equals the {name} of the one-sample {per_sample} {diagnosis.within(gap)}, "
                        f"not their {reduction} (a factor {size}: the batch size){hint}")
            comparison.finding = Finding("scaled", sentence, {"factor": factor, "batch": count, "got": name})
        else:
            comparison.finding = diagnosis.diagnose(got, want, batch=count)
    return comparison


def _model_batch(net: ModelNetwork, case: Case, loss: Loss) -> Evidence:
    """gradients(X, Y) and step(X, Y, lr) on a batch against the per-sample results, combined as the
    model's `reduction` declares (undeclared: the sum, as a batch's loss is the sum of its samples')."""
    declared = net.description.get("reduction")
    reduction = net.profile.reduction or declared or "sum"
    if reduction not in ("sum", "mean"):
        raise PluginError(f'the model\'s reduction is {reduction!r}; it must be "mean" or "sum"')
    hint = ("" if declared else
            ': the model declares no reduction, and a batch\'s loss is the sum of its samples\'; if the mean '
            'is meant, declare it with the attribute reduction = "mean"')
    xs, ys = case.extra_samples(loss, MODEL_BATCH - 1)
    X, Y = np.vstack([case.x, xs]), np.vstack([case.y, ys])
    before = net.copy_weights()
    labels, index_name = parameter_labels(net)
    shapes = [w.shape for w in before]
    comparisons: list[Comparison] = []
    for name in ("gradients", "step"):
        if name not in net.offers:
            continue
        if name == "gradients":
            samples = [net.gradients(x, y, shapes) for x, y in zip(X, Y, strict=True)]
            got = net.gradients(X, Y, shapes)
            extra = [np.zeros(s) for s in shapes]
        else:
            moved = [step_moves(net, x, y, case.learning_rate) for x, y in zip(X, Y, strict=True)]
            samples = [m for m, _ in moved]
            got, rounding = step_moves(net, X, Y, case.learning_rate)
            extra = [r + sum(m[1][i] for m in moved) for i, r in enumerate(rounding)]
        penalty_part = penalty.penalty_gradients(before, net.profile, model=True)
        for number, label in enumerate(labels):
            parts = [s[number] for s in samples]
            if reduction == "sum" and net.profile.l2:  # the penalty is in each sample's result once
                parts = [p - penalty_part[number] for p in parts[:-1]] + parts[-1:]
            comparisons.append(batch_comparison(
                f"{label} ({name})", index_name, got[number], parts, reduction, extra[number],
                f"{name}({'X, Y' if name == 'gradients' else 'X, Y, lr'}) on a batch of {len(X)}",
                "results", hint,
            ))
    evidence = evidence_from(
        comparisons, f"the batch's gradient and step (reduction: {reduction})",
        [f"(a batch of {len(X)} samples against the {reduction} of their one-sample results)"],
    )
    evidence.weights = before
    if evidence.failing and not any(f.kind == "scaled" for f in evidence.findings):
        evidence.found(_first_target(net, X, Y, case.learning_rate, reduction, shapes, got))
    return evidence


def _first_target(
    net: ModelNetwork, X: NDArray, Y: NDArray, lr: float, reduction: str, shapes: list[tuple[int, ...]],
    got: list[NDArray],
) -> Finding | None:
    """wrong-target when the batch's result (the last one computed: step's when offered) is the sum or mean
    of the one-sample results with the first row's target for every row."""
    name = "step" if "step" in net.offers else "gradients"
    if name == "gradients":
        samples = [net.gradients(x, Y[0], shapes) for x in X]
    else:
        samples = [step_moves(net, x, Y[0], lr)[0] for x in X]
    total = [np.sum([s[k] for s in samples], axis=0) for k in range(len(shapes))]
    want = total if reduction == "sum" else [t / len(X) for t in total]
    gaps = [diagnosis.agreement(g, w) for g, w in zip(got, want, strict=True)]
    if any(gap is None for gap in gaps) or not any(np.any(g != 0) for g in got):
        return None
    gap = max(gap for gap in gaps if gap is not None)
    call_ = "gradients(X, Y)" if name == "gradients" else "step(X, Y, lr)"
    sentence = (f"{call_} on a batch of {len(X)} equals the {reduction} of the one-sample results with the "
                f"first row's target for every row, {diagnosis.within(gap)}: each row must be trained on its "
                "own target Y[i]")
    return Finding("wrong-target", sentence, {"call": call_, "rows": len(X)})
