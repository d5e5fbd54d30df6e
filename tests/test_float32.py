"""A network computing in float32 is judged with a budget for its own precision, even where it hands its
arrays (or its loss) back as float64, or only its activations compute in float32; and that budget still
catches its bugs."""

from __future__ import annotations

import numpy as np
import pytest
from implementations import (
    float32_activations,
    float32_activations_output_missing_fprime,
    float32_network,
    float32_returned_as_float64,
)
from model_v2 import float32_inside_float64, float32_loss
from test_numerical_engine import analytic_gradients

import backprop
from backprop.battery.protocols import LocalWorker, open_network
from backprop.losses import HALF_SSE
from backprop.network import NeuralNetwork
from backprop.numerical import network_directional_check
from backprop.numerical.layered import verify_structure

CASES = 25
DELTAS = ["dz-is-fprime-of-z", "output-delta", "hidden-delta", "weight-gradient"]


def test_float32_results_returned_as_float64_are_judged_at_float32() -> None:
    """The judge takes the network's precision from its weights and rounds what it returns to it: a float64
    delta of a float32 network is compared at float32's rounding, not float64's."""
    net = open_network(LocalWorker(float32_returned_as_float64.make), [2, 3, 1], "tanh")
    assert net.precision == np.float32
    x1 = net.with_one(np.array([0.3, -0.7]))
    assert [a.dtype for a in net.forward(x1)][1:] == [np.float32, np.float32]
    assert [d.dtype for d in net.backward(np.array([0.5]))] == [np.float32, np.float32]
    reference = open_network(LocalWorker(NeuralNetwork), [2, 3, 1], "tanh")
    assert reference.precision == np.float64
    reference.forward(x1)
    assert all(d.dtype == np.float64 for d in reference.backward(np.array([0.5])))


@pytest.mark.parametrize("module", [float32_returned_as_float64, float32_network])
def test_a_correct_float32_network_passes_the_delta_checks(module) -> None:
    """Without the float32 budget, output-delta failed at an error of 4.3e-9 against 2.1e-9."""
    result = backprop.check(module.make, only=DELTAS, max_examples=CASES)
    assert result.passed, [(r.id, r.details) for r in result.results if not r.ok]


class _SignFlipped(float32_returned_as_float64.Float32InsideLayer):
    """The float32 layer with the output error written y − A: the budget must not hide it."""

    def backward(self, y, rightLayer):  # type: ignore[no-untyped-def]
        delta = super().backward(y, rightLayer)
        if self.isoutputLayer:
            self.delta = -delta
        return self.delta


def sign_flipped(layers: list[int], activation: str) -> NeuralNetwork:
    net = float32_returned_as_float64.make(layers, activation)
    for layer in net.layers:
        layer.__class__ = _SignFlipped
    return net


def test_the_float32_budget_still_catches_a_float32_bug() -> None:
    result = backprop.check(sign_flipped, only=["output-delta"], max_examples=CASES)
    assert result.failed_ids == ["output-delta"]


def test_a_float32_models_own_loss_is_compared_at_float32() -> None:
    """predict-is-forward compared a float32 loss(x, y) with half_sse(predict(x), y) to 1e-9 and failed a
    correct model ("loss(x, y) = 0.0811654 but half_sse(predict(x), y) = 0.0811654")."""
    result = backprop.check(float32_loss.make, only=["predict-is-forward"], max_examples=CASES)
    found = result.by_id("predict-is-forward")
    assert found.status == "passed", found.details


def test_a_float32_model_whose_loss_is_another_still_fails_and_is_named() -> None:
    result = backprop.check(float32_loss.make_mean, only=["predict-is-forward"], max_examples=CASES)
    found = result.by_id("predict-is-forward")
    assert found.status == "failed"
    assert "equals mse(predict(x), y)" in (found.diagnosis or "") and "loss='mse'" in (found.diagnosis or "")


# ---------------------------------------------------------------- float64 weights, float32 arithmetic

MODEL_CHECKS = ["weight-gradient", "update-is-sgd-step", "batch-is-sum", "predict-is-forward", "descent"]


def test_a_model_computing_in_float32_from_float64_weights_passes() -> None:
    """Its weights say float64, its results are float32 numbers: judged at float64, weight-gradient failed
    with "error 0.001, budget 8.3e-10" (the numerical estimate took float64's step on a float32 loss),
    update-is-sgd-step with "0.000436 against 0" and batch-is-sum with "error 1.2e-07, budget 2.2e-09"."""
    result = backprop.check(float32_inside_float64.make, only=MODEL_CHECKS, max_examples=CASES)
    assert result.passed, [(r.id, r.details) for r in result.results if not r.ok]


def test_the_float32_inside_model_missing_fprime_is_found_and_named() -> None:
    result = backprop.check(float32_inside_float64.make_hidden_missing_fprime, only=["weight-gradient"],
                            max_examples=CASES)
    found = result.by_id("weight-gradient")
    assert found.status == "failed"
    assert found.findings and found.findings[0].kind == "missing-fprime"


