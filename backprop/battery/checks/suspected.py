"""Which usual mistake a wrong gradient (or delta, or step) is, measured from the numbers alone.

The judge rebuilds the network the implementation is (a model's layout found from its arrays' shapes
and confirmed by its own predict; the article's layers as they are, confirmed by their forward),
backpropagates it with each suspect mistake planted (`backprop.battery.suspects`), and names the first
suspect the implementation's arrays reproduce.  Nothing is named when the judge's own correct
gradient does not agree with the numerical one: then the judge's picture of the network is wrong, and
any resemblance would be a coincidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ...findings import Finding
from ...losses import Loss
from .. import diagnosis, layout, suspects
from ..cases import Case
from ..protocols import GradientShapeError, LayerNetwork, ModelNetwork, PluginError
from . import penalty

PREDICTIONS = 2
"""Samples on which predict(x) must equal the judge's forward of a layout: the case's x and one more."""


def named(findings: Sequence[Finding]) -> bool:
    """Whether a suspect is among the findings (then nothing else need be measured to explain them)."""
    return any("mistake" in f.params for f in findings)


def _budgets(estimates: Sequence[Any]) -> list[NDArray]:
    return [np.asarray(e.budget, dtype=float) for e in estimates]


def _confirmed(correct: Sequence[NDArray], estimates: Sequence[Any]) -> bool:
    """Whether the judge's correct arrays agree with the numerical estimates (its picture is right)."""
    return all(
        diagnosis.agreement(c, np.asarray(e.value, dtype=float), e.budget) is not None
        for c, e in zip(correct, estimates, strict=True)
    )


def model_layout(net: ModelNetwork, case: Case, loss: Loss) -> layout.Layout | None:
    """The layout of the model's parameter arrays, confirmed by its predict on PREDICTIONS samples."""
    if "predict" not in net.offers:
        return None
    xs = [case.x, *case.extra_samples(loss, PREDICTIONS - 1)[0]]
    try:
        predictions = [(x, net.predict(x, case.n_outputs, at_weights=True)) for x in xs]
    except PluginError:
        return None
    return layout.find_layout(net.weight_arrays(), case.layers, case.activation, loss, predictions)


def model_findings(
    net: ModelNetwork,
    case: Case,
    loss: Loss,
    gradients: Sequence[NDArray],
    estimates: Sequence[Any],
    labels: Sequence[str],
    what: str = "every parameter's gradient",
    of: str = "gradients",
) -> list[Finding]:
    """The suspects the model's gradients (from gradients(x, y) or its step), or its deltas (`of` =
    "deltas", judged against the estimates of its bias gradients), reproduce.

    `estimates` are those the arrays were judged against (with the declared penalty, if any): each
    suspect carries the same penalty, since the mistakes are in the data loss's backprop."""
    arrays = [a.copy() for a in net.weight_arrays()]
    found = model_layout(net, case, loss)
    if found is None:
        return []
    mapping = found
    reference = mapping.reference(arrays, case.activation, loss)
    correct, planted = suspects.backprops(reference, case.x, case.y)
    if of == "deltas":
        right = correct.deltas
    else:
        extra = penalty.penalty_gradients(arrays, net.profile, model=True)

        def convert(matrices: Sequence[NDArray]) -> list[NDArray]:
            return [g + p for g, p in zip(mapping.from_reference(matrices), extra, strict=True)]

        right = convert(correct.gradients)
        planted = [s.converted(convert) for s in planted]
    if len(right) != len(estimates) or not _confirmed(right, estimates):
        return []
    return suspects.explanations(gradients, right, planted, _budgets(estimates), labels, what, of)


def layer_backprop(
    net: LayerNetwork, case: Case, loss: Loss, seen: Sequence[NDArray]
) -> tuple[suspects.Backprop, list[suspects.Suspect]] | None:
    """The judge's backprop of the article's layers at their weights, with the suspects, when the
    layers' outputs in `seen` (what forward gave on seen[0]) are those of A = f(aW); else None."""
    weights = [np.asarray(w, dtype=float).copy() for w in net.weight_arrays()]
    reference = suspects.Reference(weights, case.activation, case.activation, loss, bias_per_layer=False)
    x1 = np.asarray(seen[0], dtype=float).ravel()
    with np.errstate(all="ignore"):
        outputs = reference.forward(x1)[2]
    for mine, theirs in zip(outputs, seen[1:], strict=True):
        if diagnosis.agreement(np.ravel(theirs), mine, 1e-12) is None:
            return None
    return suspects.backprops(reference, x1, case.y)


