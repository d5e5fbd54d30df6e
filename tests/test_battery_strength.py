"""What the battery's own constants protect: the activation-derivative check's fixed probe points and the
share of a check's time kept for reporting.  Each test is written against the mistake the constant is
there to catch, on cases where nothing else would catch it."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from backprop.activations import tanh_prime
from backprop.battery.cases import make_case
from backprop.battery.checks.common import prepare
from backprop.battery.profile import Profile, as_profile
from backprop.battery.protocols import LocalWorker
from backprop.battery.runner import evaluate, run_in_worker
from backprop.battery.space import Space
from backprop.losses import get_loss
from backprop.network import Layer, NeuralNetwork
from backprop.subject.client import Subject

sys.path.insert(0, str(Path(__file__).resolve().parent / "styles"))

import float32_rows  # noqa: E402
from implementations import float32_network, float32_returned_as_float64, output_delta_missing_fprime  # noqa: E402
from step_only_dict import Adapter  # noqa: E402
from styles import catalogue  # noqa: E402

HALF_SSE = get_loss("half_sse")
SMALL = make_case((2, 3, 1), "tanh", 0.1, 0.1, 11, HALF_SSE)
"""Weights and inputs below 0.1: every pre-activation of the case itself lies well inside (−1, 1)."""


def with_derivative(prime: Callable[[np.ndarray], np.ndarray]) -> Callable[..., Any]:
    """A factory of reference networks whose activation_prime is `prime` (everything else right)."""

    def make(layers: Any, activation: str) -> NeuralNetwork:
        net = NeuralNetwork(layers, activation)
        for layer in net.layers:
            layer.activation_prime = prime
        return net

    return make


# derivatives wrong only away from 0, where a small case's own z never go: only the fixed points reach them
WRONG_AWAY_FROM_ZERO = {
    "z > 2 (tanh' at min(z, 2))": lambda z: tanh_prime(np.minimum(z, 2.0)),
    "z < −2 (tanh' at max(z, −2))": lambda z: tanh_prime(np.maximum(z, -2.0)),
    "|z| > 4 (a saturated unit's tanh' taken as 0)": lambda z: np.where(np.abs(z) > 4, 0.0, tanh_prime(z)),
}


def test_the_small_case_never_reaches_where_those_derivatives_are_wrong() -> None:
    """Otherwise the case's own z, not the fixed probe points, would be what catches them."""
    net = NeuralNetwork(SMALL.layers, "tanh")
    weights = SMALL.random_weights([layer.weight.shape for layer in net.layers])
    a = np.concatenate(([1.0], SMALL.x))
    for layer, w in zip(net.layers, weights, strict=True):
        z = a @ w
        assert np.all(np.abs(z) < 0.5), z
        a = layer.activation(z)


@pytest.mark.parametrize("where", sorted(WRONG_AWAY_FROM_ZERO))
def test_a_derivative_wrong_only_far_from_zero_fails(where: str) -> None:
    evidence = evaluate("activation-derivative", with_derivative(WRONG_AWAY_FROM_ZERO[where]), SMALL,
                        HALF_SSE, "layer-level")
    assert evidence.status == "failed", (where, evidence.summary)
    worst = float(evidence.details.rsplit("at z = ", 1)[1].split()[0])
    assert abs(worst) > 2, evidence.details  # caught at a fixed point, not at one of the case's z


def test_a_right_derivative_written_differently_passes_at_every_probe_point() -> None:
    evidence = evaluate("activation-derivative", with_derivative(lambda z: 1 / np.cosh(z) ** 2), SMALL,
                        HALF_SSE, "layer-level")
    assert evidence.status == "passed", evidence.details


# ------------------------------------------------------------------ the time kept for reporting

SLEEP = 0.1
"""Each layer's forward in the slow implementation: enough that shrinking a deep failing case (6 s unhurried)
outlasts the search's share of the time limit, little enough that the smallest case is re-run within the
share kept back (about 0.3 s of its 1 s)."""


