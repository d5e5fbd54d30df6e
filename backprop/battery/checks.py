"""The checks: each takes a worker of the subject, one case and the declared loss, and returns its Evidence.

A check has the worker build a fresh network from the user's factory, writes the case's weights into it, and
compares what the implementation computes with what it should compute: a finite-difference
estimate from `backprop.numerical` (with its error budget) for derivatives, or an exact
identity (predict against forward, batch against the sum of samples) otherwise.  Numerical
estimates are taken before the implementation's own forward and backward run, since the
estimator is free to overwrite A and dZ.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .. import numerical
from ..activations import get_activation
from ..losses import LOSSES, Loss
from . import diagnosis
from .cases import Case
from .protocols import (
    ARRAY_EQUAL,
    LAYER_LEVEL,
    MODEL_LEVEL,
    LayerNetwork,
    ModelNetwork,
    PluginError,
    as_array,
    call,
    open_network,
)

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
    diagnosis: str | None = None
    weights: list[NDArray] | None = field(default=None, repr=False)

    @property
    def failing(self) -> bool:
        return self.status in ("failed", "errored")


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
    diagnosis: str | None = None

    def where(self) -> str:
        if self.index_name == "unit":
            return f"{self.label}, unit {self.worst_index[-1]}"
        index = ", ".join(str(i) for i in self.worst_index)
        return f"{self.label}, {self.index_name}[{index}]"

    def line(self) -> str:
        i = self.worst_index
        a, e, b = self.analytic[i], self.expected[i], self.budget[i]
        name = "unit" if self.index_name == "unit" else "element"
        return (
            f"{self.where()}: {a:.6g} against {e:.6g} (error {abs(a - e):.2g}, budget {b:.2g}); "
            f"{self.n_mismatched} of {self.analytic.size} {name}s differ"
        )


def relative_error(
    analytic: NDArray, expected: NDArray, lower: NDArray | None = None, upper: NDArray | None = None
) -> float:
    """max |analytic − expected| over max |expected|: an error relative to the array's scale.

    Element-wise relative errors are meaningless where the expected value is nearly zero
    (a dead unit, a cancelling sum), so the table reports this norm-wise one.  Where the
    estimate met a kink, the error is the distance to its interval [lower, upper] of one-sided
    derivatives.
    """
    scale = max(float(np.max(np.abs(expected), initial=0.0)), float(np.max(np.abs(analytic), initial=0.0)))
    if lower is not None and upper is not None:
        gap = float(np.max(np.maximum(np.maximum(lower - analytic, analytic - upper), 0.0), initial=0.0))
    else:
        gap = float(np.max(np.abs(analytic - expected), initial=0.0))
    return 0.0 if gap == 0 else gap / max(scale, 1e-300)


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
    """Passed when every comparison passed; otherwise failed, located at the rightmost failing array.

    Errors flow right to left in backprop, so the rightmost wrong layer is where the cause is.
    """
    if not comparisons:
        return Evidence("passed", summary=f"nothing to compare ({what})")
    worst_rel = max(c.max_rel_error for c in comparisons)
    failing = [c for c in comparisons if not c.passed]
    if not failing:
        return Evidence("passed", worst_rel)
    first = failing[-1]
    lines = [c.line() for c in reversed(failing)] + list(notes)
    found = [c.diagnosis for c in reversed(failing) if c.diagnosis]
    return Evidence(
        "failed",
        first.max_rel_error,
        first.where(),
        f"{what} is wrong in {len(failing)} of {len(comparisons)} {_plural(comparisons)}",
        "\n".join(lines),
        found[0] if found else None,
    )


def _plural(comparisons: Sequence[Comparison]) -> str:
    kind = comparisons[0].index_name
    word = "parameter array" if kind == "parameter" else "layer"
    return word + ("s" if len(comparisons) != 1 else "")


def layer_label(number: int, count: int) -> str:
    return f"layer {number} of {count}" + (" (output)" if number == count and count > 1 else "")


# --------------------------------------------------------------------------- preparing a case


def prepare(factory: Factory, case: Case, protocol: str) -> LayerNetwork | ModelNetwork:
    """A fresh network for the case, holding the case's weights."""
    factory.request("seed", case.seed)
    network = open_network(factory, case.layers, case.activation)
    arrays = network.weight_arrays()
    network.set_weights(case.random_weights([a.shape for a in arrays]))
    return network


