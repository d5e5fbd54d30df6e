"""Each method recovers known derivatives to the accuracy it promises, and its budget covers its error."""

from __future__ import annotations

import numpy as np
import pytest

from backprop.activations import sigmoid, tanh
from backprop.numerical import Estimate, Kink, central_difference, complex_step, richardson

POINTS = np.linspace(-3, 3, 41)

# (function, derivative) pairs; each function accepts complex input.
KNOWN = {
    "cubic": (lambda x: 2 * x**3 - x**2 + 5 * x - 1, lambda x: 6 * x**2 - 2 * x + 5),
    "quintic": (lambda x: x**5 / 20 - x, lambda x: x**4 / 4 - 1),
    "exp": (np.exp, np.exp),
    "sigmoid": (sigmoid, lambda x: sigmoid(x) * (1 - sigmoid(x))),
    "tanh": (tanh, lambda x: 1 - np.tanh(x) ** 2),
}
# Worst relative error each method may show on these functions at float64, and what it reaches.
ACCURACY = {central_difference: 1e-8, richardson: 1e-11, complex_step: 1e-13}


def relative(estimate: np.ndarray, exact: np.ndarray) -> np.ndarray:
    return np.abs(estimate - exact) / np.maximum(np.abs(exact), 1e-300)


@pytest.mark.parametrize("name", KNOWN)
@pytest.mark.parametrize("method", ACCURACY, ids=lambda m: m.__name__)
def test_elementwise_derivatives_reach_the_promised_accuracy(method, name: str) -> None:
    f, derivative = KNOWN[name]
    estimate = method(f, POINTS)
    exact = derivative(POINTS)
    assert relative(estimate.value, exact).max() < ACCURACY[method]
    # The budget is an honest estimate: the true error stays within twice of it.
    assert np.all(np.abs(estimate.value - exact) <= 2 * estimate.budget)
    assert not estimate.kink_mask.any()


@pytest.mark.parametrize("method", ACCURACY, ids=lambda m: m.__name__)
def test_gradient_of_a_scalar_function(method) -> None:
    x = np.array([[0.3, -1.2, 2.0], [0.7, 0.0, -0.4]])
    f = lambda w: np.sum(np.exp(w) * w[::-1, ::-1]) + np.tanh(w[0, 1] * w[1, 2])
    w0 = x.copy()
    estimate = method(f, x)
    exact = np.exp(x) * x[::-1, ::-1] + np.exp(x[::-1, ::-1])
    sech2 = 1 - np.tanh(x[0, 1] * x[1, 2]) ** 2
    exact[0, 1] += sech2 * x[1, 2]
    exact[1, 2] += sech2 * x[0, 1]
    assert relative(estimate.value, exact).max() < 10 * ACCURACY[method]
    assert np.array_equal(x, w0)  # the caller's point is never perturbed


def test_complex_step_is_far_tighter_than_central_differences() -> None:
    f, derivative = KNOWN["tanh"]
    exact = derivative(POINTS)
    central = relative(central_difference(f, POINTS).value, exact).max()
    complex_ = relative(complex_step(f, POINTS).value, exact).max()
    assert complex_ < 1e-13 < 1e-3 * central
    assert np.all(complex_step(f, POINTS).budget < 1e-12 * np.maximum(1, np.abs(exact)))


@pytest.mark.parametrize("dropping", [
    lambda z: np.abs(z) ** 3 / 3,
    lambda z: np.tanh(z.real),
    lambda z: np.tanh(np.asarray(z).astype(float)),
    lambda z: np.tanh(z.real) + (z - z.real),  # stays complex, but Im carries the wrong derivative
], ids=["abs", "real", "cast", "mangled"])
def test_complex_step_falls_back_when_the_imaginary_part_is_dropped(dropping) -> None:
    points = np.linspace(0.1, 2, 7)
    estimate = complex_step(dropping, points)
    assert estimate.method.startswith("central") and "imaginary part" in estimate.note
    reference = central_difference(dropping, points)
    np.testing.assert_allclose(estimate.value, reference.value)