class SlowDeepLayer(Layer):
    """forward sleeps, and from the network's third layer on stores dZ = f'(A) instead of f'(z)."""

    def forward(self, x):  # type: ignore[no-untyped-def]
        time.sleep(SLEEP)
        z = np.dot(x, self.weight)
        self.A = self.activation(z)
        self.dZ = self.activation_prime(self.A if self.number >= 2 else z)
        return self.A


def slow_deep_mistake(layers: Any, activation: str) -> NeuralNetwork:
    net = NeuralNetwork(layers, activation)
    for number, layer in enumerate(net.layers):
        layer.__class__ = SlowDeepLayer
        layer.number = number
    return net


def test_a_slow_wrong_implementation_gets_its_failure_reported_not_a_timeout() -> None:
    """The failure needs two hidden layers, so the search first looks for such a case, then shrinks it one
    slow case at a time until the search's share of the limit is spent; the share kept back re-runs the
    smallest failing case and reports it, instead of the worker being killed mid-search."""
    timeout = 4.0
    subject = Subject.start(slow_deep_mistake, timeout)
    try:
        found = run_in_worker(subject, "dz-is-fprime-of-z", as_profile("layer-level"), HALF_SSE, 0, 200,
                              None, timeout, Space(activations=("tanh",)))
    finally:
        subject.close()
    assert found.status == "failed", (found.status, found.summary)
    assert "shrinking stopped at the time limit" in found.details, found.details
    assert found.findings and found.findings[0].kind == "fprime-of-output", found.findings
    assert found.minimal_case and len(found.minimal_case["layers"]) >= 4, found.minimal_case  # 2+ hidden


# ------------------------------------------------------------------ the gradient checks' own words

CASE = make_case((2, 3, 1), "tanh", 0.1, 1.0, 11, HALF_SSE)
STEP_ONLY = Profile("model-level", frozenset({"step", "predict"}))
LAYER_LEVEL = Profile("layer-level", frozenset({"activation", "activation_prime"}))
FROM_STEP = "the gradient derived from step(x, y, lr)"
BOTH_RATES = f"{FROM_STEP.replace('the gradient', 'gradients')} as (W_before − W_after) / lr at the case's " \
    "learning rate and at 1/8 of it"


def rounding_said(sentence: str) -> str:
    """The sentence with its agreement ("to 3e-13", "exactly") written ROUNDING: how closely two computations
    of the same numbers agree is the machine's arithmetic, not the behaviour under test."""
    return re.sub(r"\bto \d(?:\.\d+)?e[+-]\d+|\bexactly\b", "ROUNDING", sentence)


def assert_weights_of(
    case: Any, given: list[np.ndarray] | None, factory: Any, profile: Profile, count: int = 4
) -> None:
    """The evidence carries the weights the case was run at: the report's reproducer."""
    expected = prepare(LocalWorker(factory), case, profile).copy_weights()
    assert given is not None and len(given) == len(expected) == count, given
    for mine, written in zip(given, expected, strict=True):
        np.testing.assert_array_equal(mine, written)


class FixedRate(Adapter):
    """The step always moves by 0.1 × the gradient, whatever learning rate it is given."""

    def apply(self, grads: dict, lr: float) -> None:
        for name, g in grads.items():
            self.params[name] -= 0.1 * g


class RateTwiceOnW1(Adapter):
    """The step moves W1 by lr² × its gradient, every other array by lr × its gradient."""

    def apply(self, grads: dict, lr: float) -> None:
        for name, g in grads.items():
            self.params[name] -= (lr * lr if name == "W1" else lr) * g


class SignStep(Adapter):
    """The step moves every parameter by lr × 0.01 × the sign of its gradient (signSGD)."""

    def apply(self, grads: dict, lr: float) -> None:
        for name, g in grads.items():
            self.params[name] -= lr * 0.01 * np.sign(g)


