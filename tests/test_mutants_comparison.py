"""Behaviours of the comparator between analytic derivatives and a numerical Estimate.

compare() with its error budget: which element is reported as the worst, what the report holds
(kinks, largest differences, safety factor), the sentences of its errors, the analytic side's own
rounding and the subnormal allowance per dtype, relative errors where the numerical side is 0,
and the text of a passing report.  Each test asserts exact values a plausible slip would change.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from backprop.numerical import Estimate, Kink, compare
from backprop.numerical.comparison import (
    ANALYTIC_ULPS,
    analytic_rounding,
    relative_error,
    underflow_allowance,
)

EPS64 = float(np.finfo(np.float64).eps)
TINY32 = 2.0 ** -126
"""float32's smallest normal number."""
SUB32 = 2.0 ** -149
"""float32's smallest subnormal number."""


def test_the_worst_element_is_the_one_furthest_past_its_own_allowance() -> None:
    """The report names the element whose excess is the most allowances, not the largest excess, and it
    carries the estimate's kinks and the largest absolute difference, so a user looks at the right entry."""
    kink = Kink(None, None, None, "x[0]")
    estimate = Estimate(np.array([2.0, 1.0, 5.0]), np.array([1e-6, 1e-3, 1.0]), "central", kinks=[kink])
    verdict = compare(np.array([3.0, 1.5, 5.0]), estimate)
    assert (verdict.passed, verdict.n_mismatched, verdict.n_total, verdict.worst_index) == (False, 2, 3, (0,))
    figures = (verdict.analytic, verdict.numerical, verdict.abs_error, verdict.rel_error, verdict.budget,
               verdict.max_rel_error, verdict.max_abs_error)
    assert figures == (3.0, 2.0, 1.0, 0.5, 1e-6, 0.5, 1.0)
    assert verdict.kinks == [kink]
    assert verdict.message() == "\n".join([
        "Analytic and numerical derivatives differ beyond the error budget (safety factor 4, method central)",
        "Mismatched elements: 2 / 3 (66.7%)",
        "Worst element [0]: analytic 3, numerical 2",
        "  absolute error 1, relative error 0.5, budget there 1e-06 (x4 = 4e-06)",
        "Max absolute difference: 1",
        "Max relative difference: 0.5",
        "Kinks met (1):",
        "  a kink met while perturbing x[0]",
    ])


def test_a_passing_report_names_the_element_with_a_difference_and_says_they_agree() -> None:
    """When all agree, the worst element is still the one that differs at all (not an exact one), and the
    head says "agree", with "n/a" for an estimate that names no method."""
    estimate = Estimate(np.array([1.0, 2.0]), np.full(2, 1e-9), "")
    verdict = compare(np.array([1.0, 2.0 + 2.0 ** -40]), estimate)
    assert (verdict.passed, verdict.n_mismatched, verdict.worst_index) == (True, 0, (1,))
    figures = (verdict.abs_error, verdict.rel_error, verdict.max_abs_error)
    assert figures == (2.0 ** -40, 2.0 ** -41, 2.0 ** -40)
    assert verdict.message() == "\n".join([
        "Analytic and numerical derivatives agree within the error budget (safety factor 4, method n/a)",
        "Mismatched elements: 0 / 2 (0%)",
        "Worst element [1]: analytic 2, numerical 2",
        "  absolute error 9.09e-13, relative error 4.55e-13, budget there 1e-09 (x4 = 4e-09)",
        "Max absolute difference: 9.09e-13",
        "Max relative difference: 4.55e-13",
    ])


def test_non_finite_analytic_values_are_each_a_mismatch_at_the_asked_safety() -> None:
    """NaN and inf in the analytic side are mismatches, counted one each, the first one reported, and the
    report keeps the safety factor the caller asked for."""
    estimate = Estimate(np.array([1.0, 2.0, 3.0]), np.full(3, 1e-9), "central")
    verdict = compare(np.array([1.0, np.nan, np.inf]), estimate, safety=2.0)
    assert (verdict.passed, verdict.n_mismatched, verdict.n_total, verdict.worst_index) == (False, 2, 3, (1,))
    assert verdict.safety == 2.0
    assert verdict.message().split("\n")[0] == (
        "Analytic and numerical derivatives differ beyond the error budget (safety factor 2, method central)")
    alone = compare(np.array([np.nan]), Estimate(np.array([1.0]), np.full(1, 1e-9), "central"))
    assert (alone.passed, alone.n_mismatched) == (False, 1)