def layer_findings(
    net: LayerNetwork,
    case: Case,
    loss: Loss,
    seen: Sequence[NDArray],
    arrays: Sequence[NDArray],
    estimates: Sequence[Any],
    of: str = "gradients",
    what: str = "every layer's weight gradient",
    penalised: bool = False,
) -> list[Finding]:
    """The suspects the layers' weight gradients (or moves, or deltas: `of` = "deltas") reproduce."""
    found = layer_backprop(net, case, loss, seen)
    if found is None:
        return []
    correct, planted = found
    if of == "deltas":
        right = correct.deltas
        implementation = [np.ravel(a) for a in arrays]
    else:
        extra = (
            penalty.penalty_gradients(net.weight_arrays(), net.profile, model=False)
            if penalised
            else [np.zeros(np.shape(g)) for g in correct.gradients]
        )
        right = [g + p for g, p in zip(correct.gradients, extra, strict=True)]
        planted = [s.converted(lambda gs: [g + p for g, p in zip(gs, extra, strict=True)]) for s in planted]
        implementation = list(arrays)
    if len(estimates) != len(right) or not _confirmed(right, estimates):
        return []
    labels = [f"layer {number}" for number in range(1, len(right) + 1)]
    return suspects.explanations(implementation, right, planted, _budgets(estimates), labels, what, of)


def wrong_axis(
    error: GradientShapeError, estimates: Sequence[Any], labels: Sequence[str]
) -> Finding | None:
    """A bias gradient of one value per sample where its parameter has one per unit, which equals the
    sum of the right gradient over the units: reduced over the units' axis instead of the samples'."""
    value = np.ravel(error.values[error.index])
    shape = tuple(error.shapes[error.index])
    estimate = estimates[error.index]
    units = int(np.prod(shape))
    if value.size != 1 or units < 2 or len(shape) > 2 or (len(shape) == 2 and 1 not in shape):
        return None
    total = float(np.sum(np.asarray(estimate.value, dtype=float)))
    budget = float(np.sum(np.asarray(estimate.budget, dtype=float)))
    gap = diagnosis.agreement(value, np.array([total]), budget)
    if gap is None:
        return None
    right, wrong = (1, 0) if len(shape) == 2 and shape[1] == 1 else (0, 1)
    label, given = labels[error.index], tuple(np.shape(error.values[error.index]))
    return Finding(
        "wrong-axis",
        f"{label}'s gradient has shape {given} where {label} has shape {shape}, "
        f"and its one value equals the sum of ∂L/∂{label} over its {units} units {diagnosis.within(gap)}: "
        f"the bias gradient is summed over axis {wrong} (the units) where the sum belongs over axis {right} "
        "(the samples)",
        {"parameter": label, "axis": wrong, "expected_axis": right, "shape": list(given)},
    )


def frozen_arrays(
    gradients: Sequence[NDArray], estimates: Sequence[Any], labels: Sequence[str], what: str
) -> list[Finding]:
    """Whole arrays left at 0 where their gradient is not, every other array right: parameters the step
    (or the gradient) leaves out."""
    frozen, right = [], []
    for label, g, e in zip(labels, gradients, estimates, strict=True):
        value = np.asarray(e.value, dtype=float)
        if diagnosis.agreement(g, value, e.budget) is not None:
            right.append(label)
        elif not np.any(g) and float(np.max(np.abs(value), initial=0.0)) > 10 * float(np.max(e.budget)):
            frozen.append(label)
        else:
            return []
    if not frozen or not right:
        return []
    names = ", ".join(frozen)
    return [Finding(
        "frozen",
        f"{what} is 0 in every element of {names} where ∂L/∂p is not, and right in {', '.join(right)}: "
        f"{names} {'is' if len(frozen) == 1 else 'are'} left out",
        {"parameters": frozen},
    )]
