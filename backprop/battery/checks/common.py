"""What every check shares: the evidence it returns, the comparators, and a case prepared in a network."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ... import numerical
from ...findings import Finding
from ...losses import Loss
from ...numerical.steps import coarsest
from .. import diagnosis
from ..cases import Case
from ..profile import Profile, as_profile
from ..protocols import (
    LayerNetwork,
    ModelNetwork,
    PluginError,
    open_network,
)
from . import penalty

Factory = Any
"""A worker of the subject (backprop.subject.Worker, or a LocalWorker): it builds and drives networks."""

SCALE_FLOOR = 1e-9
"""No element's budget is below 1e-9 of the array's largest expected value: a difference that small,
relative to the whole gradient, is rounding in a cancelling sum, never a backprop mistake (those are
off by factors, signs, or whole terms)."""

EXACT_TOLERANCE = 1e-9
"""Relative tolerance of the checks that compare two computations of the same thing (no estimate)."""


@dataclass
class Evidence:
    """What one case showed: a status, the worst relative error, where, and the numbers."""

    status: str  # "passed" | "failed" | "errored" | "skipped"
    rel_error: float | None = None
    where: str = ""
    summary: str = ""
    details: str = ""
    weights: list[NDArray] | None = field(default=None, repr=False)
    findings: list[Finding] = field(default_factory=list)
    """The measured reasons, as data, most specific first."""
    note: str = ""
    """How the evidence was obtained when that is not the usual way (a gradient derived from a step): the
    report's summary says it, passed or failed."""

    @property
    def failing(self) -> bool:
        return self.status in ("failed", "errored")

    @property
    def diagnosis(self) -> str | None:
        """The first finding's sentence: what the report prints as the diagnosis."""
        return self.findings[0].sentence if self.findings else None

    def found(self, finding: Finding | None, first: bool = False) -> Evidence:
        """Attach a finding, after the others (or before them, `first`, when it is the more specific)."""
        if finding is not None:
            self.findings.insert(0 if first else len(self.findings), finding)
        return self


@dataclass
class Comparison:
    """One array compared with what it should be, ready to be reported."""

    label: str  # e.g. "layer 2 of 2 (output)"
    index_name: str  # "unit" or "W" or "parameter"
    analytic: NDArray
    expected: NDArray
    budget: NDArray
    passed: bool
    n_mismatched: int
    worst_index: tuple[int, ...]
    max_rel_error: float
    finding: Finding | None = None
    """The diagnosis as data: what the wrong array was measured to be (a kind of the vocabulary)."""
    also: list[Finding] = field(default_factory=list)
    """Other readings the same numbers support (A − y is both a missing f' and the delta of BCE)."""

    @property
    def diagnosis(self) -> str | None:
        return self.finding.sentence if self.finding is not None else None

    def where(self) -> str:
        if self.index_name == "unit":
            return f"{self.label}, unit {self.worst_index[-1]}"
        index = ", ".join(str(i) for i in self.worst_index)
        if not self.index_name:  # a named parameter: "W2[0, 1]"
            return f"{self.label}[{index}]"
        return f"{self.label}, {self.index_name}[{index}]"

    def line(self) -> str:
        i = self.worst_index
        a, e, b = self.analytic[i], self.expected[i], self.budget[i]
        name = "unit" if self.index_name == "unit" else "element"
        return (
            f"{self.where()}: {a:.6g} against {e:.6g} (error {abs(a - e):.2g}, budget {b:.2g}); "
            f"{self.n_mismatched} of {self.analytic.size} {name}s differ; relative error of the array "
            f"{format_relative(self.max_rel_error)}"
        )