def test_compare_refuses_bad_arguments_with_sentences_that_name_them() -> None:
    """A wrong estimate type, complex derivatives and a safety factor of 0 are refused, each error saying
    what it was given: a safety of 0 would turn every rounding difference into a mismatch."""
    estimate = Estimate(np.array([1.0]), np.full(1, 1e-9), "central")
    with pytest.raises(TypeError) as info:
        compare(np.array([1.0]), [1.0])  # type: ignore[arg-type]
    assert str(info.value) == "estimate must be an Estimate, not list"
    with pytest.raises(TypeError) as info:
        compare(np.array([1j]), estimate)
    assert str(info.value) == "analytic derivatives must be real numbers, not complex128"
    with pytest.raises(ValueError) as info:
        compare(np.array([1.0]), estimate, safety=0)
    assert str(info.value) == "safety must be a positive finite number, not 0"


def test_integer_derivatives_are_judged_with_float64_rounding_and_no_subnormal_floor() -> None:
    """Integer analytic derivatives (a user's exact counts) are compared without a crash, allowed float64
    rounding of their size only, so an integer off by one is still a mismatch."""
    rounding = analytic_rounding(np.array([1, -2]), np.dtype(np.int64))
    np.testing.assert_array_equal(rounding, ANALYTIC_ULPS * EPS64 * np.array([1 + 2, 2 + 2]))
    assert compare(np.array([1, 2]), Estimate(np.array([1.0, 2.0]), np.full(2, 1e-12), "central")).passed
    off = compare(np.array([3]), Estimate(np.array([2.0]), np.full(1, 1e-12), "central"))
    assert (off.passed, off.n_mismatched, off.abs_error) == (False, 1, 1.0)


def test_exactly_equal_integer_zeros_with_no_budget_agree_silently() -> None:
    """An allowance of 0 (integer zeros, zero budget) still passes an exact match, without a numpy
    warning for the 0/0 it divides."""
    estimate = Estimate(np.zeros(2), np.zeros(2), "central")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        verdict = compare(np.zeros(2, dtype=int), estimate)
    assert (verdict.passed, verdict.n_mismatched, verdict.worst_index) == (True, 0, (0,))


def test_any_difference_past_an_allowance_of_zero_is_the_worst_without_a_warning() -> None:
    """With no allowance at all, the one element that differs is the worst (infinitely many allowances
    past), not an exact one beside it, and no divide or invalid warning escapes."""
    estimate = Estimate(np.array([0.0, 1e-300]), np.zeros(2), "central")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        verdict = compare(np.zeros(2, dtype=int), estimate)
    assert (verdict.passed, verdict.n_mismatched, verdict.worst_index) == (False, 1, (1,))
    assert (verdict.numerical, verdict.abs_error, verdict.rel_error) == (1e-300, 1e-300, 1.0)


def test_relative_error_is_zero_where_both_agree_and_inf_where_only_the_numerical_is_zero() -> None:
    """|a − n| / |n| elementwise: 0 for 0 against 0, inf for 1 against 0, and no numpy warning for either."""
    analytic = np.array([0.0, 3.0, 1.0, 2.0])
    numerical = np.array([0.0, 2.0, 0.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rel = relative_error(analytic, numerical)
    np.testing.assert_array_equal(rel, [0.0, 0.5, np.inf, 0.0])


def test_analytic_rounding_is_32_ulps_of_value_plus_largest_and_never_below_32_subnormals() -> None:
    """float64 values [1, −3] may be off by 32·eps·(|a| + 3); float32 zeros by 32 subnormal spacings,
    since below the smallest normal number the spacing no longer shrinks."""
    rounding = analytic_rounding(np.array([1.0, -3.0]), np.dtype(np.float64))
    smallest64 = float(np.finfo(np.float64).smallest_subnormal)
    np.testing.assert_array_equal(rounding, ANALYTIC_ULPS * (EPS64 * np.array([4.0, 6.0]) + smallest64))
    zeros = analytic_rounding(np.zeros(2, dtype=np.float32), np.dtype(np.float32))
    np.testing.assert_array_equal(zeros, [ANALYTIC_ULPS * SUB32] * 2)


def test_underflow_allowance_covers_only_values_strictly_below_the_smallest_normal() -> None:
    """Twice float32's smallest normal is allowed where the analytic value and the true one are both
    below it; a value of exactly the smallest normal on either side, or a large true value, gets none."""
    analytic = np.array([2.0 ** -130, TINY32, 2.0 ** -130, 0.0], dtype=np.float32)
    estimate = Estimate(np.array([2.0 ** -131, 0.0, TINY32, 1.0]), np.zeros(4), "central")
    allowance = underflow_allowance(analytic.astype(float), estimate, np.dtype(np.float32))
    np.testing.assert_array_equal(allowance, [2 * TINY32, 0.0, 0.0, 0.0])


def test_underflow_allowance_is_zero_for_integer_derivatives_in_their_shape() -> None:
    """Integers have no subnormal range: the allowance is 0 for every element, shaped like the values."""
    estimate = Estimate(np.zeros((2, 3)), np.zeros((2, 3)), "central")
    allowance = underflow_allowance(np.zeros((2, 3)), estimate, np.dtype(np.int64))
    assert allowance.shape == (2, 3)
    np.testing.assert_array_equal(allowance, np.zeros((2, 3)))