class HiddenDeltaWithoutFprime(Adapter):
    """The step backpropagates a hidden delta without f'(z): the output layer's is right."""

    def backward(self, y: np.ndarray, lr: float) -> None:
        grads = {}
        dA = self.cache[f"A{self.n}"] - y
        for layer in range(self.n, 0, -1):
            dZ = dA * self.df(self.cache[f"Z{layer}"]) if layer == self.n else dA
            grads[f"W{layer}"] = np.outer(self.cache[f"A{layer - 1}"], dZ)
            grads[f"b{layer}"] = dZ
            dA = self.params[f"W{layer}"] @ dZ
        self.apply(grads, lr)


class FrozenB1(Adapter):
    """The step moves every array but b1."""

    def apply(self, grads: dict, lr: float) -> None:
        for name, g in grads.items():
            if name != "b1":
                self.params[name] -= lr * g


class UndeclaredPenaltyBiasesDoubled(Adapter):
    """The step adds 0.1·W to every weight's gradient (a penalty nobody declared) and doubles the biases'."""

    def apply(self, grads: dict, lr: float) -> None:
        for name, g in grads.items():
            self.params[name] -= lr * (g + 0.1 * self.params[name] if name.startswith("W") else 2 * g)


class HalfPenalty(Adapter):
    """The step adds λ/2·W to the weights' gradient where λ·W belongs (λ = 0.1 declared)."""

    def apply(self, grads: dict, lr: float) -> None:
        for name, g in grads.items():
            self.params[name] -= lr * (g + 0.05 * self.params[name] if name.startswith("W") else g)


class DoublePenaltyLayer(Layer):
    """update adds 2λ·W (λ = 0.1, the bias row left out) where λ·W belongs."""

    def update(self, learning_rate: float, left_a: Any) -> None:
        ad = np.atleast_2d(left_a).T.dot(np.atleast_2d(self.delta))
        weights = self.weight.copy()
        weights[0] = 0.0
        self.weight -= learning_rate * (ad + 2 * 0.1 * weights)


def made_of(layer_class: type[Layer]) -> Callable[..., NeuralNetwork]:
    def make(layers: Any, activation: str) -> NeuralNetwork:
        net = NeuralNetwork(layers, activation)
        for layer in net.layers:
            layer.__class__ = layer_class
        return net

    return make


def test_a_misshapen_model_gradient_keeps_the_case_s_weights_for_the_report() -> None:
    """The wrong-axis failure returns before the gradients are compared; the report's reproducer still
    needs the weights the case was run at."""
    case = make_case((2, 2, 1), "relu", 0.1, 1.0, 11, HALF_SSE)
    profile = Profile("model-level")
    factory = catalogue()["two_layer_net_wrong_axis"].make
    evidence = evaluate("weight-gradient", factory, case, HALF_SSE, profile)
    assert (evidence.status, evidence.where, evidence.summary, evidence.details) == (
        "failed", "b1", "the weight gradient of b1 is misshapen",
        "gradient 2 from gradients(x, y) has shape (1,), expected (2,)",
    )
    assert [f.kind for f in evidence.findings] == ["wrong-axis"]
    assert_weights_of(case, evidence.weights, factory, profile)


def test_a_step_wrong_only_between_the_rates_says_where_what_moved_and_how_it_was_derived() -> None:
    """At the case's rate (0.1) the fixed-rate step is right: the evidence is made from the disagreement
    alone, located where the derived gradient moved most, with both values in its details."""
    evidence = evaluate("update-is-sgd-step", FixedRate, CASE, HALF_SSE, STEP_ONLY)
    assert (evidence.status, evidence.rel_error, evidence.where, evidence.summary, evidence.details) == (
        "failed", None, "b2[0]", f"{FROM_STEP} differs between the two learning rates",
        "b2[0]: (W_before − W_after) / lr is 0.0762697 at learning rate 0.1 and 0.610158 at 0.0125",
    )
    assert evidence.note == BOTH_RATES
    assert [f.kind for f in evidence.findings] == ["learning-rate-ignored"]
    assert_weights_of(CASE, evidence.weights, FixedRate, STEP_ONLY)


