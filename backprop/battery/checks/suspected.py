"""Which usual mistake a wrong gradient (or delta, or step) is, measured from the numbers alone.

The judge rebuilds the network the implementation is (a model's layout found from its arrays' shapes
and confirmed by its own predict; the article's layers as they are, confirmed by their forward),
backpropagates it with each suspect mistake planted (`backprop.battery.suspects`), and names the first
suspect the implementation's arrays reproduce.  Nothing is named when the judge's own correct
gradient does not agree with the numerical one: then the judge's picture of the network is wrong, and
any resemblance would be a coincidence.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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


def findings(
    net: LayerNetwork | ModelNetwork,
    case: Case,
    loss: Loss,
    arrays: Sequence[NDArray],
    estimates: Sequence[Any],
    what: str,
    of: str = "gradients",
    labels: Sequence[str] | None = None,
    seen: Sequence[NDArray] = (),
    penalised: bool = True,
) -> list[Finding]:
    """The suspects the implementation's arrays reproduce: its weight gradients, or its moves ÷ the
    learning rate, in its own layout (`of` = "gradients"), or every layer's delta (`of` = "deltas").

    `estimates` are those the arrays were judged against; `penalised` says they carry the declared
    L2 penalty's λ·W, which each suspect then carries too (the mistakes are in the data loss's
    backprop).  A layer-level network needs `seen`, what its forward gave (the input first), to
    confirm the judge's picture of it."""
    found = _model_backprop(net, case, loss) if isinstance(net, ModelNetwork) else _layer_backprop(
        net, case, loss, seen
    )
    if found is None:
        return []
    correct, planted, convert = found
    implementation = [np.ravel(a) for a in arrays] if of == "deltas" else list(arrays)
    if of == "deltas":
        right = correct.deltas
    else:
        model = isinstance(net, ModelNetwork)
        weights = net.weight_arrays()
        extra = (penalty.penalty_gradients(weights, net.profile, model=model) if penalised
                 else [np.zeros(np.shape(w)) for w in weights])

        def penalised_in_layout(matrices: Sequence[NDArray]) -> list[NDArray]:
            return [g + p for g, p in zip(convert(matrices), extra, strict=True)]

        right = penalised_in_layout(correct.gradients)
        planted = [s.converted(penalised_in_layout) for s in planted]
    if len(right) != len(estimates) or not _confirmed(right, estimates):
        return []
    labels = list(labels) if labels is not None else [f"layer {n}" for n in range(1, len(right) + 1)]
    return suspects.explanations(implementation, right, planted, _budgets(estimates), labels, what, of,
                                 net.profile.interface)


Found = tuple[suspects.Backprop, list[suspects.Suspect], Callable[[Sequence[NDArray]], list[NDArray]]]
"""The judge's correct backprop, the suspects, and how reference matrices convert to the code's arrays."""


def _model_backprop(net: ModelNetwork, case: Case, loss: Loss) -> Found | None:
    """The judge's backprop of the network the model's arrays are, when its predict confirms one."""
    mapping = model_layout(net, case, loss)
    if mapping is None:
        return None
    reference = mapping.reference([a.copy() for a in net.weight_arrays()], case.activation, loss)
    return (*suspects.backprops(reference, case.x, case.y), mapping.from_reference)


def _layer_backprop(net: LayerNetwork, case: Case, loss: Loss, seen: Sequence[NDArray]) -> Found | None:
    """The judge's backprop of the article's layers at their weights, when the layers' outputs in
    `seen` (what forward gave on seen[0]) are those of A = f(aW)."""
    if not seen:
        return None
    weights = [np.asarray(w, dtype=float).copy() for w in net.weight_arrays()]
    reference = suspects.Reference(weights, case.activation, case.activation, loss, bias_per_layer=False)
    x1 = np.asarray(seen[0], dtype=float).ravel()
    with np.errstate(all="ignore"):
        outputs = reference.forward(x1)[2]
    for mine, theirs in zip(outputs, seen[1:], strict=True):
        if diagnosis.agreement(np.ravel(theirs), mine, 1e-12) is None:
            return None
    return (*suspects.backprops(reference, x1, case.y), list)


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