def relative_error(
    analytic: NDArray, expected: NDArray, lower: NDArray | None = None, upper: NDArray | None = None
) -> float:
    """max |analytic − expected| over max |expected|: an error relative to the array's scale.

    Element-wise relative errors are meaningless where the expected value is nearly zero
    (a dead unit, a cancelling sum), so the table reports this norm-wise one; a 10× error is 9,
    never capped.  Where the estimate met a kink, the error is the distance to its interval
    [lower, upper] of one-sided derivatives.  Non-zero values where every expected one is 0: inf.
    """
    scale = float(np.max(np.abs(expected), initial=0.0))
    if lower is not None and upper is not None:
        gap = float(np.max(np.maximum(np.maximum(lower - analytic, analytic - upper), 0.0), initial=0.0))
    else:
        gap = float(np.max(np.abs(analytic - expected), initial=0.0))
    if gap == 0 or not np.isfinite(gap):
        return 0.0 if gap == 0 else float("inf")
    return gap / scale if scale > 0 else float("inf")


def format_relative(error: float) -> str:
    return f"{error:.2g}" if np.isfinite(error) else "inf (every expected value is 0)"


def compare_estimate(label: str, index_name: str, analytic: NDArray, estimate: Any) -> Comparison:
    """The analytic array against a numerical Estimate, judged by backprop.numerical.compare."""
    expected = np.asarray(estimate.value, dtype=float)
    if analytic.shape != expected.shape:
        raise PluginError(
            f"{label}: the implementation's array has shape {analytic.shape}, expected {expected.shape}"
        )
    floor = SCALE_FLOOR * float(np.max(np.abs(expected), initial=0.0))
    if floor > 0:
        estimate = dataclasses.replace(estimate, budget=np.maximum(estimate.budget, floor))
    verdict = numerical.compare(analytic, estimate)
    budget = np.asarray(estimate.budget, dtype=float) * verdict.safety
    return Comparison(
        label,
        index_name,
        analytic,
        expected,
        budget,
        bool(verdict.passed),
        int(verdict.n_mismatched),
        tuple(int(i) for i in verdict.worst_index),
        relative_error(analytic, expected, estimate.lower, estimate.upper),
    )


def compare_exact(
    label: str,
    index_name: str,
    analytic: NDArray,
    expected: NDArray,
    tolerance: float = EXACT_TOLERANCE,
    extra: NDArray | float = 0.0,
) -> Comparison:
    """Two computations of the same quantity, which must agree to a relative tolerance.

    The tolerance grows to 64 ulps of the coarser dtype (float32 arithmetic is allowed its
    rounding); `extra` adds an absolute allowance per element.
    """
    coarser = max(_eps(analytic), _eps(expected))
    budget = max(tolerance, 64 * coarser) * np.maximum(np.abs(expected), 1.0) + extra
    wrong = ~(np.abs(analytic - expected) <= budget)  # NaN is wrong, never agreement
    gap = np.abs(analytic - expected) / budget
    worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(gap)), gap.shape)) if gap.size else ()
    return Comparison(
        label,
        index_name,
        analytic,
        expected,
        budget,
        not wrong.any(),
        int(wrong.sum()),
        worst,
        relative_error(analytic, expected),
    )


def evidence_from(comparisons: Sequence[Comparison], what: str, notes: Sequence[str] = ()) -> Evidence:
    """Passed when every comparison passed; otherwise failed, located at the rightmost failing array,
    with the worst relative error over all of them.

    Errors flow right to left in backprop, so the rightmost wrong layer is where the cause is; the
    error column shows the worst array (each failing array's own error is in its detail line).
    """
    if not comparisons:
        return Evidence("passed", summary=f"nothing to compare ({what})")
    worst_rel = max(c.max_rel_error for c in comparisons)
    failing = [c for c in comparisons if not c.passed]
    if not failing:
        return Evidence("passed", worst_rel)
    first = failing[-1]
    lines = [c.line() for c in reversed(failing)] + list(notes)
    evidence = Evidence(
        "failed",
        worst_rel,
        first.where(),
        f"{what} is wrong in {len(failing)} of {len(comparisons)} {_plural(comparisons)}",
        "\n".join(lines),
    )
    for comparison in reversed(failing):
        evidence.found(comparison.finding)
        for finding in comparison.also:
            evidence.found(finding)
    return evidence


def _plural(comparisons: Sequence[Comparison]) -> str:
    kind = comparisons[0].index_name
    word = "parameter array" if kind in ("p", "") else "layer"
    return word + ("s" if len(comparisons) != 1 else "")