def test_a_step_wrong_at_its_rate_and_between_the_rates_gives_both_in_its_details() -> None:
    """The comparison's line comes first, the two rates' values on the next line; the rates' finding,
    the more specific, comes before the generic factor."""
    evidence = evaluate("update-is-sgd-step", RateTwiceOnW1, CASE, HALF_SSE, STEP_ONLY)
    assert evidence.status == "failed" and evidence.where == "W1[0, 1]"
    assert evidence.details == (
        "W1[0, 1]: -0.00113563 against -0.0113563 (error 0.01, budget 4.5e-11); 6 of 6 elements differ; "
        "relative error of the array 0.9\n"
        "W1[0, 1]: (W_before − W_after) / lr is -0.00113563 at learning rate 0.1 and -0.000141954 at 0.0125"
    )
    assert [(f.kind, f.params.get("parameters")) for f in evidence.findings] == [
        ("scaled", ["W1"]), ("scaled", None)
    ]


SIGN_STEP = (
    "the values equal 0.01 × sign(expected) ROUNDING of their size in all {n} elements that move, while the "
    "expected ones differ in size by up to {spread}×: the step follows the gradient's sign (Adam's or "
    "RMSprop's first step, signSGD), not the gradient"
)


@pytest.mark.parametrize("check_id", ["weight-gradient", "update-is-sgd-step"])
def test_a_step_only_model_following_the_gradient_s_sign_is_judged_as_a_step(check_id: str) -> None:
    """Without gradients(x, y) both checks derive the gradient from the step and judge it as one: the
    sign-following step is named on every array whose expected values differ in size."""
    evidence = evaluate(check_id, SignStep, CASE, HALF_SSE, STEP_ONLY)
    assert_weights_of(CASE, evidence.weights, SignStep, STEP_ONLY)
    assert (evidence.status, evidence.summary) == (
        "failed", f"{FROM_STEP} is wrong in 4 of 4 parameter arrays"
    )
    assert evidence.note == BOTH_RATES
    assert [(f.kind, rounding_said(f.sentence)) for f in evidence.findings] == [
        ("not-sgd-step", SIGN_STEP.format(n=3, spread="16.4")),
        ("not-sgd-step", SIGN_STEP.format(n=6, spread="62.8")),
    ]


@pytest.mark.parametrize("check_id", ["weight-gradient", "update-is-sgd-step"])
def test_a_step_only_model_s_mistake_is_named_as_its_moves_by_the_parameters_names(check_id: str) -> None:
    finding = evaluate(check_id, HiddenDeltaWithoutFprime, CASE, HALF_SSE, STEP_ONLY).findings[0]
    assert (finding.kind, rounding_said(finding.sentence)) == (
        "missing-fprime",
        "every parameter's move ÷ the learning rate equals that of backprop with the factor f'(z) missing at "
        "layer 1 ROUNDING in all 13 elements (the mistake changes 6 of 6 elements of W1, 3 of 3 of b1): "
        "multiply by f'(z)",
    )
    assert finding.params["changed"] == ["W1", "b1"]


def test_a_gradients_model_s_mistake_is_named_as_its_weight_gradient() -> None:
    """gradients(x, y) is the weight gradient itself: the summary and the suspect say so."""
    factory = catalogue()["nielsen_hidden_missing_fprime"].make
    evidence = evaluate("weight-gradient", factory, CASE, HALF_SSE, Profile("model-level"))
    assert (evidence.status, evidence.summary, evidence.note) == (
        "failed", "the weight gradient is wrong in 2 of 4 parameter arrays", ""
    )
    finding = evidence.findings[0]
    assert (finding.kind, rounding_said(finding.sentence)) == (
        "missing-fprime",
        "every parameter's gradient equals that of backprop with the factor f'(z) missing at layer 1 "
        "ROUNDING in all 13 elements (the mistake changes 6 of 6 elements of parameter 1 of 4, 3 of 3 of "
        "parameter 2 of 4): multiply by f'(z)",
    )


