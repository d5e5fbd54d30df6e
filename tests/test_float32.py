"""A network computing in float32 is judged with a budget for its own precision, even where it hands its
arrays (or its loss) back as float64; and that budget still catches its bugs."""

from __future__ import annotations

import numpy as np
import pytest
from implementations import float32_network, float32_returned_as_float64
from model_v2 import float32_loss

import backprop
from backprop.battery.protocols import LocalWorker, open_network
from backprop.network import NeuralNetwork

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