def with_leading_one(x: NDArray) -> NDArray:
    return np.concatenate((np.ones(x.shape[:-1] + (1,)), x), axis=-1)


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
    """∂L/∂z of every layer, numerically, at the network's current weights."""
    return list(numerical.preactivation_gradient_estimates(net.network, x1, y, loss))


# --------------------------------------------------------------------------- activation-derivative

_GRID = np.array([-3.0, -1.5, -0.5, -0.1, 0.1, 0.5, 1.5, 3.0])

DERIVATIVE_IN_TERMS_OF_OUTPUT: dict[str, Callable[[NDArray], NDArray]] = {
    "sigmoid": lambda a: a * (1 - a),
    "tanh": lambda a: 1 - a**2,
}


def activation_derivative(factory: Factory, case: Case, loss: Loss, protocol: str) -> Evidence:
    net = prepare(factory, case, protocol)
    assert isinstance(net, LayerNetwork)
    seen = net.forward(with_leading_one(case.x))
    zs = pre_activations(net, seen)
    kinked = get_activation(case.activation).has_kink
    comparisons, notes = [], []
    checked: set[tuple[int, int]] = set()
    for number, (layer, z) in enumerate(zip(net.layers, zs, strict=True), 1):
        f, fprime = layer.activation, layer.activation_prime
        if (id(f), id(fprime)) in checked:
            continue
        checked.add((id(f), id(fprime)))
        points = np.concatenate((_GRID, np.ravel(z)))
        if kinked:
            points = points[np.abs(points) > 1e-4]
        # elementwise: every point moved at once, each derivative read from its own output
        estimate = numerical.richardson(lambda v, f=f, n=number: _call_activation(f, v, n), points)
        analytic = as_array(
            f"layer {number}'s activation_prime(z)",
            call(f"layer {number}'s activation_prime", fprime, points.copy()),
            points.shape,
        )
        comparison = compare_estimate(f"layer {number}'s activation_prime", "z", analytic, estimate)
        if not comparison.passed:
            comparison.diagnosis = _derivative_diagnosis(analytic, estimate, points, case.activation)
            notes.append(f"at z = {points[comparison.worst_index]:.6g}")
        comparisons.append(comparison)
    return evidence_from(comparisons, "the activation's derivative", notes)


def _call_activation(f: Callable[..., Any], v: NDArray, number: int) -> NDArray:
    return as_array(
        f"layer {number}'s activation(z)", call(f"layer {number}'s activation", f, v.copy()), v.shape
    )


def _derivative_diagnosis(analytic: NDArray, estimate: Any, points: NDArray, activation: str) -> str | None:
    formula = DERIVATIVE_IN_TERMS_OF_OUTPUT.get(activation)
    if formula is not None:
        gap = diagnosis.agreement(analytic, formula(points))
        if gap is not None:
            return (
                "activation_prime(z) equals the derivative written in terms of the output "
                f"(f' expressed through A) evaluated at z, {diagnosis.within(gap)}: "
                "it expects A but is given z"
            )
    on_grid = slice(0, _GRID.size)  # the fixed points, symmetric about 0, before the case's own z
    return diagnosis.diagnose(analytic, estimate.value, estimate.budget) or diagnosis.drifts_from_zero(
        analytic[on_grid], np.asarray(estimate.value)[on_grid], points[on_grid]
    )


# --------------------------------------------------------------------------- dz-is-fprime-of-z


