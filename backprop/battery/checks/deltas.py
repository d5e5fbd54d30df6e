"""output-delta and hidden-delta: each layer's ∂L/∂z against finite differences, and what a wrong one is."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ... import numerical
from ...activations import get_activation
from ...findings import Finding
from ...losses import LOSSES, Loss
from .. import diagnosis
from ..cases import Case
from ..interfaces import declare
from ..profile import Profile
from ..protocols import (
    ModelNetwork,
    PluginError,
    as_array,
    call,
)
from . import suspected
from .common import (
    Evidence,
    Factory,
    _values,
    compare_estimate,
    delta_estimates,
    evidence_from,
    layer_label,
    model_estimates,
    pre_activations,
    prepare,
    unjudged,
)

# --------------------------------------------------------------------------- output and hidden deltas


def _deltas(factory: Factory, case: Case, loss: Loss, profile: Profile, hidden: bool) -> Evidence:
    net = prepare(factory, case, profile)
    if isinstance(net, ModelNetwork):
        return _model_deltas(net, case, loss, hidden)
    count = len(net.layers)
    numbers = range(1, count) if hidden else [count]
    if not numbers:
        return Evidence("passed", summary="no hidden layer in this case")
    x1 = net.with_one(case.x)
    try:
        estimates = delta_estimates(net, x1, case.y, loss)
    except numerical.Unmovable as error:
        return unjudged(error)
    seen = net.forward(x1)
    zs = pre_activations(net, seen)
    deltas = net.backward(case.y)
    comparisons = []
    whole: list[list[Finding]] = []

    def suspect() -> list[Finding]:
        """The usual mistakes every layer's delta reproduces (computed once, when first needed)."""
        if not whole:
            whole.append(suspected.findings(net, case, loss, deltas, estimates, "every layer's delta",
                                            "deltas", seen=seen))
        return whole[0]

    for number in numbers:
        estimate = estimates[number - 1]
        delta = deltas[number - 1].ravel()
        comparison = compare_estimate(layer_label(number, count), "unit", delta, estimate)
        if not comparison.passed:
            fprime = get_activation(case.activation).derivative
            fprime_z = fprime(zs[number - 1])
            if number == count:
                dl_da = loss.output_gradient(seen[number], case.y)
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
                    comparison.finding = Finding(
                        "returned-not-stored",
                        f"layer {number + 1}'s backward returns something other than the delta it stores "
                        f"(returned {_values(given)}, stored {_values(deltas[number].ravel())}), and layer "
                        f"{number} backpropagates what it is given {diagnosis.within(gap)}: "
                        "return self.delta",
                        {"layer": number + 1, "agreement": gap},
                    )
                    comparisons.append(comparison)
                    continue
                if gap is not None:
                    comparison.finding = Finding(
                        "inherited",
                        f"layer {number}'s delta equals (δ·Wᵀ)·f'(z) computed from the delta of layer "
                        f"{number + 1} {diagnosis.within(gap)}: this layer backpropagates correctly, and the "
                        f"error comes in from layer {number + 1}, to its right",
                        {"layer": number, "from": f"layer {number + 1}'s delta", "agreement": gap},
                    )
                    comparisons.append(comparison)
                    continue
            layer = net.layers[number - 1]
            found = _own_prime_diagnosis(layer, number, zs[number - 1], delta, dl_da, fprime_z)
            if number == count:
                found = found or diagnosis.summed_error(delta, expected, dl_da, fprime_z, budget)
            else:
                found = found or diagnosis.reshaped_weights(delta, expected, given, right_weight, fprime_z)
            comparison.finding = found or _delta_diagnosis(
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
                profile.interface,
                suspect,
            )
            if comparison.finding is not None and comparison.finding.params.get("also") == "bce":
                comparison.also.append(Finding(
                    "loss-mismatch",
                    "the output delta A − y is that of cross-entropy on sigmoid outputs (bce); declare it "
                    f"with {declare('loss', 'bce', profile.interface)} if it is the one meant",
                    {"loss": "bce", "declared": loss.name},
                ))
            if comparison.finding is not None and comparison.finding.kind == "loss-mismatch":
                factor = diagnosis.scaled(delta, expected, budget, learning_rate=case.learning_rate,
                                          n_outputs=case.n_outputs)
                if factor is not None:  # mse's delta with one output is also 2 × half-SSE's: say both
                    comparison.also.append(factor)
        comparisons.append(comparison)
    return evidence_from(comparisons, "the hidden delta" if hidden else "the output delta")