def layer_label(number: int, count: int) -> str:
    return f"layer {number} of {count}" + (" (output)" if number == count and count > 1 else "")


# --------------------------------------------------------------------------- preparing a case


def prepare(factory: Factory, case: Case, profile: Profile | str) -> LayerNetwork | ModelNetwork:
    """A fresh network for the case, holding the case's weights."""
    network = open_network(factory, case.layers, case.activation, as_profile(profile), seed=case.seed)
    arrays = network.weight_arrays()
    network.set_weights(case.random_weights([a.shape for a in arrays]))
    return network




def pre_activations(net: LayerNetwork, seen: Sequence[NDArray]) -> list[NDArray]:
    """z of every layer, computed here from the inputs the layers saw and their weights."""
    return [np.dot(a, w) for a, w in zip(seen, net.weight_arrays(), strict=False)]


TINY = float(np.finfo(float).tiny)
"""A z this close to a kink at 0 is on one side of it: f'(±TINY) are the two one-sided slopes."""


def units_on_a_kink(net: LayerNetwork, x1: NDArray) -> list[NDArray] | None:
    """Per layer, the units whose z lies within rounding of a kink, where an implementation may take
    either one-sided slope (the numerical engine's band, so both sides agree on which units those are);
    None when the layers do not compute A = f(aW), so that no band can be drawn."""
    try:
        return list(numerical.ambiguous_units(net.network, x1))
    except ValueError:
        return None


def weight_estimates(net: LayerNetwork, x1: NDArray, y: NDArray, loss: Loss) -> list[Any]:
    """∂L/∂W of every layer, numerically, at the network's current weights."""
    return list(numerical.weight_gradient_estimates(net.network, x1, y, loss))


def delta_estimates(net: LayerNetwork, x1: NDArray, y: NDArray, loss: Loss) -> list[Any]:
    """∂L/∂z of every layer, numerically, at the network's current weights.

    Unmovable when a layer whose activation cannot be read gets an input of zeros (every unit to its
    left dead): the case is then no evidence (`unjudged`)."""
    return list(numerical.preactivation_gradient_estimates(net.network, x1, y, loss))


def unjudged(error: Exception) -> Evidence:
    """A case the numerical engine cannot differentiate for a reason of the case, not of the code."""
    return Evidence("skipped", summary=f"not judged at this case: {error}")



def _model_loss(net: ModelNetwork, case: Case, loss: Loss, x: NDArray | None = None,
                y: NDArray | None = None) -> Callable[[], NDArray]:
    """The declared loss of predict(x) when the model predicts, otherwise the model's own loss(x, y),
    each at the judge's copy of the weights (which the numerical engine perturbs)."""
    return model_loss_of(net, loss, case.x if x is None else x, case.y if y is None else y, case.n_outputs)


def model_loss_of(
    net: ModelNetwork, loss: Loss, x: NDArray, y: NDArray, n_outputs: int
) -> Callable[[], NDArray]:
    """The declared loss of predict(x), else the model's own loss(x, y), at the judge's weights."""
    # Each value as a 0-d array in the precision the network computes in (`computed`): the declared loss
    # of a float32 prediction, like a float32 model's own loss handed back as a Python float, is known to
    # float32 only, and its dtype tells the numerical engine so.
    if "predict" in net.offers:
        return lambda: net.computed(np.asarray(np.real(loss(net.predict(x, n_outputs, at_weights=True), y))))
    if "loss" not in net.offers:
        raise PluginError(
            "the model offers neither predict(x) nor loss(x, y), so its loss cannot be computed"
        )
    return lambda: net.computed(np.asarray(net.loss(x, y)))


def model_estimates(net: ModelNetwork, case: Case, loss: Loss, penalised: bool = True,
                    x: NDArray | None = None, y: NDArray | None = None) -> list[Any]:
    """∂L/∂p of every parameter array, numerically (with the declared L2 penalty's λ·W unless
    `penalised` is False); the subject's weights are then put back."""
    params = net.weight_arrays()
    before = [p.copy() for p in params]
    estimates = numerical.parameter_gradient_estimates(_model_loss(net, case, loss, x, y), params)
    net.set_weights(before)
    return penalty.with_penalty(estimates, before, net.profile, model=True) if penalised else list(estimates)