def dz_is_fprime_of_z(factory: Factory, case: Case, loss: Loss, protocol: str) -> Evidence:
    net = prepare(factory, case, protocol)
    assert isinstance(net, LayerNetwork)
    seen = net.forward(with_leading_one(case.x))
    zs = pre_activations(net, seen)
    comparisons = []
    count = len(net.layers)
    fprime = get_activation(case.activation).derivative  # the true f', whatever activation_prime says
    on_kink = units_on_a_kink(net, seen[0]) if get_activation(case.activation).has_kink else None
    for number, (layer, z, a) in enumerate(zip(net.layers, zs, seen[1:], strict=True), 1):
        if getattr(layer, "dZ", None) is None:
            return Evidence(
                "skipped",
                summary=f"layer {number} stores no dZ after forward, so there is no dZ "
                "to check (the deltas are still checked)",
            )
        dz = net.stored("dZ", number, z.shape)
        expected = fprime(z)
        if on_kink is not None:  # within rounding of the kink, either one-sided slope is a correct f'(z)
            left, right = fprime(np.full(z.shape, -TINY)), fprime(np.full(z.shape, TINY))
            closest = np.where(np.abs(dz - left) <= np.abs(dz - right), left, right)
            expected = np.where(on_kink[number - 1], closest, expected)
        comparison = compare_exact(layer_label(number, count), "unit", dz, expected)
        if not comparison.passed:
            comparison.diagnosis = diagnosis.dz_is_fprime_of_a(dz, a, fprime)
        comparisons.append(comparison)
    evidence = evidence_from(comparisons, "dZ")
    if evidence.failing:
        c = next(c for c in reversed(comparisons) if not c.passed)
        i = c.worst_index
        evidence.details = (
            f"dZ[{i[-1]}] = {c.analytic[i]:.6g} but f'(z[{i[-1]}]) = {c.expected[i]:.6g} "
            f"(z = {zs[int(c.label.split()[1]) - 1][i]:.6g})\n" + evidence.details
        )
    return evidence


# --------------------------------------------------------------------------- output and hidden deltas


def _deltas(factory: Factory, case: Case, loss: Loss, protocol: str, hidden: bool) -> Evidence:
    net = prepare(factory, case, protocol)
    if isinstance(net, ModelNetwork):
        return _model_deltas(net, case, loss, hidden)
    count = len(net.layers)
    numbers = range(1, count) if hidden else [count]
    if not numbers:
        return Evidence("passed", summary="no hidden layer in this case")
    x1 = with_leading_one(case.x)
    estimates = delta_estimates(net, x1, case.y, loss)
    seen = net.forward(x1)
    zs = pre_activations(net, seen)
    deltas = net.backward(case.y)
    comparisons = []
    for number in numbers:
        estimate = estimates[number - 1]
        delta = deltas[number - 1].ravel()
        comparison = compare_estimate(layer_label(number, count), "unit", delta, estimate)
        if not comparison.passed:
            fprime = get_activation(case.activation).derivative
            fprime_z = fprime(zs[number - 1])
            if number == count:
                dl_da = np.asarray(loss.gradient(seen[number], case.y), dtype=float)
                expected, budget = estimate.value, estimate.budget
            else:  # judged locally: from the delta this layer was actually given by the layer to its right
                given = np.ravel(
                    np.asarray(
                        net.returned[number] if net.returned[number] is not None else deltas[number],
                        dtype=float,
                    )
                )
                right_weight = net.weight_arrays()[number]
                if given.size != right_weight.shape[1]:  # no local judgement possible: judge against ∂L/∂z
                    given = deltas[number].ravel()
                dl_da = given @ right_weight.T
                expected, budget = dl_da * fprime_z, 0.0
                gap = diagnosis.agreement(delta, expected)
                right_gap = diagnosis.agreement(given, deltas[number].ravel())
                if gap is not None and right_gap is None:
                    comparison.diagnosis = (
                        f"layer {number + 1}'s backward returns something other than the delta it stores "
                        f"(returned {_values(given)}, stored {_values(deltas[number].ravel())}), and layer "
                        f"{number} backpropagates what it is given {diagnosis.within(gap)}: return self.delta"
                    )
                    comparisons.append(comparison)
                    continue
                if gap is not None:
                    comparison.diagnosis = (
                        f"layer {number}'s delta equals (δ·Wᵀ)·f'(z) computed from the delta of layer "
                        f"{number + 1} {diagnosis.within(gap)}: this layer backpropagates correctly, and the "
                        f"error comes in from layer {number + 1}, to its right"
                    )
                    comparisons.append(comparison)
                    continue
            layer = net.layers[number - 1]
            found = _own_prime_diagnosis(layer, number, zs[number - 1], delta, dl_da, fprime_z)
            if number == count:
                found = found or diagnosis.summed_error(delta, expected, dl_da, fprime_z, budget)
            else:
                found = found or diagnosis.reshaped_weights(delta, expected, given, right_weight, fprime_z)
            comparison.diagnosis = found or _delta_diagnosis(
                delta,
                expected,
                budget,
                dl_da,
                fprime_z,
                fprime(seen[number]),
                seen[number],
                case,
                loss,
                number == count,
            )
        comparisons.append(comparison)
    return evidence_from(comparisons, "the hidden delta" if hidden else "the output delta")


