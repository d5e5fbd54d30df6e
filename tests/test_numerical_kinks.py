"""relu kinks: a step across one, or a pre-activation exactly on one, is a reported kink, not a failure."""

from __future__ import annotations

import numpy as np
import pytest
from test_numerical_engine import analytic_gradients

from backprop import NeuralNetwork, relu, relu_prime
from backprop.numerical import (
    central_difference,
    compare,
    complex_step,
    richardson,
    weight_gradient_estimates,
)

X = np.array([1.0, 0.5, -0.25, 0.75])
Y = np.array([0.5, -0.5])


def network_with_hidden_unit_at(z: float) -> NeuralNetwork:
    """A [3, 4, 2] relu network whose hidden unit 1 has pre-activation z (exactly 0 when z == 0)."""
    net = NeuralNetwork([3, 4, 2], "relu", rng=11)
    net.layers[0].weight[:, 1] = [-0.25 + z, 0.5, 0.0, 0.0]  # 1·(−0.25 + z) + 0.5·0.5
    net.layers[1].weight[1] = [0.75, -1.5]
    return net


@pytest.mark.parametrize("z", [0.0, 1e-9, -1e-9, 3e-6])
@pytest.mark.parametrize("method", ["auto", "complex", "richardson", "loop"])
def test_hidden_unit_on_or_near_the_kink_is_reported_not_failed(z: float, method: str) -> None:
    net = network_with_hidden_unit_at(z)
    assert (X @ net.layers[0].weight)[1] == pytest.approx(z, abs=1e-15)
    grads = analytic_gradients(net, X, Y)
    estimates = weight_gradient_estimates(net, X, Y, method=method)
    for g, e in zip(grads, estimates):
        verdict = compare(g, e)
        assert verdict.passed, verdict.message()
    first = estimates[0]
    assert first.kink_mask[:, 1].any() and not first.kink_mask[:, [0, 2, 3]].any()
    assert first.kinks and all(k.layer in (0, None) for k in first.kinks)
    if method in ("auto", "complex"):
        assert (first.kinks[0].layer, first.kinks[0].unit) == (0, 1)
        assert first.kinks[0].z == pytest.approx(z, abs=1e-15)
        assert "layers[0].weight[" in first.kinks[0].where


def test_a_wrong_value_at_a_kink_still_fails() -> None:
    """The bracket is the one-sided derivatives: a value outside both is still a mismatch."""
    net = network_with_hidden_unit_at(0.0)
    grads = analytic_gradients(net, X, Y)
    estimate = weight_gradient_estimates(net, X, Y)[0]
    lower, upper = estimate.lower[1, 1], estimate.upper[1, 1]
    assert lower < upper  # relu's one-sided derivatives differ there
    wrong = grads[0].copy()
    wrong[1, 1] = upper + (upper - lower)
    verdict = compare(wrong, estimate)
    assert not verdict.passed and verdict.worst_index == (1, 1)
    wrong = grads[0].copy()
    wrong[0, 0] *= 1.001  # away from the kink the usual tolerance holds
    assert not compare(wrong, estimate).passed


def test_output_unit_exactly_on_the_kink_downstream() -> None:
    """Output pre-activation exactly 0: every weight feeding it, in both layers, meets the kink."""
    net = NeuralNetwork([2, 2, 1], "relu", rng=0)
    net.layers[0].weight[...] = [[0.5, 0.25, 0.5], [0.5, -0.25, 0.25], [0.25, 0.5, -0.5]]
    x = np.array([1.0, 0.5, 0.5])
    hidden = relu(x @ net.layers[0].weight)
    assert np.all(hidden > 0)
    net.layers[1].weight[:, 0] = [hidden[1], -hidden[0], 0.0]  # z_out = h0·h1 − h1·h0 = 0 exactly
    y = np.array([-0.5])
    grads = analytic_gradients(net, x, y)
    estimates = weight_gradient_estimates(net, x, y)
    for g, e in zip(grads, estimates):
        assert compare(g, e).passed
    assert estimates[1].kink_mask.all() and estimates[0].kink_mask[:, :2].all()
    assert {(k.layer, k.unit) for k in estimates[0].kinks} == {(1, 0)}


@pytest.mark.parametrize("method", [central_difference, richardson, complex_step], ids=lambda m: m.__name__)
def test_relu_derivative_on_its_kink_and_within_1e9(method) -> None:
    points = np.array([-1.0, -1e-9, 0.0, 1e-9, 1.0])
    estimate = method(relu, points)
    assert compare(relu_prime(points), estimate).passed
    assert estimate.kink_mask.tolist() == [False, True, True, True, False]
    # A derivative that is wrong on both sides of the kink is not excused by it.
    assert not compare(np.array([0.0, 0.5, -0.5, 1.5, 1.0]), estimate).passed


def test_a_zero_input_moves_nothing_and_meets_no_kink() -> None:
    net = network_with_hidden_unit_at(0.0)
    net.layers[0].weight[:, 1] = [-0.25, 0.5, -1.0, 0.0]
    x = np.array([1.0, 0.0, -0.25, 0.75])  # z of unit 1 is −0.25 + 0 + 0.25 = 0 exactly
    estimate = weight_gradient_estimates(net, x, Y)[0]
    assert estimate.kink_mask[:, 1].tolist() == [True, False, True, True]
    assert np.all(estimate.value[1] == 0) and np.all(estimate.budget[1] < 1e-9)
    assert compare(analytic_gradients(net, x, Y)[0], estimate).passed