def test_the_float32_inside_models_step_twice_is_named_a_factor_of_2() -> None:
    """The step-derived gradient is 2.00005 × the float32 estimate: the factor 2 is named to the estimate's
    precision, not left unnamed for missing float64's 1e-6."""
    result = backprop.check(float32_inside_float64.make_lr_twice, only=["update-is-sgd-step"],
                            max_examples=CASES)
    found = result.by_id("update-is-sgd-step")
    assert found.status == "failed"
    scaled = [f for f in found.findings if f.kind == "scaled"]
    assert scaled and all(f.params["matches"] == ["2"] for f in scaled)
    assert all(f.sentence.startswith("the values equal 2 × the expected ones") for f in scaled)
    assert all(1e-7 < abs(f.params["factor"] - 2) < 1e-3 for f in scaled)  # measured in float32


class _Float64WeightsLayer(float32_returned_as_float64.Float32InsideLayer):
    """The float32 layer keeping the article's float64 weights: it casts them as it uses them."""

    missing_fprime = False

    def backward(self, y, rightLayer):  # type: ignore[no-untyped-def]
        if self.isoutputLayer:
            return super().backward(y, rightLayer)
        right = rightLayer.delta.astype(np.float32).dot(rightLayer.weight.astype(np.float32).T)
        dz = np.float32(1) if self.missing_fprime else self.dZ.astype(np.float32)
        self.delta = np.atleast_2d(right * dz).astype(np.float64)
        return self.delta


class _Float64WeightsMissingFprime(_Float64WeightsLayer):
    missing_fprime = True


def float64_weights(layers: list[int], activation: str, kind: type = _Float64WeightsLayer) -> NeuralNetwork:
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.__class__ = kind
    return net


def float64_weights_missing_fprime(layers: list[int], activation: str) -> NeuralNetwork:
    return float64_weights(layers, activation, _Float64WeightsMissingFprime)


def test_layers_computing_in_float32_on_float64_weights_pass() -> None:
    """Judged at float64, the delta checks errored ("layers[0].forward gives 0.578312 where activation(aW)
    is 0.578312": the structure check's float64 tolerance) and the weight, update, fit and batch checks
    failed at float32's rounding (error 3.4e-08, budget 2.1e-09)."""
    result = backprop.check(float64_weights, max_examples=CASES)
    assert result.passed, [(r.id, r.summary, r.details) for r in result.results if not r.ok]


def test_their_missing_hidden_fprime_is_found_and_named() -> None:
    result = backprop.check(float64_weights_missing_fprime, only=["hidden-delta"], max_examples=CASES)
    found = result.by_id("hidden-delta")
    assert found.status == "failed"
    assert "missing-fprime" in [f.kind for f in found.findings]


# ---------------------------------------------------------------- float64 weights, activations in float32


def test_activations_computing_in_float32_on_float64_weights_pass() -> None:
    """The activations cast z to float32 (their values are float32, their weights float64): judged with
    float64's step and rounding, output-delta failed ("0.256017 against 0.256586, budget 1e-09") and so did
    the hidden-delta, weight, update and fit checks, on the numerical estimate's own float32 rounding."""
    result = backprop.check(float32_activations.make, max_examples=CASES)
    assert result.passed, [(r.id, r.summary, r.details) for r in result.results if not r.ok]


def test_their_missing_output_fprime_is_found_and_named() -> None:
    result = backprop.check(float32_activations_output_missing_fprime.make, only=["output-delta"],
                            max_examples=CASES)
    found = result.by_id("output-delta")
    assert found.status == "failed"
    assert found.findings[0].kind == "missing-fprime"


def _float32_tanh_network(seed: int) -> tuple[NeuralNetwork, np.ndarray, np.ndarray]:
    """The float32 activations' [3, 4, 2] tanh network, its weights drawn as the article draws them."""
    net = float32_activations.make([3, 4, 2], "tanh")
    reference = NeuralNetwork([3, 4, 2], "tanh", rng=seed)
    for layer, drawn in zip(net.layers, reference.layers):
        layer.weight = drawn.weight
    rng = np.random.default_rng(100 + seed)
    x = np.concatenate([[1.0], rng.uniform(-1, 1, 3)])
    return net, x, rng.uniform(-1, 1, 2)


def test_the_chain_takes_the_precision_its_activations_compute_in() -> None:
    """The engine redoes the forward in float64 but through the user's activations: their float32 values
    set the chain's precision (and so its steps and rounding); the article's float64 tanh keeps float64."""
    net, x, y = _float32_tanh_network(0)
    assert verify_structure(net.layers, x, y, HALF_SSE).precision == np.float32
    reference = NeuralNetwork([3, 4, 2], "tanh", rng=0)
    assert verify_structure(reference.layers, x, y, HALF_SSE).precision == np.float64


def test_the_directional_check_sees_no_kink_in_float32_activations_and_passes_their_gradient() -> None:
    """20 seeded [3, 4, 2] tanh networks: with float64's step, 13 listed a kink in smooth tanh and 4 failed
    a right gradient (68 and 8 of 100); at float32's step none does, and a gradient 1 % too large still
    fails every one."""
    for seed in range(20):
        net, x, y = _float32_tanh_network(seed)
        gradients = analytic_gradients(net, x, y)
        right = network_directional_check(net, x, y, gradients)
        assert right.passed and right.kinks == [], (seed, right.message())
        assert not network_directional_check(net, x, y, [1.01 * g for g in gradients]).passed, seed
