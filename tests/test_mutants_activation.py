"""What the activation checks say, word for word: activation-derivative (the finding that names a known
wrong formula for f', the generic relation or drift found otherwise, the non-finite finding for a layer's
functions at large |z|, the errors that name the layer's function that failed, relu judged away from its
kink, every distinct layer function judged once) and dz-is-fprime-of-z (where and how a wrong dZ is
reported, the skip when no dZ is stored, a stored dZ read in unit order, either one-sided slope at a kink).

Each test calls one check on one fixed case driven in this process, or the diagnosis on a small array."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from backprop import activations
from backprop.activations import (
    KNOWN_WRONG_DERIVATIVES,
    register_activation,
    sigmoid,
    sigmoid_prime,
    tanh_prime,
)
from backprop.battery.cases import Case, make_case
from backprop.battery.checks import activation
from backprop.battery.checks.common import Evidence
from backprop.battery.profile import Profile
from backprop.battery.runner import evaluate
from backprop.losses import HALF_SSE
from backprop.network import Layer, NeuralNetwork

sys.path.insert(0, str(Path(__file__).resolve().parent))

from implementations import dz_of_a  # noqa: E402
from test_battery_shrinking import network_of  # noqa: E402

LAYER = Profile("layer-level", frozenset({"activation", "activation_prime"}))
GRID = activation._GRID
OVERFLOW_SENTENCE = (
    "layer 1's activation(z) is NaN at z = 710, where the mathematics is finite (and finite at every probed "
    "z closer to 0); it is NaN or inf at 30 of the 200 points probed, z = ±10, ±20, …, ±1000: compute it in "
    "a form that does not overflow (np.tanh; a sigmoid from exp(−|z|))"
)


def estimate(value: Any, budget: float = 1e-12) -> Any:
    """What the diagnosis reads of a numerical estimate: its value and its budget."""
    value = np.asarray(value, dtype=float)
    return SimpleNamespace(value=value, budget=np.full(value.shape, budget))


def run(check: str, factory: Callable[..., Any], case: Case) -> Evidence:
    return evaluate(check, factory, case, HALF_SSE, LAYER)


def with_functions(activation_fn: Any = None, prime: Any = None, layers: slice = slice(None)) -> Any:
    """A factory of the article's network whose chosen layers get this activation and/or derivative."""

    def make(sizes: list[int], name: str) -> NeuralNetwork:
        net = NeuralNetwork(sizes, name)
        for layer in net.layers[layers]:
            if activation_fn is not None:
                layer.activation = activation_fn
            if prime is not None:
                layer.activation_prime = prime
        return net

    return make


@contextmanager
def registered(name: str, function: Any, derivative: Any, *, has_kink: bool = False) -> Iterator[None]:
    """`name` registered as an activation for the block, and gone after it."""
    register_activation(name, function, derivative, has_kink=has_kink)
    try:
        yield
    finally:
        activations._REGISTRY.pop(name)


def _naive_sigmoid(z: Any) -> Any:
    return np.exp(z) / (1 + np.exp(z))  # inf / inf = NaN above z = 709.78


def _bounded(function: Callable[..., Any], limit: float) -> Callable[..., Any]:
    """function, raising for any |z| beyond limit (code that guards its own input range)."""

    def guarded(z: Any) -> Any:
        if np.any(np.abs(z) > limit):
            raise ValueError("z out of range")
        return function(z)

    return guarded


# --------------------------------------------------------------------------- the diagnosis of a wrong f'


def test_a_known_wrong_formula_is_named_with_its_activation_and_agreement() -> None:
    """σ' written as σ itself is named by its formula, with why that is wrong, and the params say which."""
    finding = activation._derivative_diagnosis(sigmoid(GRID), estimate(sigmoid_prime(GRID)), GRID, "sigmoid")
    assert finding is not None
    assert (finding.kind, finding.params) == (
        "wrong-derivative",
        {"formula": "s", "activation": "sigmoid", "agreement": 0.0},
    )
    assert finding.sentence == (
        "activation_prime(z) equals s exactly at all 14 z tried: the function, not its derivative: "
        "σ' is s(1 − s)"
    )


