"""activation-derivative and dz-is-fprime-of-z: the activation's derivative, and the dZ forward stores."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ... import numerical
from ...activations import KNOWN_WRONG_DERIVATIVES, KNOWN_WRONG_DERIVATIVES_WHY, get_activation
from ...findings import Finding
from ...losses import Loss
from .. import diagnosis
from ..cases import Case
from ..profile import Profile
from ..protocols import (
    LayerNetwork,
    as_array,
    call,
)
from .common import (
    TINY,
    Evidence,
    Factory,
    compare_estimate,
    compare_exact,
    evidence_from,
    layer_label,
    pre_activations,
    prepare,
    units_on_a_kink,
)
from .overflow import PROBE_Z, activation_finding, numbers

# --------------------------------------------------------------------------- activation-derivative

# Out to where tanh' and σ' are still far above rounding (1e-10 and 6e-6 at 12): a derivative wrong only for
# saturated units (|z| > 4, taken as 0, say) is wrong where no case's own z may reach.
_GRID = np.array([-12.0, -6.0, -4.5, -3.0, -1.5, -0.5, -0.1, 0.1, 0.5, 1.5, 3.0, 4.5, 6.0, 12.0])

def activation_derivative(factory: Factory, case: Case, loss: Loss, profile: Profile) -> Evidence:
    net = prepare(factory, case, profile)
    assert isinstance(net, LayerNetwork)
    seen = net.forward(net.with_one(case.x))
    zs = pre_activations(net, seen)
    kinked = get_activation(case.activation).has_kink
    comparisons, notes = [], []
    checked: set[tuple[int, int]] = set()
    overflows: list[Finding] = []
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
            comparison.finding = _derivative_diagnosis(analytic, estimate, points, case.activation)
            notes.append(f"at z = {points[comparison.worst_index]:.6g}")
        comparisons.append(comparison)
        overflows.extend(_overflows(number, f, fprime))
    evidence = evidence_from(comparisons, "the activation's derivative", notes)
    if overflows and not evidence.failing:
        where = overflows[0].params["function"]
        return Evidence("failed", where=where, summary=f"{where}(z) is not finite for large |z|",
                        details="\n".join(f.sentence for f in overflows), findings=overflows)
    for finding in overflows:
        evidence.found(finding)
    return evidence


def _overflows(number: int, *functions: Callable[..., Any]) -> list[Finding]:
    """A non-finite finding for each of the layer's activation and activation_prime that is NaN or inf
    somewhere in PROBE_Z (large |z|, where tanh, sigmoid and relu are finite)."""
    found = []
    for name, fn in zip(("activation", "activation_prime"), functions, strict=True):
        label = f"layer {number}'s {name}"
        with np.errstate(all="ignore"):  # the judge's own copy of a registered function: values only
            values = numbers(f"{label}(z)", call(label, fn, PROBE_Z.copy()))
        finding = activation_finding(label, PROBE_Z, values)
        if finding is not None:
            found.append(finding)
    return found


def _call_activation(f: Callable[..., Any], v: NDArray, number: int) -> NDArray:
    return as_array(
        f"layer {number}'s activation(z)", call(f"layer {number}'s activation", f, v.copy()), v.shape
    )


def _derivative_diagnosis(
    analytic: NDArray, estimate: Any, points: NDArray, activation: str
) -> Finding | None:
    """A known wrong formula for f' (named), else a generic relation, else a drift away from z = 0."""
    for formula, wrong in KNOWN_WRONG_DERIVATIVES.get(activation, ()):
        with np.errstate(all="ignore"):
            candidate = np.asarray(wrong(points), dtype=float)
        gap = diagnosis.agreement(analytic, candidate)
        if gap is not None and diagnosis.agreement(candidate, np.asarray(estimate.value)) is None:
            return Finding(
                "wrong-derivative",
                f"activation_prime(z) equals {formula} {diagnosis.within(gap)} at all {points.size} z tried: "
                f"{KNOWN_WRONG_DERIVATIVES_WHY.get(formula, 'that is not the derivative of ' + activation)}",
                {"formula": formula, "activation": activation, "agreement": gap},
            )
    on_grid = slice(0, _GRID.size)  # the fixed points, symmetric about 0, before the case's own z
    return diagnosis.diagnose(analytic, estimate.value, estimate.budget) or diagnosis.drifts_from_zero(
        analytic[on_grid], np.asarray(estimate.value)[on_grid], points[on_grid]
    )


# --------------------------------------------------------------------------- dz-is-fprime-of-z


def dz_is_fprime_of_z(factory: Factory, case: Case, loss: Loss, profile: Profile) -> Evidence:
    net = prepare(factory, case, profile)
    assert isinstance(net, LayerNetwork)
    seen = net.forward(net.with_one(case.x))
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
            comparison.finding = diagnosis.dz_is_fprime_of_a(dz, a, fprime)
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
