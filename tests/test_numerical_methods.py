"""Each method recovers known derivatives to the accuracy it promises, and its budget covers its error."""

from __future__ import annotations

import numpy as np
import pytest

from backprop.activations import sigmoid, tanh
from backprop.numerical import Estimate, Kink, central_difference, complex_step, richardson
from backprop.numerical.richardson import richardson_estimate

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


# Richardson extrapolation on samples at exact power-of-two steps: its value, budget and step, the
# floor the central budget sets under that budget, and the elements it hands to central differences.


H = 2.0**-12  # the central step; the extrapolation steps are 64, 128 and 256 of it
EPS = 2.0**-52


def exact_steps(f, x: list[float]):
    """A sampler moving every element of x by exactly m·H (no rounding of the realised steps)."""
    point = np.array(x)

    def sample(m: float) -> tuple[np.ndarray, np.ndarray]:
        return f(point + m * H), np.full(point.shape, m * H)

    return sample


def test_richardson_rejects_a_function_that_is_infinite_only_at_its_large_steps() -> None:
    """Finite at the point and at the central steps (~6e-6), infinite at the base step 64 times larger."""
    f = lambda x: np.where(np.abs(x) < 1e-4, x, np.inf)
    with pytest.raises(ValueError) as raised:
        richardson(f, np.array([0.0]))
    assert str(raised.value) == "the function is not finite within a step of the point (NaN or inf values)"


@pytest.mark.parametrize("side", [1.0, -1.0], ids=["above", "below"])
def test_richardson_rejects_a_function_infinite_on_one_side_only(side: float) -> None:
    """Finite at the point, at the central steps and on one side, infinite at the base step on the other:
    either sample alone is enough to refuse."""
    f = lambda x: np.where(side * x < 1e-4, x, np.inf)
    with pytest.raises(ValueError, match="not finite within a step of the point"):
        richardson(f, np.array([0.0]))


def test_richardson_budget_is_twice_the_rounding_at_its_base_step() -> None:
    """On 1 + x the levels agree, so the budget is 2·(2·eps·|f| / step) with |f| its largest sample."""
    estimate = richardson_estimate(exact_steps(lambda x: 1 + x, [0.0]), np.array([1.0]), EPS)
    assert estimate.method == "richardson"
    assert estimate.value.tolist() == [1.0]
    assert estimate.step.tolist() == [64 * H]  # half the width between the samples at ±64·H
    assert estimate.budget.tolist() == [4 * EPS * (1 + 256 * H) / (64 * H)]
    assert estimate.note == ""


def test_richardson_of_a_zero_function_keeps_its_own_estimate() -> None:
    """Every difference and every budget is 0: the levels agree exactly, and no fallback is made."""
    estimate = richardson_estimate(exact_steps(lambda x: 0 * x, [0.0]), np.array([0.0]), EPS)
    assert estimate.method == "richardson"
    assert estimate.value.tolist() == [0.0]
    assert estimate.budget.tolist() == [0.0]
    assert estimate.step.tolist() == [64 * H]
    assert estimate.note == ""


def test_richardson_hands_only_the_kinked_elements_to_central_differences() -> None:
    """x³ + x keeps its extrapolated 1 (central's is 1 + H²) and its budget; |x| at 0 takes central's."""
    f = lambda x: np.array([x[0] ** 3 + x[0], abs(x[1])])
    estimate = richardson_estimate(exact_steps(f, [0.0, 0.0]), np.array([0.0, 0.0]), EPS)
    assert estimate.value.tolist() == [1.0, 0.0]
    # x³ + x: the floor 2/64 of central's budget H² + 2·eps·|f(2H)| / H; |x|: central's 2·(2·eps·|f(H)| / H).
    assert estimate.budget.tolist() == [(H**2 + 2 * EPS * (2 * H + 8 * H**3) / H) / 32, 8 * EPS]
    assert estimate.kink_mask.tolist() == [False, True]
    assert estimate.note == "central differences used where a kink lies within the extrapolation steps"


def test_richardson_of_a_shared_loss_floors_its_budget_with_the_measured_noise() -> None:
    """A loss whose sample at +H alone is off by 2⁻³⁰: with shared noise that is rounding, not a kink.

    Central's noise is then the measured departure 2·2⁻³⁰ / H, its budget 2⁻¹⁹/3 + 2⁻¹⁷, a 32nd of it
    the floor of the extrapolation's; unshared, the same departure would read as a kink.
    """
    def sample(m: float) -> tuple[np.ndarray, np.ndarray]:
        return np.array([1.0 + (2.0**-30 if m == 1.0 else 0.0)]), np.array([m * H])

    estimate = richardson_estimate(sample, np.array([1.0]), EPS, shared_noise=True)
    assert estimate.value.tolist() == [0.0]
    assert estimate.budget.tolist() == [2.0**-24 * 13 / 3]
    assert estimate.kink_mask.tolist() == [False]
    assert estimate.note == ""


@pytest.mark.parametrize(("known", "floor"), [({"magnitude": 2.0**20}, 1 + 2**-5 + 2**-24),
                                              ({"size": 2.0**20}, 1 + 2**-5)],
                         ids=["magnitude", "size"])
def test_richardson_budget_floor_sizes_the_central_rounding_like_its_own(known: dict, floor: float) -> None:
    """On x + x³ with terms of 2²⁰, the extrapolation's own budget is its rounding 2⁻²⁴; central's budget
    H² + 2⁻¹⁹·(|x·f'| or the size) over 32 is above it, whether the terms come from |x| or the caller."""
    estimate = richardson_estimate(exact_steps(lambda x: x + x**3, [0.0]), np.array([0.0]), EPS, **known)
    assert estimate.value.tolist() == [1.0]
    assert estimate.budget.tolist() == [2.0**-24 * floor]


# ------------------------------------------------------------------------------------- edges of the point


@pytest.mark.parametrize("method", [central_difference, richardson, complex_step], ids=lambda m: m.__name__)
def test_a_zero_dimensional_point_is_differentiated_like_any_other(method) -> None:
    """x = np.array(0.5): each method gives sin' = cos(0.5) with a 0-d value (they raised a TypeError
    from numpy's out= when the scale of the rounding budget came out a scalar)."""
    estimate = method(np.sin, np.array(0.5))
    assert estimate.value.shape == () and abs(float(estimate.value) - np.cos(0.5)) <= float(estimate.budget)


def test_a_float16_point_takes_a_complex_step_that_is_not_zero() -> None:
    """1e-10 is 0 in float16: the step is taken in float32, so the estimate is cos(0.5), not 0/0."""
    estimate = complex_step(np.sin, np.array([0.5], dtype=np.float16))
    assert estimate.method == "complex" and estimate.step.dtype == np.float32 and estimate.step[0] > 0
    assert np.all(np.isfinite(estimate.value))
    assert abs(estimate.value[0] - np.cos(np.float64(np.float16(0.5)))) <= estimate.budget[0]


def test_a_complex_step_that_comes_out_nan_falls_back_to_central_differences() -> None:
    """An f whose imaginary part is NaN is no complex step to keep: NaN is not within any budget."""
    f = lambda z: np.sin(z) + 1j * np.nan if np.iscomplexobj(z) else np.sin(z)
    estimate = complex_step(f, np.array([0.5, 1.0]))
    assert estimate.method == "central (complex step unavailable)"
    assert np.all(np.isfinite(estimate.value))
    assert "disagrees with central differences at 2 of 2 element(s)" in estimate.note