def parameter_labels(net: ModelNetwork) -> tuple[list[str], str]:
    """(a label per parameter array, the index name): the names parameters() gives ("W2", and its
    elements "W2[0, 1]"), else "parameter 2 of 4" (elements "p[0, 1]")."""
    count = len(net.weight_arrays())
    if net.names:
        return list(net.names), ""
    return [f"parameter {number} of {count}" for number in range(1, count + 1)], "p"


def _eps(array: NDArray) -> float:
    return float(np.finfo(array.dtype).eps) if array.dtype.kind == "f" else float(np.finfo(float).eps)


def step_rounding(before: NDArray, after: NDArray, learning_rate: float) -> NDArray:
    """What (before − after) / learning_rate may be off by from rounding the stored weights."""
    eps = max(_eps(before), _eps(after))
    return 2 * eps * (np.abs(before) + np.abs(after)) / learning_rate


def moves_of(
    before: Sequence[NDArray], after: Sequence[NDArray], learning_rate: float, precision: Any = None
) -> tuple[list[NDArray], list[NDArray]]:
    """(W_before − W_after) / learning_rate per array, and the rounding each may carry; in `precision`
    when the network computes coarser than it stores (float32 steps applied to float64 weights)."""
    moves = [(b - a) / learning_rate for b, a in zip(before, after, strict=True)]
    if precision is not None:
        moves = [m.astype(coarsest(m.dtype, precision)) for m in moves]
    return moves, [step_rounding(b, a, learning_rate) for b, a in zip(before, after, strict=True)]



Explanation = tuple["NDArray | None", Finding]
"""(what a wrong result may equal, or None when the finding holds anyway; the finding saying why, whose
sentence may hold "{within}": how closely the result equals the candidate)."""


def _explain(result: NDArray, explanations: Sequence[Explanation]) -> Finding | None:
    for candidate, finding in explanations:
        if candidate is None:
            return finding
        gap = diagnosis.agreement(result, candidate)
        if gap is not None:
            sentence = finding.sentence.replace("{within}", diagnosis.within(gap))
            return Finding(finding.kind, sentence, {**finding.params, "agreement": gap})
    return None


def _whole_gradient_terms(grads: Sequence[NDArray], estimates: Sequence[Any]) -> list[Any]:
    """A model computing in less than float64 mixes every layer's values into each gradient, so each
    element's rounding is that of the largest gradient element of the whole network, not of its own
    array's (a float32 deep network's first-layer gradients of 5e-6 carry the rounding of terms of 1e-2)."""
    coarse = any(g.dtype.kind == "f" and np.finfo(g.dtype).eps > np.finfo(float).eps for g in grads)
    if not coarse:
        return list(estimates)
    largest = max((float(np.max(np.abs(np.asarray(e.value)), initial=0.0)) for e in estimates), default=0.0)
    return [
        dataclasses.replace(e, term_scale=np.maximum(e.term_scale, largest) if e.term_scale is not None
                            else np.full(np.shape(e.value), largest))
        for e in estimates
    ]