def test_float32_points_use_float32_steps_and_budgets() -> None:
    x = np.linspace(-2, 2, 9, dtype=np.float32)
    estimate = central_difference(np.tanh, x)
    exact = 1 - np.tanh(x.astype(float)) ** 2
    assert np.all(estimate.step > 1e-3)  # eps32^(1/3) ≈ 5e-3, not float64's 6e-6
    assert np.all(np.abs(estimate.value - exact) <= 2 * estimate.budget)
    assert relative(estimate.value, exact).max() < 1e-3


# What an estimate holds, and how the kinks it met read in a report.


def test_an_estimate_without_a_kink_mask_gets_one_false_per_element() -> None:
    """No mask given: the estimate's mask is a boolean array of its own shape, every element unkinked."""
    estimate = Estimate(np.array([[1.0, 2.0, 3.0]]), 0.1, "central")
    assert estimate.kink_mask.shape == (1, 3)
    assert estimate.kink_mask.dtype == np.bool_
    assert estimate.kink_mask.tolist() == [[False, False, False]]


def test_a_kink_mask_given_as_zeros_and_ones_is_held_as_booleans() -> None:
    """A 0/1 mask selects the kinked elements (it does not index by position) and inverts to the rest."""
    estimate = Estimate(np.array([1.0, 2.0, 3.0]), 0.1, "central", kink_mask=[0, 1, 0],
                        lower=np.array([0.0, 1.5, 0.0]), upper=np.array([0.0, 2.5, 0.0]))
    assert estimate.kink_mask.dtype == np.bool_
    assert estimate.value[estimate.kink_mask].tolist() == [2.0]
    assert estimate.value[~estimate.kink_mask].tolist() == [1.0, 3.0]
    assert estimate.lower.tolist() == [1.0, 1.5, 3.0]
    assert estimate.upper.tolist() == [1.0, 2.5, 3.0]


def test_a_kinked_estimate_given_one_bound_takes_its_value_for_the_other() -> None:
    """Only one side of a kink known: the value stands in for the missing bound, and the pair is ordered."""
    value, mask = np.array([1.0, 2.0]), np.array([True, False])
    only_upper = Estimate(value, 0.1, "central", kink_mask=mask, upper=np.array([3.0, 9.0]))
    assert only_upper.lower.tolist() == [1.0, 2.0]
    assert only_upper.upper.tolist() == [3.0, 2.0]
    only_lower = Estimate(value, 0.1, "central", kink_mask=mask, lower=np.array([0.5, 9.0]))
    assert only_lower.lower.tolist() == [0.5, 2.0]
    assert only_lower.upper.tolist() == [1.0, 2.0]
    below_value = Estimate(value, 0.1, "central", kink_mask=mask, upper=np.array([-1.0, 9.0]))
    assert below_value.lower.tolist() == [-1.0, 2.0]
    assert below_value.upper.tolist() == [1.0, 2.0]


def test_a_crossed_kink_names_its_unit_and_its_pre_activation() -> None:
    crossed = Kink(1, 2, 0.0123456, "layers[1].weight element (0, 2)")
    assert crossed.describe() == ("layer 1, unit 2 (z = 0.0123) crossed its kink when perturbing "
                                  "layers[1].weight element (0, 2)")


def test_a_crossed_kink_of_unknown_pre_activation_leaves_z_out() -> None:
    crossed = Kink(0, 3, None, "layers[0].bias element (3,)")
    assert crossed.describe() == ("layer 0, unit 3 crossed its kink when perturbing "
                                  "layers[0].bias element (3,)")


def test_a_kink_within_rounding_names_the_piece_it_was_differentiated_on() -> None:
    """side +1 is the right piece (z > 0), side −1 the left one (z < 0)."""
    right = Kink(0, 1, 1e-17, "layers[0].weight element (2, 1)", side=1)
    assert right.describe() == ("layer 0, unit 1 (z = 1e-17) lies on its kink to rounding: "
                                "layers[0].weight element (2, 1) differentiated on its right (z > 0) piece, "
                                "the one the implementation took")
    left = Kink(0, 1, 0.0, "layers[0].weight element (2, 1)", side=-1)
    assert left.describe() == ("layer 0, unit 1 (z = 0) lies on its kink to rounding: "
                               "layers[0].weight element (2, 1) differentiated on its left (z < 0) piece, "
                               "the one the implementation took")
