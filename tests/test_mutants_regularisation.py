"""What the declared L2 penalty's helpers conclude from a gradient's residual: when a fitted λ·W is large
enough to be a penalty, when it is the declared one, when the biases carry it too (or lack it), the hint a
wrong factor gets, float32 weights measured in float64, and lists of arrays that do not pair up."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from test_mutants_penalty import _Estimate

from backprop.battery.checks import penalty
from backprop.battery.profile import Profile
from backprop.numerical import Estimate


def _finding(grads: list[Any], arrays: list[Any], profile: Profile, budget: float = 0.0) -> Any:
    """The model-level finding for one sample whose data-loss gradient estimate is 0 everywhere."""
    estimates = [Estimate(value=np.zeros(np.shape(a)), budget=budget, method="central") for a in arrays]
    found = penalty.regularisation_finding([(grads, estimates)], arrays, profile, True, "the gradient")
    return None if found is None else (found.kind, found.sentence, found.params)


def test_a_small_undeclared_penalty_is_weighed_against_the_largest_weight_and_ten_budgets() -> None:
    """λ·max|W| = 0.105 beats 10 × the budget 0.01: an undeclared penalty, though λ itself is 0.00105."""
    w = np.array([[100.0, 50.0]])
    assert _finding([0.00105 * w], [w], Profile(), budget=0.01) == (
        "regularisation",
        "the gradient equals ∂C/∂W + λ·W with λ = 0.00105 (least squares) exactly in 2 weight values: "
        "an L2 penalty that is not declared; declare it with l2=0.00105",
        {"l2": 0.00105, "declared": 0.0},
    )


def test_a_residual_at_the_noise_floor_is_no_penalty() -> None:
    """λ·max|W| equal to the 1e-12 floor (budget 0) is not above it: no undeclared penalty is claimed."""
    w = np.array([[1.0]])
    assert _finding([1e-12 * w], [w], Profile()) is None


def test_an_undeclared_penalty_on_weights_and_biases_names_the_biases() -> None:
    """With no λ declared, a fitted λ that also shows on the biases is reported as biases penalised too."""
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = np.array([1.0, 2.0])
    assert _finding([0.5 * w, 0.5 * b], [w, b], Profile()) == (
        "regularisation",
        "the gradient penalises the biases too: their gradient equals ∂C/∂b + λ·b with λ = 0.5 exactly; "
        "declare l2_biases=True if that is meant, or leave the biases out of the penalty",
        {"l2": 0.5, "biases": True},
    )


def test_a_weight_residual_that_is_no_multiple_of_w_puts_no_lambda_on_the_biases() -> None:
    """When λ·W does not fit the weights, neither the fitted λ (0.5) nor 1 is looked for on the biases."""
    w = np.array([[1.0, 1.0]])
    b = np.array([2.0])
    assert _finding([np.array([[1.0, 0.0]]), 0.5 * b], [w, b], Profile()) is None
    assert _finding([np.array([[1.0, 0.0]]), 1.0 * b], [w, b], Profile()) is None


def test_biases_penalised_within_the_budget_are_found_with_the_pytest_flag() -> None:
    """λ·b off by half the budget still counts, and the pytest plugin's flag is the one named."""
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = np.array([1.0, 2.0])
    grads = [0.5 * w, 0.5 * b + np.array([0.005, -0.005])]
    assert _finding(grads, [w, b], Profile(l2=0.5, interface="pytest"), budget=0.01) == (
        "regularisation",
        "the gradient penalises the biases too: their gradient equals ∂C/∂b + λ·b with λ = 0.5 to 5e-03; "
        "declare --backprop-l2-biases if that is meant, or leave the biases out of the penalty",
        {"l2": 0.5, "biases": True},
    )