def _own_prime_diagnosis(
    layer: Any, number: int, z: NDArray, delta: NDArray, dl_da: NDArray, fprime_z: NDArray
) -> str | None:
    """The delta is ∂L/∂A times the layer's own activation_prime(z), which is not f'(z)."""
    prime = getattr(layer, "activation_prime", None)
    if not callable(prime):
        return None
    try:
        own = as_array("activation_prime(z)", call("activation_prime", prime, z.copy()), z.shape)
    except PluginError:
        return None
    if diagnosis.agreement(own, fprime_z) is not None:
        return None
    gap = diagnosis.agreement(delta, np.ravel(dl_da * own))
    if gap is None:
        return None
    return (
        f"layer {number}'s delta equals ∂L/∂A × the layer's own activation_prime(z) {diagnosis.within(gap)} "
        f"in {diagnosis.elements(delta)}, and activation_prime(z) is not f'(z): backward is right, the "
        "derivative it is given is wrong (see activation-derivative)"
    )


def _values(array: NDArray) -> str:
    return np.array2string(np.asarray(array), precision=4, separator=", ", threshold=6)


def _delta_diagnosis(
    delta: NDArray,
    expected: NDArray,
    budget: NDArray | float,
    dl_da: NDArray,
    fprime_z: NDArray,
    fprime_a: NDArray,
    a: NDArray,
    case: Case,
    loss: Loss,
    output: bool,
) -> str | None:
    """What a wrong delta is, given what it should be and ∂L/∂A of its layer."""
    missing = diagnosis.missing_fprime(delta, expected, dl_da, budget)
    if missing and output and loss.name == "half_sse":
        return (
            missing + "; A − y is also the output delta of cross-entropy on sigmoid outputs: if that is "
            "the loss meant, declare it with --loss bce"
        )
    if output and not missing:
        for other in LOSSES.values():
            with np.errstate(all="ignore"):
                other_delta = np.asarray(other.gradient(a, case.y), dtype=float) * fprime_z
            if other.name == loss.name or not np.all(np.isfinite(other_delta)):
                continue
            gap = diagnosis.agreement(delta, other_delta)
            if gap is not None and diagnosis.agreement(other_delta, expected, budget) is None:
                return (
                    f"the output delta equals ∂L/∂z of {other.name} ({other.description}) "
                    f"{diagnosis.within(gap)}: it is right for that loss; "
                    f"declare it with --loss {other.name} if it is the one meant"
                )
    return (
        diagnosis.delta_uses_fprime_of_a(delta, expected, fprime_z, fprime_a)
        or missing
        or diagnosis.extra_fprime(delta, expected, fprime_z)
        or diagnosis.diagnose(
            delta, expected, budget, learning_rate=case.learning_rate, n_outputs=case.n_outputs
        )
    )


def output_delta(factory: Factory, case: Case, loss: Loss, protocol: str) -> Evidence:
    return _deltas(factory, case, loss, protocol, hidden=False)


def hidden_delta(factory: Factory, case: Case, loss: Loss, protocol: str) -> Evidence:
    return _deltas(factory, case, loss, protocol, hidden=True)


def _model_deltas(net: ModelNetwork, case: Case, loss: Loss, hidden: bool) -> Evidence:
    """∂L/∂z of a layer is ∂L/∂b of its bias, so deltas(x, y) is checked against the bias gradients."""
    deltas = net.deltas(case.x, case.y)
    params = net.weight_arrays()
    biases = [i for i, p in enumerate(params) if p.ndim == 1]
    sizes = [d.size for d in deltas]
    if len(biases) != len(deltas) or [params[i].size for i in biases] != sizes:
        return Evidence(
            "skipped",
            summary="deltas(x, y) cannot be checked: parameters() does not hold one "
            "bias vector per layer, whose gradient would be that layer's ∂L/∂z",
        )
    estimates = model_estimates(net, case, loss)
    count = len(deltas)
    numbers = range(1, count) if hidden else [count]
    comparisons = []
    for number in numbers:
        estimate = estimates[biases[number - 1]]
        comparison = compare_estimate(layer_label(number, count), "unit", deltas[number - 1], estimate)
        if not comparison.passed:
            comparison.diagnosis = diagnosis.diagnose(deltas[number - 1], estimate.value, estimate.budget)
        comparisons.append(comparison)
    if not comparisons:
        return Evidence("passed", summary="no hidden layer in this case")
    return evidence_from(comparisons, "the hidden delta" if hidden else "the output delta")


