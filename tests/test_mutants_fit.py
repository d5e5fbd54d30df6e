"""What fit-one-sample and fit-two-samples compare fit's moves against: the moves a stale-weights
backward would make (each delta through the already-updated weights of the layer to its right, the last
layer's move on the input it saw), and, for per-sample training, the numerical estimate of a whole epoch
as the sum of its steps: values, budgets, kinks, the one-sided bounds where a kink was met, and the size
of the terms the analytic rounding scales with.

Each test calls the function on literal arrays: no network is built."""

from __future__ import annotations

import numpy as np

from backprop.battery.checks.fit import _added, _stale_moves
from backprop.numerical.estimate import Estimate, Kink


def test_stale_moves_take_the_last_layer_s_input_and_the_updated_right_weights() -> None:
    """The stale-weights explanation is only as good as the moves it predicts for every layer: the last
    layer moves by (its input)ᵀδ, the one before by its input times δ through the updated weights."""
    x1 = np.array([1.0, 0.5, -0.25])
    hidden = np.array([0.5, -1.0])
    output = np.array([0.75])
    zs = [np.zeros(2), np.zeros(1)]  # tanh'(0) = 1: each delta is the one to its right times Wᵀ
    updated = [np.ones((3, 2)), np.array([[3.0], [-1.0]])]
    moves = _stale_moves([x1, hidden, output], zs, np.array([2.0]), updated, "tanh")
    assert len(moves) == 2
    np.testing.assert_array_equal(moves[0], [[6.0, -2.0], [3.0, -1.0], [-1.5, 0.5]])
    np.testing.assert_array_equal(moves[1], [[1.0], [-2.0]])


def _kinked(
    value: list[float],
    mask: list[bool],
    lower: list[float],
    upper: list[float],
    term_scale: list[float] | None,
    unit: int,
) -> Estimate:
    return Estimate(
        np.array(value),
        np.array([1e-9, 2e-9]),
        "central",
        kinks=[Kink(1, unit, 0.0, f"W[0, {unit}]")],
        kink_mask=np.array(mask),
        lower=np.array(lower),
        upper=np.array(upper),
        term_scale=None if term_scale is None else np.array(term_scale),
    )


def test_an_epoch_s_estimate_holds_both_steps_kinks_bounds_and_term_sizes() -> None:
    """A kink met in either step makes that weight's epoch one-sided, within the two steps' bounds
    summed; the rounding allowed the analytic side scales with both steps' terms."""
    first = _kinked([1.0, 2.0], [True, False], [0.5, 2.0], [1.5, 2.0], [1.0, 2.0], unit=0)
    second = _kinked([3.0, -4.0], [False, True], [3.0, -5.0], [3.0, -3.0], [0.5, 4.0], unit=1)
    total = _added(first, second)
    np.testing.assert_array_equal(total.value, [4.0, -2.0])
    np.testing.assert_array_equal(total.kink_mask, [True, True])
    np.testing.assert_array_equal(total.lower, [3.5, -3.0])
    np.testing.assert_array_equal(total.upper, [4.5, -1.0])
    assert total.kinks == [*first.kinks, *second.kinks] and len(total.kinks) == 2
    assert total.term_scale is not None
    np.testing.assert_array_equal(total.term_scale, [1.5, 6.0])


def test_an_epoch_s_term_size_is_unknown_when_either_step_s_is() -> None:
    """Without the size of one step's terms, the epoch's is not known either (not half of it)."""
    known = _kinked([1.0, 2.0], [False, False], [1.0, 2.0], [1.0, 2.0], [1.0, 2.0], unit=0)
    unknown = _kinked([3.0, -4.0], [False, False], [3.0, -4.0], [3.0, -4.0], None, unit=1)
    assert _added(unknown, known).term_scale is None
    assert _added(known, unknown).term_scale is None
