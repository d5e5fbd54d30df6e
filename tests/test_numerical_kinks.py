"""relu kinks: a pre-activation on or near one is judged on its own piece (or, in the loop, bracketed)."""

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
@pytest.mark.parametrize("method", ["auto", "complex", "richardson"])
def test_a_hidden_unit_on_or_near_the_kink_is_differentiated_on_its_piece(z: float, method: str) -> None:
    """Near the kink the estimate is the derivative on z's own piece: sharp, no bracket needed."""
    net = network_with_hidden_unit_at(z)
    assert (X @ net.layers[0].weight)[1] == pytest.approx(z, abs=1e-15)
    grads = analytic_gradients(net, X, Y)
    estimates = weight_gradient_estimates(net, X, Y, method=method)
    for g, e in zip(grads, estimates):
        verdict = compare(g, e)
        assert verdict.passed, verdict.message()
        assert not e.kink_mask.any()
    first = estimates[0]
    np.testing.assert_allclose(first.value[:, 1], grads[0][:, 1], rtol=1e-7, atol=1e-12)
    if z == 0:  # within rounding of the kink: the side the reference took (relu'(0) = 0, the left piece)
        assert [(k.layer, k.unit, k.z, k.side) for k in first.kinks] == [(0, 1, 0.0, -1)]
        assert "left (z < 0) piece" in first.kinks[0].describe()
        assert "layers[0].weight" in first.kinks[0].where
        assert np.all(first.value[:, 1] == 0)
    else:  # resolved: on its own side, nothing to report
        assert first.kinks == []


@pytest.mark.parametrize("z", [0.0, 1e-9, -1e-9, 3e-6])
def test_the_loop_brackets_a_kink_by_its_one_sided_differences(z: float) -> None:
    """method="loop" perturbs the weights through forward, so it can only bracket a crossed kink."""
    net = network_with_hidden_unit_at(z)
    grads = analytic_gradients(net, X, Y)
    estimates = weight_gradient_estimates(net, X, Y, method="loop")
    for g, e in zip(grads, estimates):
        verdict = compare(g, e)
        assert verdict.passed, verdict.message()
    first = estimates[0]
    assert first.kink_mask[:, 1].any() and not first.kink_mask[:, [0, 2, 3]].any()
    assert first.kinks and all(k.layer is None for k in first.kinks)


def test_the_other_side_of_the_kink_fails_where_the_implementation_took_one_side() -> None:
    """At z = 0 the reference stores relu'(0) = 0: a gradient with the right piece's slope is wrong."""
    net = network_with_hidden_unit_at(0.0)
    grads = analytic_gradients(net, X, Y)
    estimate = weight_gradient_estimates(net, X, Y)[0]
    assert compare(grads[0], estimate).passed
    right_piece = analytic_gradients(network_with_hidden_unit_at(1e-6), X, Y)[0]
    assert np.any(right_piece[:, 1] != 0)
    wrong = grads[0].copy()
    wrong[:, 1] = right_piece[:, 1]
    verdict = compare(wrong, estimate)
    assert not verdict.passed and verdict.worst_index[1] == 1
    wrong = grads[0].copy()
    wrong[0, 0] *= 1.001  # away from the kink the usual tolerance holds
    assert not compare(wrong, estimate).passed


def test_a_wrong_value_at_a_kink_still_fails_the_loop_bracket() -> None:
    """The loop's bracket is the one-sided derivatives: a value outside both is still a mismatch."""
    net = network_with_hidden_unit_at(0.0)
    grads = analytic_gradients(net, X, Y)
    estimate = weight_gradient_estimates(net, X, Y, method="loop")[0]
    lower, upper = estimate.lower[1, 1], estimate.upper[1, 1]
    assert lower < upper  # relu's one-sided derivatives differ there
    wrong = grads[0].copy()
    wrong[1, 1] = upper + (upper - lower)
    verdict = compare(wrong, estimate)
    assert not verdict.passed and verdict.worst_index == (1, 1)


def test_output_unit_exactly_on_the_kink_downstream() -> None:
    """Output pre-activation exactly 0: every weight feeding it, in both layers, is judged on its piece."""
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
        assert [(k.layer, k.unit, k.side) for k in e.kinks] == [(1, 0, -1)]
    assert np.all(estimates[1].value == 0) and np.all(estimates[0].value == 0)  # the output is off


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
    assert not estimate.kink_mask.any()
    assert np.all(estimate.value[1] == 0) and np.all(estimate.budget[1] < 1e-9)
    assert compare(analytic_gradients(net, x, Y)[0], estimate).passed