def _model_loss(net: ModelNetwork, case: Case, loss: Loss) -> Callable[[], float]:
    """The declared loss of predict(x) when the model predicts, otherwise the model's own loss(x, y),
    each at the judge's copy of the weights (which the numerical engine perturbs)."""
    if "predict" in net.offers:
        return lambda: float(np.real(loss(net.predict(case.x, case.n_outputs, at_weights=True), case.y)))
    return lambda: net.loss(case.x, case.y)


def model_estimates(net: ModelNetwork, case: Case, loss: Loss) -> list[Any]:
    """∂L/∂p of every parameter array, numerically; the subject's weights are then put back."""
    params = net.weight_arrays()
    before = [p.copy() for p in params]
    estimates = numerical.parameter_gradient_estimates(_model_loss(net, case, loss), params)
    net.set_weights(before)
    return list(estimates)


# --------------------------------------------------------------------------- weight gradient and update


def weight_gradient(factory: Factory, case: Case, loss: Loss, protocol: str) -> Evidence:
    net = prepare(factory, case, protocol)
    weights = net.copy_weights()
    if isinstance(net, ModelNetwork):
        params = net.weight_arrays()
        estimates = model_estimates(net, case, loss)
        grads = net.gradients(case.x, case.y, [p.shape for p in params])
        return _gradient_evidence(grads, estimates, case, "the weight gradient", weights, model=True)
    x1 = with_leading_one(case.x)
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


def _eps(array: NDArray) -> float:
    return float(np.finfo(array.dtype).eps) if array.dtype.kind == "f" else float(np.finfo(float).eps)


def step_rounding(before: NDArray, after: NDArray, learning_rate: float) -> NDArray:
    """What (before − after) / learning_rate may be off by from rounding the stored weights."""
    eps = max(_eps(before), _eps(after))
    return 2 * eps * (np.abs(before) + np.abs(after)) / learning_rate


def moves_of(
    before: Sequence[NDArray], after: Sequence[NDArray], learning_rate: float
) -> tuple[list[NDArray], list[NDArray]]:
    """(W_before − W_after) / learning_rate per array, and the rounding each may carry."""
    moves = [(b - a) / learning_rate for b, a in zip(before, after, strict=True)]
    return moves, [step_rounding(b, a, learning_rate) for b, a in zip(before, after, strict=True)]