def test_biases_left_unpenalised_within_the_budget_are_found() -> None:
    """A bias gradient that is ∂C/∂b within the budget, though l2_biases is declared, is reported."""
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = np.array([1.0, 2.0])
    grads = [0.5 * w, np.array([0.005, -0.005])]
    assert _finding(grads, [w, b], Profile(l2=0.5, l2_biases=True), budget=0.01) == (
        "regularisation",
        "the gradient does not penalise the biases, though l2_biases=True is declared: their gradient is "
        "∂C/∂b to 5e-03, without λ·b",
        {"l2": 0.0, "biases": True},
    )


def test_a_fitted_lambda_within_a_millionth_of_the_declared_one_is_the_declared_penalty() -> None:
    """λ = 1000 declared and 1000.00001 fitted (1e-8 apart, relatively) is no wrong factor."""
    w = np.array([[1.0, 2.0]])
    assert _finding([1000.00001 * w], [w], Profile(l2=1000.0)) is None


def test_a_fitted_lambda_exactly_a_millionth_off_is_still_the_declared_penalty() -> None:
    """The 1e-6 relative tolerance includes its bound: 999999 fitted for 1e6 declared is no finding."""
    w = np.array([[1.0]])
    assert _finding([np.array([[999999.0]])], [w], Profile(l2=1e6)) is None


def test_a_factor_two_to_six_decimals_gets_the_dropped_half_hint() -> None:
    """A factor 2.0000004 is 2 to the six decimals the hint table is keyed on."""
    w = np.array([[1.0]])
    assert _finding([np.array([[1.0000002]])], [w], Profile(l2=0.5)) == (
        "regularisation",
        "the gradient equals ∂C/∂W + 2 × λ·W (λ = 0.5 declared) exactly: the penalty's gradient has a "
        "wrong factor (λ·‖W‖² differentiated as 2λ·W: the ½ of λ/2·‖W‖² dropped)",
        {"l2": 1.0000002, "declared": 0.5, "factor": 2.0000004},
    )


def test_lambda_is_fitted_in_float64_for_float32_weights() -> None:
    """Float32 weights do not make the least-squares λ float32-accurate (0.29999998 instead of 0.3)."""
    w32 = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    found = _finding([0.3 * w32.astype(float)], [w32], Profile())
    assert found is not None
    assert found[1] == (
        "the gradient equals ∂C/∂W + λ·W with λ = 0.3 (least squares) exactly in 12 weight values: "
        "an L2 penalty that is not declared; declare it with l2=0.3"
    )
    assert found[2]["l2"] == pytest.approx(0.3, rel=1e-14, abs=0.0)


def test_the_penalty_gradient_of_float32_weights_is_computed_in_float64() -> None:
    """λ·W for float32 weights is the float64 product, not a float32 one rounded to 7 digits."""
    w32 = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    (g,) = penalty.penalty_gradients([w32], Profile(l2=0.1), model=True)
    assert g.dtype == np.float64
    assert np.array_equal(g, 0.1 * w32.astype(float))


def test_with_penalty_refuses_estimates_that_do_not_pair_with_the_weights() -> None:
    """Two estimates for one weight array are an error, not silently cut to one."""
    w = np.ones((2, 2))
    estimates = [_Estimate(np.zeros((2, 2)), 0.0), _Estimate(np.zeros((2, 2)), 0.0)]
    with pytest.raises(ValueError, match=r"zip\(\) argument 2 is shorter than argument 1"):
        penalty.with_penalty(estimates, [w], Profile(l2=0.5), model=True)


def test_regularisation_finding_refuses_a_gradient_short_of_an_array() -> None:
    """A gradient with fewer arrays than the weights is an error, not a λ fitted on part of them."""
    w = np.array([[1.0, 2.0]])
    b = np.array([1.0])
    estimates = [Estimate(value=np.zeros(np.shape(a)), budget=0.0, method="central") for a in (w, b)]
    with pytest.raises(ValueError, match=r"zip\(\) argument 2 is longer than argument 1"):
        penalty.regularisation_finding([([0.5 * w], estimates)], [w, b], Profile(), True, "the gradient")