def _own_prime_diagnosis(
    layer: Any, number: int, z: NDArray, delta: NDArray, dl_da: NDArray, fprime_z: NDArray
) -> Finding | None:
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
    return Finding(
        "wrong-derivative",
        f"layer {number}'s delta equals ∂L/∂A × the layer's own activation_prime(z) "
        f"{diagnosis.within(gap)} in {diagnosis.elements(delta)}, and activation_prime(z) is not f'(z): "
        "backward is right, the "
        "derivative it is given is wrong (see activation-derivative)",
        {"layer": number, "agreement": gap},
    )


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
    interface: str,
    suspect: Callable[[], Sequence[Finding]] = tuple,
) -> Finding | None:
    """What a wrong delta is, given what it should be and ∂L/∂A of its layer; before the generic
    patterns, the first usual mistake that `suspect()` finds every layer's delta reproduces."""
    missing = diagnosis.missing_fprime(delta, expected, dl_da, budget)
    if missing and output and loss.name == "half_sse":
        return Finding(
            "missing-fprime",
            missing.sentence + "; A − y is also the output delta of cross-entropy on sigmoid outputs: "
            f"if that is the loss meant, declare it with {declare('loss', 'bce', interface)}",
            {**missing.params, "also": "bce"},
        )
    if output and not missing:
        for other in LOSSES.values():
            with np.errstate(all="ignore"):
                other_delta = other.output_gradient(a, case.y) * fprime_z
            if other.name == loss.name or not np.all(np.isfinite(other_delta)):
                continue
            gap = diagnosis.agreement(delta, other_delta)
            if gap is not None and diagnosis.agreement(other_delta, expected, budget) is None:
                return Finding(
                    "loss-mismatch",
                    f"the output delta equals ∂L/∂z of {other.name} ({other.description}) "
                    f"{diagnosis.within(gap)}: it is right for that loss; "
                    f"declare it with {declare('loss', other.name, interface)} if it is the one meant",
                    {"loss": other.name, "declared": loss.name, "agreement": gap},
                )
    return (
        diagnosis.delta_uses_fprime_of_a(delta, expected, fprime_z, fprime_a)
        or missing
        or diagnosis.extra_fprime(delta, expected, fprime_z)
        or next(iter(suspect()), None)
        or diagnosis.diagnose(
            delta, expected, budget, learning_rate=case.learning_rate, n_outputs=case.n_outputs
        )
    )


def output_delta(factory: Factory, case: Case, loss: Loss, profile: Profile) -> Evidence:
    return _deltas(factory, case, loss, profile, hidden=False)


def hidden_delta(factory: Factory, case: Case, loss: Loss, profile: Profile) -> Evidence:
    return _deltas(factory, case, loss, profile, hidden=True)


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
    estimates = model_estimates(net, case, loss, penalised=False)  # ∂L/∂z: the penalty is not in it
    count = len(deltas)
    numbers = range(1, count) if hidden else [count]
    comparisons = []
    whole: list[list[Finding]] = []
    for number in numbers:
        estimate = estimates[biases[number - 1]]
        label = layer_label(number, count)
        if net.names:
            label = f"{label} ({net.names[biases[number - 1]]})"
        comparison = compare_estimate(label, "unit", deltas[number - 1], estimate)
        if not comparison.passed:
            if not whole:  # the usual mistakes every layer's delta reproduces, before the generic patterns
                labels = [layer_label(n, count) for n in range(1, count + 1)]
                whole.append(suspected.findings(net, case, loss, deltas, [estimates[i] for i in biases],
                                                "every layer's delta", "deltas", labels))
            comparison.finding = next(iter(whole[0]), None) or diagnosis.diagnose(
                deltas[number - 1], estimate.value, estimate.budget,
                learning_rate=case.learning_rate, n_outputs=case.n_outputs,
            )
        comparisons.append(comparison)
    if not comparisons:
        return Evidence("passed", summary="no hidden layer in this case")
    return evidence_from(comparisons, "the hidden delta" if hidden else "the output delta")