WRONG_DELTA = (
    "layer {number}'s delta is itself wrong (relative error {error:.1e} against ∂L/∂z, see the delta "
    "checks), and aᵀδ inherits it"
)
UPDATE_FOLLOWS_DELTA = (
    "layer {number} moved by learning rate × aᵀδ of its own stored delta {within}: update applies the "
    "step correctly, and the error is in the delta (see the delta checks)"
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

Explanation = tuple["NDArray | None", str]
"""(what a wrong result may equal, or None when the sentence holds anyway; the sentence saying why)."""


def _explain(result: NDArray, explanations: Sequence[Explanation]) -> str | None:
    for candidate, sentence in explanations:
        if candidate is None:
            return sentence
        gap = diagnosis.agreement(result, candidate)
        if gap is not None:
            return sentence.replace("{within}", diagnosis.within(gap))
    return None


def _gradient_evidence(
    grads: Sequence[NDArray],
    estimates: Sequence[Any],
    case: Case,
    what: str,
    weights: list[NDArray],
    notes: Sequence[str] = (),
    model: bool = False,
    explain: Callable[[], Sequence[Sequence[Explanation]]] | None = None,
    rounding: Sequence[NDArray] | None = None,
) -> Evidence:
    """Per-array comparisons against the estimates; a failing array is explained by the first of
    the explanations `explain()` gives for it that holds (computed only when something fails),
    else by the generic patterns (sign, factor, transpose, frozen)."""
    comparisons = []
    explanations: Sequence[Sequence[Explanation]] | None = None
    count = len(grads)
    if rounding is not None:
        estimates = [
            dataclasses.replace(e, budget=e.budget + r) if e.shape == r.shape else e
            for e, r in zip(estimates, rounding, strict=True)
        ]
    for number, (grad, estimate) in enumerate(zip(grads, estimates, strict=True), 1):
        if model:
            comparison = compare_estimate(f"parameter {number} of {count}", "p", grad, estimate)
        else:
            comparison = compare_estimate(layer_label(number, count), "W", grad, estimate)
        if not comparison.passed:
            if explanations is None and explain is not None:
                explanations = explain()
            comparison.diagnosis = _explain(grad, explanations[number - 1] if explanations else ())
            comparison.diagnosis = comparison.diagnosis or diagnosis.diagnose(
                grad,
                estimate.value,
                estimate.budget,
                learning_rate=case.learning_rate,
                n_outputs=case.n_outputs,
            )
        comparisons.append(comparison)
    evidence = evidence_from(comparisons, what, notes)
    evidence.weights = weights
    return evidence


def update_is_sgd_step(factory: Factory, case: Case, loss: Loss, protocol: str) -> Evidence:
    net = prepare(factory, case, protocol)
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
    x1 = with_leading_one(case.x)
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


def fit_one_sample(factory: Factory, case: Case, loss: Loss, protocol: str) -> Evidence:
    net = prepare(factory, case, protocol)
    assert isinstance(net, LayerNetwork)
    before = net.copy_weights()
    x1 = with_leading_one(case.x)
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
        probe = prepare(factory, case, protocol)
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


def fit_two_samples(factory: Factory, case: Case, loss: Loss, protocol: str) -> Evidence:
    """The second epoch must be an SGD step from wherever the first one landed.

    Two identical rows, so whichever row fit picks, both epochs step on the same sample; the
    first step is the implementation's own (fit-one-sample judges it), so only the second is
    judged here, against the numerical gradient at the weights the first step produced.
    """
    lr = case.learning_rate
    X, Y = np.stack([case.x, case.x]), np.stack([case.y, case.y])
    landed = []
    for epochs in (1, 2):
        net = prepare(factory, case, protocol)
        assert isinstance(net, LayerNetwork)
        before = net.copy_weights()
        call(f"fit(X, y, learning_rate, epochs={epochs})", net.network.fit, X.copy(), Y.copy(), lr, epochs)
        landed.append(net.copy_weights())
    middle, observed = landed
    net = prepare(factory, case, protocol)
    assert isinstance(net, LayerNetwork)
    net.set_weights(middle)
    x1 = with_leading_one(case.x)
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


# --------------------------------------------------------------------------- predict, batch


def predict_is_forward(factory: Factory, case: Case, loss: Loss, protocol: str) -> Evidence:
    net = prepare(factory, case, protocol)
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
    seen = net.forward(with_leading_one(case.x))
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


def batch_is_sum(factory: Factory, case: Case, loss: Loss, protocol: str) -> Evidence:
    net = prepare(factory, case, protocol)
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
            on_kink += sum(int(np.count_nonzero(m)) for m in units_on_a_kink(net, with_leading_one(x)) or [])
        seen = net.forward(with_leading_one(x))
        net.backward(y)
        net.update(lr, seen)
        total = [t + (b - a) for t, b, a in zip(total, before, net.copy_weights(), strict=True)]
    net.set_weights(before)
    seen = net.forward(with_leading_one(X))
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


# --------------------------------------------------------------------------- inputs, determinism, descent


def inputs_unmodified(factory: Factory, case: Case, loss: Loss, protocol: str) -> Evidence:
    """No call may write into the arrays it is given (the caller's data set)."""
    net = prepare(factory, case, protocol)
    xs, ys = case.extra_samples(loss, 2)
    X, Y = np.vstack([case.x, xs]), np.vstack([case.y, ys])
    x, y, lr = case.x.copy(), case.y.copy(), case.learning_rate
    probes: list[tuple[str, tuple[tuple[str, Any], ...]]] = []
    if isinstance(net, LayerNetwork):
        probes += [("forward", (("x", with_leading_one(x)),)), ("backward", (("y", y),))]
        fit_args = (("X", X), ("y", Y), ("learning_rate", lr), ("epochs", 3))
        optional = [("predict", (("x", x),)), ("fit", fit_args)]
    else:
        optional = [
            ("loss", (("x", x), ("y", y))),
            ("gradients", (("x", x), ("y", y))),
            ("predict", (("x", x),)),
            ("deltas", (("x", x), ("y", y))),
            ("step", (("x", x), ("y", y), ("learning_rate", lr))),
        ]
    probes += [(name, args) for name, args in optional if name in net.offers]
    changed = []
    for what, named in probes:
        values = [value for _, value in named]
        after = net.request("method_inputs", what, *values)
        for (name, value), seen in zip(named, after, strict=True):
            if not isinstance(value, np.ndarray):
                continue
            if not isinstance(seen, np.ndarray) or seen.shape != value.shape:
                changed.append(f"{what} replaced its argument {name}")
            elif not ARRAY_EQUAL(seen, value, equal_nan=value.dtype.kind in "fc"):
                changed.append(
                    f"{what} changed its argument {name}: {int(np.sum(seen != value))} of "
                    f"{value.size} values differ afterwards"
                )
    if changed:
        return Evidence(
            "failed",
            None,
            changed[0].split(" changed")[0].split(" replaced")[0],
            f"{len(changed)} call(s) modified their inputs",
            "\n".join(changed),
            "the caller's arrays are written in place: work on a copy (X = X.copy(), or build new "
            "arrays with np.concatenate) instead of writing into the argument",
        )
    return Evidence("passed")


def deterministic(factory: Factory, case: Case, loss: Loss, protocol: str) -> Evidence:
    """np.random.seed before make (and fit) gives the same network, twice."""
    xs, ys = case.extra_samples(loss, 3)
    runs = []
    for _ in range(2):
        np.random.seed(case.seed % 2**32)
        factory.request("seed", case.seed)
        net = open_network(factory, case.layers, case.activation)
        weights = net.copy_weights()
        if isinstance(net, LayerNetwork) and callable(getattr(net.network, "fit", None)):
            call(
                "fit(X, y, learning_rate, epochs=5)",
                net.network.fit,
                xs.copy(),
                ys.copy(),
                case.learning_rate,
                5,
            )
        elif isinstance(net, ModelNetwork) and callable(getattr(net.network, "step", None)):
            net.step(xs[0].copy(), ys[0].copy(), case.learning_rate)
        runs.append((weights, net.copy_weights()))
    (init_a, final_a), (init_b, final_b) = runs
    for stage, a_list, b_list in (("initial", init_a, init_b), ("trained", final_a, final_b)):
        for number, (a, b) in enumerate(zip(a_list, b_list, strict=True), 1):
            if a.shape != b.shape or not ARRAY_EQUAL(a, b, equal_nan=True):
                differ = int(np.sum(a != b)) if a.shape == b.shape else a.size
                return Evidence(
                    "failed",
                    None,
                    f"layer {number}",
                    f"the same np.random.seed gave different {stage} weights",
                    f"layer {number}: {differ} of {a.size} {stage} weights differ between two runs "
                    f"seeded with np.random.seed({case.seed % 2**32})",
                    "the implementation draws from a random source that np.random.seed does not control "
                    "(an unseeded np.random.default_rng(), random, or the clock)"
                    if stage == "initial"
                    else "training draws from a random source that np.random.seed does not control",
                )
    return Evidence("passed")


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


def descent(factory: Factory, case: Case, loss: Loss, protocol: str) -> Evidence:
    """A step small enough lowers the loss (unless the gradient is too small to move it).

    At a kink this holds only for steps that leave every unit on its side of the kink (a step along
    −∇L can switch a unit on at first order), so with a kinked activation a step whose pre-activations
    change sides is not counted, and smaller ones are tried; when even a step too small to move the
    loss measurably changes sides, the case does not test descent.
    """
    net = prepare(factory, case, protocol)
    before = net.copy_weights()
    sides: list[NDArray] | None = None
    x1 = with_leading_one(case.x)
    resolution = MEASURABLE_LOSS_CHANGE
    if isinstance(net, ModelNetwork):
        value = _model_loss(net, case, loss)
        start = value()
        grads = net.gradients(case.x, case.y, [w.shape for w in before])
    else:
        output = net.forward(x1)[-1]
        start = float(np.real(loss(output, case.y)))
        resolution = max(resolution, 64 * _eps(output))
        value = lambda: float(np.real(loss(net.forward(x1)[-1], case.y)))  # noqa: E731
        estimates = weight_estimates(net, x1, case.y, loss)
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
    cosine = float(direction @ gradient / max(np.linalg.norm(direction) * np.linalg.norm(gradient), 1e-300))
    skipped = f" ({crossed} larger step(s) crossed a kink and are not counted)" if crossed else ""
    return Evidence(
        "failed",
        None,
        "the whole network",
        "no small step lowered the loss",
        f"loss {start:.6g} before the step; after a step with learning rate "
        + ", ".join(f"{r:g}: {v:.6g}" for r, v in tried)
        + skipped,
        _descent_diagnosis(cosine, tried[-1][0]),
    )


def _descent_diagnosis(cosine: float, rate: float) -> str:
    """What the step's direction is, measured against the numerical gradient ∇L."""
    if cosine < -0.999:
        return (
            f"the step's cosine with the numerical gradient ∇L is {cosine:.4f}: it goes up the gradient, "
            "so its sign is flipped somewhere (W += instead of W −=, or y − A)"
        )
    if cosine < 0:
        return (
            f"the step's cosine with the numerical gradient ∇L is {cosine:.2f}, below 0: it is not a descent "
            "direction (a wrong gradient, or a gradient of another loss than the one declared)"
        )
    return (
        f"the step's cosine with the numerical gradient ∇L is {cosine:.2f}, a descent direction, yet the "
        f"loss rose even with learning rate {rate:g}"
    )


Check = Callable[[Factory, Case, Loss, str], Evidence]

CHECKS: dict[str, Check] = {
    "activation-derivative": activation_derivative,
    "dz-is-fprime-of-z": dz_is_fprime_of_z,
    "output-delta": output_delta,
    "hidden-delta": hidden_delta,
    "weight-gradient": weight_gradient,
    "update-is-sgd-step": update_is_sgd_step,
    "fit-one-sample": fit_one_sample,
    "fit-two-samples": fit_two_samples,
    "predict-is-forward": predict_is_forward,
    "batch-is-sum": batch_is_sum,
    "inputs-unmodified": inputs_unmodified,
    "deterministic": deterministic,
    "descent": descent,
}

MODEL_LEVEL_SKIPS = {
    "activation-derivative": "the model-level protocol does not expose the activation function",
    "dz-is-fprime-of-z": "the model-level protocol does not expose dZ",
    "fit-one-sample": "the model-level protocol has no fit (update-is-sgd-step checks step)",
    "fit-two-samples": "the model-level protocol has no fit (update-is-sgd-step checks step)",
    "batch-is-sum": "the model-level protocol takes one sample at a time",
}


def skip_reason(check_id: str, protocol: str, offers: frozenset[str]) -> str | None:
    """Why a check does not apply to this protocol (or this network), or None when it does."""
    if protocol == MODEL_LEVEL:
        if check_id in MODEL_LEVEL_SKIPS:
            return MODEL_LEVEL_SKIPS[check_id]
        if check_id in ("output-delta", "hidden-delta") and "deltas" not in offers:
            return "the model offers no deltas(x, y), so its ∂L/∂z cannot be read"
        if check_id == "update-is-sgd-step" and "step" not in offers:
            return "the model offers no step(x, y, learning_rate)"
        if check_id == "predict-is-forward" and "predict" not in offers:
            return "the model offers no predict(x)"
        return None
    assert protocol == LAYER_LEVEL
    if check_id in ("fit-one-sample", "fit-two-samples") and "fit" not in offers:
        return "the network offers no fit(X, y, learning_rate, epochs)"
    if check_id == "predict-is-forward" and "predict" not in offers:
        return "the network offers no predict(x)"
    return None