def _gradient_evidence(
    grads: Sequence[NDArray],
    estimates: Sequence[Any],
    case: Case,
    what: str,
    weights: list[NDArray],
    notes: Sequence[str] = (),
    model: ModelNetwork | None = None,
    explain: Callable[[], Sequence[Sequence[Explanation]]] | None = None,
    rounding: Sequence[NDArray] | None = None,
    suspect: Callable[[Sequence[Any]], Sequence[Finding]] | None = None,
    step: bool = False,
) -> Evidence:
    """Per-array comparisons against the estimates; a failing array is explained by the first of
    the explanations `explain()` gives for it that holds (computed only when something fails),
    else by the generic patterns (sign, factor, transpose, frozen; clipped for a `step`).  What
    `suspect(estimates)` finds for the whole gradient (a usual mistake it reproduces everywhere) comes
    before all of those."""
    comparisons = []
    explanations: Sequence[Sequence[Explanation]] | None = None
    count = len(grads)
    if rounding is not None:
        estimates = [
            dataclasses.replace(e, budget=e.budget + r) if e.shape == r.shape else e
            for e, r in zip(estimates, rounding, strict=True)
        ]
    labels, index_name = parameter_labels(model) if model is not None else ([], "")
    if model is not None:
        estimates = _whole_gradient_terms(grads, estimates)
    for number, (grad, estimate) in enumerate(zip(grads, estimates, strict=True), 1):
        if model is not None:
            comparison = compare_estimate(labels[number - 1], index_name, grad, estimate)
        else:
            comparison = compare_estimate(layer_label(number, count), "W", grad, estimate)
        if not comparison.passed:
            if explanations is None and explain is not None:
                try:
                    explanations = explain()
                except numerical.Unmovable:  # no delta to explain with at this case
                    explanations = []
            comparison.finding = _explain(grad, explanations[number - 1] if explanations else ())
            comparison.finding = comparison.finding or diagnosis.diagnose(
                grad,
                estimate.value,
                estimate.budget,
                learning_rate=case.learning_rate,
                n_outputs=case.n_outputs,
                step=step,
            )
        comparisons.append(comparison)
    evidence = evidence_from(comparisons, what, notes)
    evidence.weights = weights
    if suspect is not None and evidence.failing:
        evidence.findings[:0] = list(suspect(estimates))
    if model is not None and evidence.failing:
        failing = sum(not c.passed for c in comparisons)
        evidence.found(_loss_reading(evidence.findings, failing, model, case.n_outputs))
    if step and evidence.failing and not evidence.findings:  # a pattern only the whole step shows
        whole = np.concatenate([np.ravel(g) for g in grads])
        evidence.found(diagnosis.sign_of(whole, np.concatenate([np.ravel(e.value) for e in estimates])))
    return evidence



LOSS_FACTORS = {
    "2 / the number of outputs (mean squared error against half-SSE)": ("mse", "half_sse"),
    "the number of outputs / 2 (half-SSE against mean squared error)": ("half_sse", "mse"),
}
"""A factor every array's gradient shares that is the ratio of two losses' gradients: (computed, declared)."""
ONE_OUTPUT_LOSS_FACTORS = {"2": ("mse", "half_sse"), "1/2": ("half_sse", "mse")}


def _shared(factors: Sequence[float]) -> str:
    """The factor the arrays share, to the digits on which they agree (6 at most)."""
    spread = (max(factors) - min(factors)) / abs(factors[0])
    digits = 6 if spread <= 1e-9 else max(1, min(6, int(-np.log10(spread))))
    return f"{factors[0]:.{digits}g}"


def _loss_reading(
    findings: Sequence[Finding], failing: int, model: ModelNetwork, n_outputs: int
) -> Finding | None:
    """Every failing array scaled by the one factor that turns the declared loss's gradient into another
    loss's: the model computes that loss (a mean squared error where half-SSE was declared, say; with one
    output, the factor is 2)."""
    scaled = [f for f in findings if f.kind == "scaled"]
    if not scaled or len(scaled) != failing:
        return None
    # one factor shared: the same named constant for every array (each fitted to its own precision)
    named = {tuple(f.params.get("matches") or ()) for f in scaled}
    names = scaled[0].params.get("matches") or []
    readings = {**LOSS_FACTORS, **(ONE_OUTPUT_LOSS_FACTORS if n_outputs == 1 else {})}
    reading = next((readings[n] for n in names if n in readings), None)
    if len(named) != 1 or reading is None:
        return None
    computed, declared = reading
    if model.profile.loss != declared:
        return None
    from ..interfaces import declare

    factors = [float(f.params["factor"]) for f in scaled]
    return Finding(
        "loss-mismatch",
        f"every failing array's gradient is {_shared(factors)} × the expected one, the ratio "
        f"of {computed}'s gradient to {declared}'s: the model computes the gradient of {computed}; declare "
        f"{declare('loss', computed, model.profile.interface)} if it is the loss meant",
        {"loss": computed, "declared": declared, "factor": scaled[0].params["factor"]},
    )


def _values(array: NDArray) -> str:
    return np.array2string(np.asarray(array), precision=4, separator=", ", threshold=6)