def test_a_known_formula_without_a_reason_on_record_is_said_not_to_be_the_derivative(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A wrong formula added for an activation with no reason written for it still ends its sentence."""
    monkeypatch.setitem(KNOWN_WRONG_DERIVATIVES, "softsign", (("1/(1 + z²)", lambda z: 1 / (1 + z**2)),))
    true = 1 / (1 + np.abs(GRID)) ** 2
    finding = activation._derivative_diagnosis(1 / (1 + GRID**2), estimate(true), GRID, "softsign")
    assert finding is not None
    assert finding.sentence == (
        "activation_prime(z) equals 1/(1 + z²) exactly at all 14 z tried: "
        "that is not the derivative of softsign"
    )
    assert finding.params == {"formula": "1/(1 + z²)", "activation": "softsign", "agreement": 0.0}


def test_a_known_formula_that_is_the_true_derivative_at_every_z_tried_is_not_named() -> None:
    """relu' taken as 1 everywhere is right where every z is positive: no formula is blamed there."""
    points = np.array([0.1, 0.5, 1.5, 3.0])
    assert activation._derivative_diagnosis(np.ones(4), estimate(np.ones(4)), points, "relu") is None


def test_a_negated_derivative_of_an_activation_with_no_known_formulas_is_found_sign_flipped() -> None:
    """An activation registered by a user has no wrong formulas on record: the generic relations judge it."""
    true = 1 / (1 + np.abs(GRID)) ** 2
    finding = activation._derivative_diagnosis(-true, estimate(true), GRID, "softsign")
    assert finding is not None
    assert (finding.kind, finding.params) == ("sign-flipped", {"factor": -1.0, "agreement": 0.0})
    assert finding.sentence == (
        "the values equal −1 × the expected ones exactly in all 14 elements: the sign is flipped (A − y "
        "written y − A, or a gradient added instead of subtracted)"
    )


def test_a_negated_derivative_is_found_within_the_estimate_s_budget() -> None:
    """The estimate's own error (here 1e-3) is allowed: a negated f' off by 1e-4 is still sign-flipped."""
    true = 1 / (1 + np.abs(GRID)) ** 2
    noise = 1e-4 * np.random.default_rng(0).uniform(-1, 1, GRID.size)
    finding = activation._derivative_diagnosis(-true + noise, estimate(true, 1e-3), GRID, "softsign")
    assert finding is not None
    assert finding.kind == "sign-flipped"
    assert finding.params == {"factor": -1.0, "agreement": pytest.approx(9.94522999659686e-05, rel=1e-9)}
    assert finding.sentence.startswith("the values equal −1 × the expected ones to 1e-04 in all 14 elements")


def test_a_drift_from_zero_takes_the_worst_error_of_both_signs_of_each_z() -> None:
    """At |z| = 12 the error at z = −12 (1.6128) is worse than at +12 (1.2672): the worst is reported."""
    true = sigmoid_prime(GRID)
    analytic = true * (1 + 0.01 * GRID**2 - 0.0001 * GRID**3)
    finding = activation._derivative_diagnosis(analytic, estimate(true), GRID, "sigmoid")
    assert finding is not None and finding.params["formula"] == "an approximation near 0"
    assert finding.params["at"] == [0.1, 0.5, 1.5, 3.0, 4.5, 6.0, 12.0]
    assert finding.params["errors"][-1] == pytest.approx(1.6128, rel=1e-12)
    assert "1.6 at |z| = 12)" in finding.sentence


def test_judging_known_formulas_at_huge_z_raises_no_numpy_warning() -> None:
    """1 − z² overflows at z = 1e200: trying the formula is the judge's arithmetic, and prints nothing."""
    points = np.array([0.5, 1e200])
    true = tanh_prime(points)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        activation._derivative_diagnosis(-true, estimate(true), points, "tanh")


def test_a_formula_that_overflows_at_a_huge_z_is_not_said_to_match() -> None:
    """1 − z² is −inf at z = 1e200, where the analytic values are finite: it does not equal them."""
    points = np.array([0.5, 1e200])
    true = tanh_prime(points)
    finding = activation._derivative_diagnosis(-true, estimate(true), points, "tanh")
    assert finding is None or finding.params.get("formula") != "1 − z²"


# --------------------------------------------------------------------------- activation-derivative


def test_an_activation_that_overflows_fails_naming_the_function_and_the_first_z() -> None:
    """exp(z)/(1 + exp(z)) is NaN above z = 709.78: the evidence says which function, where and how."""
    case = make_case((2, 3, 1), "sigmoid", 0.1, 1.0, 11, HALF_SSE)
    evidence = run("activation-derivative", with_functions(_naive_sigmoid), case)
    assert evidence.status == "failed"
    assert evidence.where == "layer 1's activation"
    assert evidence.summary == "layer 1's activation(z) is not finite for large |z|"
    assert evidence.details == OVERFLOW_SENTENCE
    assert [(f.kind, f.sentence, f.params) for f in evidence.findings] == [
        ("non-finite", OVERFLOW_SENTENCE, {"function": "layer 1's activation", "z": 710.0, "count": 30})
    ]


def test_an_overflow_is_reported_besides_a_wrong_derivative() -> None:
    """A wrong f' and an overflowing f: both findings are on the failing evidence, the derivative first."""
    case = make_case((2, 3, 1), "sigmoid", 0.1, 1.0, 11, HALF_SSE)
    evidence = run("activation-derivative", with_functions(_naive_sigmoid, sigmoid), case)
    assert evidence.status == "failed"
    assert evidence.summary == "the activation's derivative is wrong in 1 of 1 layer"
    assert [(f.kind, f.params.get("formula"), f.params.get("function")) for f in evidence.findings] == [
        ("wrong-derivative", "s", None),
        ("non-finite", None, "layer 1's activation"),
    ]
    assert evidence.findings[1].sentence == OVERFLOW_SENTENCE


def test_probing_a_registered_activation_at_large_z_emits_no_warning() -> None:
    """The judge runs its own copy of a registered activation at |z| up to 1000: only the values count,
    numpy's overflow warnings are not printed to the user."""
    case = make_case((2, 3, 1), "naive_sigmoid", 0.1, 1.0, 11, HALF_SSE)
    with registered("naive_sigmoid", _naive_sigmoid, sigmoid_prime):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            evidence = run("activation-derivative", NeuralNetwork, case)
    assert [str(w.message) for w in seen] == []
    assert evidence.status == "failed"
    assert [(f.kind, f.params) for f in evidence.findings] == [
        ("non-finite", {"function": "layer 1's activation", "z": 710.0, "count": 30})
    ]


@pytest.mark.parametrize("limit", [11.0, 100.0])
def test_an_activation_that_raises_is_an_error_naming_the_layer_s_activation(limit: float) -> None:
    """Whether it raises on the grid (|z| = 12, limit 11) or only at the probed large z (limit 100), the
    error names the call that raised."""
    with registered("bounded", _bounded(np.tanh, limit), tanh_prime):
        evidence = run(
            "activation-derivative", NeuralNetwork, make_case((2, 3, 1), "bounded", 0.1, 1.0, 11, HALF_SSE)
        )
    assert evidence.status == "errored"
    assert evidence.summary.startswith("layer 1's activation raised ValueError: z out of range")


def test_an_activation_prime_that_raises_is_an_error_naming_the_layer_s_activation_prime() -> None:
    with registered("bounded", np.tanh, _bounded(tanh_prime, 11.0)):
        evidence = run(
            "activation-derivative", NeuralNetwork, make_case((2, 3, 1), "bounded", 0.1, 1.0, 11, HALF_SSE)
        )
    assert evidence.status == "errored"
    assert evidence.summary.startswith("layer 1's activation_prime raised ValueError: z out of range")


def test_an_activation_returning_no_numbers_at_large_z_is_an_error_naming_it() -> None:
    """Code that returns a message instead of values out of its range is told so, with the call named."""

    def guarded(z: Any) -> Any:
        return np.tanh(z) if np.all(np.abs(z) < 100) else "out of range"

    with registered("guarded", guarded, tanh_prime):
        evidence = run(
            "activation-derivative", NeuralNetwork, make_case((2, 3, 1), "guarded", 0.1, 1.0, 11, HALF_SSE)
        )
    assert (evidence.status, evidence.summary) == (
        "errored",
        "layer 1's activation(z) is not an array of real numbers (str).",
    )


def test_an_activation_prime_returning_one_number_is_an_error_with_the_shapes() -> None:
    """activation_prime(z) gives one value per z: a constant 1.0 for an array is reported with the shapes."""
    case = make_case((2, 3, 1), "tanh", 0.1, 1.0, 11, HALF_SSE)
    evidence = run("activation-derivative", with_functions(lambda z: z * 1.0, lambda z: 1.0), case)
    assert (evidence.status, evidence.summary) == (
        "errored",
        "layer 1's activation_prime(z) has shape (), expected (18,).",
    )


def test_a_layer_with_its_own_wrong_derivative_after_shared_ones_is_judged() -> None:
    """Layers 1 and 2 share tanh', layer 3 has its own 1 − z²: the shared pair is judged once and the
    third layer's function is still judged."""
    case = make_case((2, 3, 3, 1), "tanh", 0.1, 1.0, 11, HALF_SSE)
    make = with_functions(prime=lambda z: 1 - z**2, layers=slice(2, 3))
    evidence = run("activation-derivative", make, case)
    assert evidence.status == "failed"
    assert evidence.summary == "the activation's derivative is wrong in 1 of 2 layers"
    assert evidence.where == "layer 3's activation_prime, z[0]"
    assert [(f.kind, f.params) for f in evidence.findings] == [
        ("wrong-derivative", {"formula": "1 − z²", "activation": "tanh", "agreement": 0.0})
    ]


def test_a_relu_derivative_wrong_only_between_0_and_1_is_found() -> None:
    """relu' written np.clip(z, 0, 1) is wrong only for 0 < z < 1: the grid's 0.1 and 0.5 show it."""
    case = make_case((2, 3, 1), "relu", 0.1, 1.0, 11, HALF_SSE)
    evidence = run("activation-derivative", with_functions(prime=lambda z: np.clip(z, 0, 1)), case)
    assert evidence.status == "failed"
    assert evidence.where == "layer 1's activation_prime, z[7]"
    assert evidence.details == (
        "layer 1's activation_prime, z[7]: 0.1 against 1 (error 0.9, budget 4e-09); 3 of 18 elements differ; "
        "relative error of the array 0.9\nat z = 0.1"
    )


def test_relu_s_derivative_is_not_judged_within_1e_4_of_its_kink() -> None:
    """A relu' smoothed into a ramp over 0 < z < 1e-4 differs from the step only there, where the check
    does not judge it: with weights of 5e-5 the case's own z (1e-5, 7e-8, ...) lie in the ramp, and pass."""
    case = make_case((2, 3, 1), "relu", 0.1, 5e-5, 11, HALF_SSE)
    evidence = run("activation-derivative", with_functions(prime=lambda z: np.clip(z / 1e-4, 0.0, 1.0)), case)
    assert (evidence.status, evidence.summary, evidence.findings) == ("passed", "", [])


def _naive_sigmoid_prime(z: Any) -> Any:
    return np.exp(-z) / (1 + np.exp(-z)) ** 2  # inf / inf = NaN below z = -709.78


def test_an_activation_and_its_derivative_that_both_overflow_are_both_in_the_details() -> None:
    """One line per function that overflows: the details are the two sentences, a line each."""
    case = make_case((2, 3, 1), "sigmoid", 0.1, 1.0, 11, HALF_SSE)
    evidence = run("activation-derivative", with_functions(_naive_sigmoid, _naive_sigmoid_prime), case)
    assert evidence.status == "failed"
    assert [f.params["function"] for f in evidence.findings] == [
        "layer 1's activation",
        "layer 1's activation_prime",
    ]
    prime_sentence = OVERFLOW_SENTENCE.replace(
        "activation(z) is NaN at z = 710", "activation_prime(z) is NaN at z = -710"
    )
    assert evidence.findings[1].sentence == prime_sentence
    assert evidence.details == OVERFLOW_SENTENCE + "\n" + prime_sentence


# --------------------------------------------------------------------------- dz-is-fprime-of-z


def test_a_dz_of_the_output_is_reported_at_the_rightmost_layer_with_its_z() -> None:
    """dZ = f'(A): located at the output layer's unit, with dZ, f'(z) and z of that unit in the details."""
    case = make_case((2, 3, 1), "tanh", 0.1, 1.0, 11, HALF_SSE)
    evidence = run("dz-is-fprime-of-z", dz_of_a.make, case)
    assert evidence.status == "failed"
    assert evidence.where == "layer 2 of 2 (output), unit 0"
    assert evidence.summary == "dZ is wrong in 2 of 2 layers"
    assert evidence.details == (
        "dZ[0] = 0.671628 but f'(z[0]) = 0.574852 (z = -0.778828)\n"
        "layer 2 of 2 (output), unit 0: 0.671628 against 0.574852 (error 0.097, budget 1e-09); 1 of 1 units "
        "differ; relative error of the array 0.17\n"
        "layer 1 of 2, unit 3: 0.478996 against 0.169341 (error 0.31, budget 1e-09); 4 of 4 units differ; "
        "relative error of the array 0.37"
    )
    assert [f.kind for f in evidence.findings] == ["fprime-of-output", "fprime-of-output"]


class _NoDZ(Layer):
    def forward(self, x: Any) -> Any:
        out = super().forward(x)
        self.dZ = None
        return out


class _ColumnDZ(Layer):
    def forward(self, x: Any) -> Any:
        out = super().forward(x)
        self.dZ = self.dZ.reshape(-1, 1)  # the layer's units down a column
        return out


def test_layers_storing_no_dz_are_skipped_with_the_reason() -> None:
    case = make_case((2, 3, 1), "tanh", 0.1, 1.0, 11, HALF_SSE)
    evidence = run("dz-is-fprime-of-z", network_of(_NoDZ), case)
    assert (evidence.status, evidence.summary) == (
        "skipped",
        "layer 1 stores no dZ after forward, so there is no dZ to check (the deltas are still checked)",
    )


def test_a_dz_stored_as_a_column_is_read_in_unit_order() -> None:
    """dZ of shape (units, 1) holds the same values as (1, units): it is read unit by unit and passes."""
    case = make_case((2, 3, 1), "tanh", 0.1, 1.0, 11, HALF_SSE)
    evidence = run("dz-is-fprime-of-z", network_of(_ColumnDZ), case)
    assert evidence.status == "passed"


def _half_at_zero(z: Any) -> Any:
    return (z > 0) + 0.5 * (z == 0)  # neither one-sided slope at the kink


def test_a_dz_at_a_kink_is_compared_with_the_closer_one_sided_slope_relu() -> None:
    """relu'(0) taken as 0.5 is equally far from 0 and 1: the left slope, 0, is the one quoted."""
    case = make_case((2, 3, 1), "relu", 0.1, 0.0, 11, HALF_SSE)
    evidence = run("dz-is-fprime-of-z", with_functions(prime=_half_at_zero), case)
    assert evidence.status == "failed"
    assert evidence.details.splitlines()[0] == "dZ[0] = 0.5 but f'(z[0]) = 0 (z = 0)"


def test_a_dz_at_a_kink_is_compared_with_the_closer_one_sided_slope_leaky() -> None:
    """A leaky relu's slopes are 0.01 and 1: a dZ of 0.5 at z = 0 is closer to 0.01, which is quoted."""

    def leaky(z: Any) -> Any:
        return np.where(z > 0, z, 0.01 * z)

    def leaky_prime(z: Any) -> Any:
        return np.where(z > 0, 1.0, 0.01)

    with registered("leaky", leaky, leaky_prime, has_kink=True):
        case = make_case((2, 3, 1), "leaky", 0.1, 0.0, 11, HALF_SSE)
        evidence = run("dz-is-fprime-of-z", with_functions(prime=_half_at_zero), case)
    assert evidence.status == "failed"
    assert evidence.details.splitlines()[0] == "dZ[0] = 0.5 but f'(z[0]) = 0.01 (z = 0)"