def test_a_parameter_array_the_step_leaves_out_is_named_frozen_by_the_gradient_derived_from_it() -> None:
    evidence = evaluate("update-is-sgd-step", FrozenB1, CASE, HALF_SSE, STEP_ONLY)
    assert [f.kind for f in evidence.findings] == ["frozen", "frozen"]
    assert (evidence.findings[0].sentence, evidence.findings[0].params) == (
        f"{FROM_STEP} is 0 in every element of b1 where ∂L/∂p is not, and right in W1, W2, b2: b1 is left "
        "out",
        {"parameters": ["b1"]},
    )


def test_an_undeclared_penalty_in_a_step_is_measured_on_the_weights_and_said_first() -> None:
    """λ is fitted on the weights alone (the doubled biases are no penalty), and the regularisation
    finding, which explains every weight array, comes before the biases' own factor 2."""
    evidence = evaluate("update-is-sgd-step", UndeclaredPenaltyBiasesDoubled, CASE, HALF_SSE, STEP_ONLY)
    assert [f.kind for f in evidence.findings] == ["regularisation", "scaled", "scaled"]
    finding = evidence.findings[0]
    assert rounding_said(finding.sentence) == (
        f"{FROM_STEP} equals ∂C/∂W + λ·W with λ = 0.1 (least squares) ROUNDING in 18 weight values: an L2 "
        "penalty that is not declared; declare it with l2=0.1"
    )
    assert finding.params == {"l2": pytest.approx(0.1, rel=1e-9), "declared": 0.0}


def test_a_step_s_penalty_of_half_the_declared_one_is_measured_against_the_declared_lambda() -> None:
    """λ = 0.1 declared, the step adds 0.05·W: both samples' residuals are measured against the data loss's
    gradient, so the fitted λ is 0.05, half the declared one, on the weights (not the biases)."""
    profile = Profile("model-level", frozenset({"step", "predict"}), l2=0.1)
    evidence = evaluate("update-is-sgd-step", HalfPenalty, CASE, HALF_SSE, profile)
    assert (evidence.status, evidence.summary) == (
        "failed", f"{FROM_STEP} is wrong in 2 of 4 parameter arrays"
    )
    (finding,) = evidence.findings
    assert (finding.kind, rounding_said(finding.sentence)) == (
        "regularisation",
        f"{FROM_STEP} equals ∂C/∂W + 0.5 × λ·W (λ = 0.1 declared) ROUNDING: the penalty's gradient has a "
        "wrong factor (λ/2·W: the 2 of ‖W‖²'s derivative dropped)",
    )
    assert finding.params == {"l2": pytest.approx(0.05, rel=1e-9), "declared": 0.1,
                              "factor": pytest.approx(0.5, rel=1e-9)}


def test_an_update_s_penalty_of_twice_the_declared_one_is_measured_on_the_weights_not_the_bias_row() -> None:
    profile = replace(LAYER_LEVEL, l2=0.1)
    evidence = evaluate("update-is-sgd-step", made_of(DoublePenaltyLayer), CASE, HALF_SSE, profile)
    assert_weights_of(CASE, evidence.weights, made_of(DoublePenaltyLayer), profile, count=2)
    assert (evidence.status, evidence.summary) == (
        "failed", "the update (W_before − W_after) / learning rate is wrong in 2 of 2 layers"
    )
    (finding,) = evidence.findings
    assert (finding.kind, rounding_said(finding.sentence)) == (
        "regularisation",
        "the update equals ∂C/∂W + 2 × λ·W (λ = 0.1 declared) ROUNDING: the penalty's gradient has a wrong "
        "factor (λ·‖W‖² differentiated as 2λ·W: the ½ of λ/2·‖W‖² dropped)",
    )
    assert finding.params == {"l2": pytest.approx(0.2, rel=1e-9), "declared": 0.1,
                              "factor": pytest.approx(2.0, rel=1e-9)}


def test_a_declared_penalty_does_not_hide_the_mistake_in_a_layer_s_weight_gradient() -> None:
    """aᵀδ is the data loss's gradient whatever penalty is declared: the suspects are planted without it,
    so the output delta's missing f' is named with λ = 0.1 declared as it is without."""
    profile = replace(LAYER_LEVEL, l2=0.1)
    evidence = evaluate("weight-gradient", output_delta_missing_fprime.make, CASE, HALF_SSE, profile)
    assert evidence.summary == "the weight gradient aᵀδ is wrong in 2 of 2 layers"
    assert [f.kind for f in evidence.findings] == ["missing-fprime", "inherited", "inherited"]
    assert rounding_said(evidence.findings[0].sentence) == (
        "every layer's weight gradient equals that of backprop with the factor f'(z) missing at the output "
        "layer ROUNDING in all 16 elements (the mistake changes 12 of 12 elements of layer 1, 4 of 4 of "
        "layer 2): multiply by f'(z)"
    )
    for finding, number in zip(evidence.findings[1:], (2, 1), strict=True):  # each delta is 0.74 off
        assert finding.sentence == (
            f"layer {number}'s delta is itself wrong (relative error 7.4e-01 against ∂L/∂z, see the delta "
            "checks), and aᵀδ inherits it"
        )
        error = pytest.approx(0.73957775, rel=1e-6)
        assert finding.params == {"layer": number, "from": "delta", "error": error}


class GradientsRightStepIgnoringTheRate(Adapter):
    """gradients(x, y) is right; step always moves by 0.1 × the gradient, whatever the learning rate."""

    kept: dict | None = None

    def gradients(self, x: np.ndarray, y: np.ndarray) -> dict:
        self.kept = {}
        self.forward(x)
        self.backward(y, 0.0)
        found, self.kept = self.kept, None
        return found

    def apply(self, grads: dict, lr: float) -> None:
        if self.kept is not None:  # gradients(x, y): keep them, move nothing
            self.kept.update(grads)
            return
        for name, g in grads.items():
            self.params[name] -= 0.1 * g


def test_a_model_offering_gradients_and_a_step_is_judged_on_each_by_its_own_check() -> None:
    """weight-gradient judges gradients(x, y), update-is-sgd-step the step: only the step is wrong."""
    profile = Profile("model-level", frozenset({"gradients", "step", "predict"}))
    right = evaluate("weight-gradient", GradientsRightStepIgnoringTheRate, CASE, HALF_SSE, profile)
    assert (right.status, right.note, right.findings) == ("passed", "", [])
    wrong = evaluate("update-is-sgd-step", GradientsRightStepIgnoringTheRate, CASE, HALF_SSE, profile)
    assert (wrong.status, wrong.summary, wrong.note) == (
        "failed", f"{FROM_STEP} differs between the two learning rates", BOTH_RATES
    )
    assert [f.kind for f in wrong.findings] == ["learning-rate-ignored"]


class Float32OnFloat64Weights(float32_returned_as_float64.Float32InsideLayer):
    """The float32 layer keeping the article's float64 weights: it casts them as it uses them."""

    def backward(self, y: Any, rightLayer: Any) -> np.ndarray:  # noqa: N803 (the article's name)
        if self.isoutputLayer:
            return super().backward(y, rightLayer)
        right = rightLayer.delta.astype(np.float32).dot(rightLayer.weight.astype(np.float32).T)
        self.delta = np.atleast_2d(right * self.dZ.astype(np.float32)).astype(np.float64)
        return self.delta


FLOAT32 = {
    "float32 layers on float64 weights": (made_of(Float32OnFloat64Weights), Profile("layer-level")),
    "float32 layers": (float32_network.make, Profile("layer-level")),
    "a float32 model's step": (float32_rows.make, STEP_ONLY),
}


@pytest.mark.parametrize("check_id", ["weight-gradient", "update-is-sgd-step"])
@pytest.mark.parametrize("arithmetic", sorted(FLOAT32))
def test_float32_arithmetic_is_judged_at_its_own_rounding(arithmetic: str, check_id: str) -> None:
    """aᵀδ and (W_before − W_after) / lr are taken in the precision the network computes in, with the
    rounding of its stored weights' moves: correct float32 arithmetic passes both checks."""
    factory, profile = FLOAT32[arithmetic]
    evidence = evaluate(check_id, factory, CASE, HALF_SSE, profile)
    assert (evidence.status, evidence.summary) == ("passed", ""), evidence.details


class TinyUndeclaredPenalty(Adapter):
    """The step adds 3e-10·W to the weights' gradient: a penalty far inside the comparison's tolerance."""

    def apply(self, grads: dict, lr: float) -> None:
        for name, g in grads.items():
            self.params[name] -= lr * (g + 3e-10 * self.params[name] if name.startswith("W") else g)


def test_a_step_that_passes_is_not_searched_for_a_penalty_too_small_to_fail_it() -> None:
    """What a gradient carries is measured only when it fails: within the tolerance, a λ of 3e-10 could be
    fitted to the residuals of this case, and is not reported."""
    case = make_case((2, 3, 1), "tanh", 0.1, 1.0, 5, HALF_SSE)
    evidence = evaluate("update-is-sgd-step", TinyUndeclaredPenalty, case, HALF_SSE, STEP_ONLY)
    assert (evidence.status, evidence.summary, evidence.findings) == ("passed", "", [])


class DeclaredPenaltyLayer(Layer):
    """update adds λ·W (λ = 0.1) to aᵀδ on every row but the bias row: the declared penalty, right."""

    def update(self, learning_rate: float, left_a: Any) -> None:
        ad = np.atleast_2d(left_a).T.dot(np.atleast_2d(self.delta))
        weights = self.weight.copy()
        weights[0] = 0.0
        self.weight -= learning_rate * (ad + 0.1 * weights)


def test_an_update_penalising_every_row_but_the_bias_row_passes_a_declared_penalty() -> None:
    """A layer's row 0 is fed the constant 1 (the bias): the declared λ/2·‖W‖² leaves it out."""
    profile = replace(LAYER_LEVEL, l2=0.1)
    evidence = evaluate("update-is-sgd-step", made_of(DeclaredPenaltyLayer), CASE, HALF_SSE, profile)
    assert (evidence.status, evidence.summary, evidence.findings) == ("passed", "", [])


class TinyPenaltyLayer(Layer):
    """update adds 1.5e-9·W to aᵀδ (the bias row left out): a penalty inside the comparison's tolerance."""

    def update(self, learning_rate: float, left_a: Any) -> None:
        ad = np.atleast_2d(left_a).T.dot(np.atleast_2d(self.delta))
        weights = self.weight.copy()
        weights[0] = 0.0
        self.weight -= learning_rate * (ad + 1.5e-9 * weights)


def test_an_update_that_passes_is_not_searched_for_a_penalty_too_small_to_fail_it() -> None:
    """At this case a λ of 1.5e-9 could be fitted to the passing update's residuals: it is not reported."""
    case = make_case((2, 3, 1), "tanh", 0.1, 1.0, 7, HALF_SSE)
    evidence = evaluate("update-is-sgd-step", made_of(TinyPenaltyLayer), case, HALF_SSE, LAYER_LEVEL)
    assert (evidence.status, evidence.summary, evidence.findings) == ("passed", "", [])
