"""What the Taylor-remainder test (backprop.numerical.taylor_test) does, number for number: the direction,
first ε and number of halvings it takes by default; which remainders count as above rounding and which
slopes it keeps; the median it takes and the pass line at 1.5; the verdict and note when nothing rises
above rounding; and the sentence of each error for a bad argument or a loss that is not a scalar.

Most tests drive it with a tabled loss: one parameter w = 0 stepped along v = 1 from ε = 1, so each
step is exactly 2⁻ᵏ and the loss at it is a value picked to put its remainder where the test needs it."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np
import pytest

from backprop.numerical.directional import taylor_test

EPS = float(np.finfo(np.float64).eps)


def _tabled(values: Sequence[float], at_zero: float = 0.0) -> tuple[np.ndarray, Callable[[], float]]:
    """w = [0] and a loss that gives `at_zero` at w = 0 and values[k] at w = 2⁻ᵏ."""
    w = np.zeros(1)
    table = {0.0: at_zero, **{2.0**-k: float(v) for k, v in enumerate(values)}}
    return w, lambda: table[float(w[0])]


def _run(values: Sequence[float], gradient: float = 0.0) -> object:
    w, loss = _tabled(values)
    return taylor_test(
        loss, [w], [np.array([gradient])], direction=[np.ones(1)], epsilon=1.0, halvings=len(values) - 1
    )


def _mixed_loss(w: np.ndarray) -> tuple[Callable[[], float], np.ndarray]:
    """L = Σ sin(w) + (Σ w)²/8, whose remainder depends on the signs of the direction, and its gradient."""
    return (lambda: float(np.sum(np.sin(w)) + np.sum(w) ** 2 / 8)), np.cos(w) + np.sum(w) / 4


def test_by_default_the_direction_is_seed_0_signs_from_2_to_minus_4_rms_over_30_halvings() -> None:
    """Defaults make a run repeatable and scaled to the parameters: v = ±1 drawn with seed 0, and
    ε = 2⁻⁴·max(1, rms(w)) halved 30 times (here rms = 1.5, so ε starts at 0.09375)."""
    w = 1.5 * np.array([1.0, -1.0, 1.0, 1.0, -1.0, 1.0, -1.0, -1.0, 1.0, 1.0, 1.0, -1.0])
    loss, gradient = _mixed_loss(w)
    result = taylor_test(loss, [w], [gradient])
    signs = np.random.default_rng(0).choice([-1.0, 1.0], size=w.shape)
    spelled = taylor_test(loss, [w], [gradient], direction=[signs], epsilon=0.09375, halvings=30)
    np.testing.assert_array_equal(result.epsilons, 0.09375 * 2.0 ** -np.arange(31))
    np.testing.assert_array_equal(result.remainders, spelled.remainders)
    np.testing.assert_array_equal(result.slopes, spelled.slopes)
    assert result.slope == spelled.slope and result.passed and abs(result.slope - 2) < 0.1


def test_the_rms_of_one_parameter_is_its_size() -> None:
    """The first ε scales with the root mean square of the parameters: for the one parameter w = −1.5
    that is |w| = 1.5, the mean taken over its one element, so ε starts at 1.5/16."""
    w = np.array([-1.5])
    result = taylor_test(lambda: float(np.exp(w[0])), [w], [np.exp(w)], direction=[np.ones(1)], halvings=3)
    np.testing.assert_array_equal(result.epsilons, [0.09375, 0.046875, 0.0234375, 0.01171875])


def test_only_slopes_between_two_remainders_above_1000_times_rounding_are_kept() -> None:
    """L = w + r with g = 1: rounding is 64·eps·(|L(ε)| + |L(0)|) + 32·eps·|g·ε| ≈ 96·eps·ε, and a remainder
    counts only above 1000 × that. At 4, 2, 1.005, 0.5, 8, 1.5, 3 times the bar, the fourth does not
    count, so slopes 2–3 and 3–4 are left out and the slope is the median of slopes 1, 4 and 5."""
    bar = 1000 * 96 * EPS * 2.0 ** -np.arange(7)
    times = np.array([4, 2, 1.005, 0.5, 8, 1.5, 3])
    result = _run(2.0 ** -np.arange(7) + times * bar, gradient=1.0)
    np.testing.assert_allclose(result.remainders, times * bar, rtol=1e-4)
    expected = 1 + np.log2(times[:-1] / times[1:])
    np.testing.assert_allclose(result.slopes, expected, atol=1e-4)
    assert result.slope == pytest.approx(expected[1], abs=1e-4) and result.passed
    assert result.note == ""


def test_the_slope_is_the_median_of_the_last_three_usable_slopes() -> None:
    """Remainders 1, 2⁻⁴, 2⁻⁵, 2⁻⁷, 2⁻¹⁰ give slopes 4, 1, 2, 3: the verdict rests on the smallest ε,
    so the slope is the median of 1, 2, 3, which is 2, and it passes."""
    result = _run([1.0, 2.0**-4, 2.0**-5, 2.0**-7, 2.0**-10])
    np.testing.assert_array_equal(result.slopes, [4.0, 1.0, 2.0, 3.0])
    assert result.slope == 2.0 and result.passed is True


def test_a_slope_of_exactly_one_and_a_half_fails_without_warnings() -> None:
    """Only slopes above 1.5 pass: remainders 1, 0.5, 0.125, 0 give usable slopes 1 and 2 (the one to 0 is
    infinite and left out, silently), whose median 1.5 is on the line, and fails."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = _run([1.0, 0.5, 0.125, 0.0])
    np.testing.assert_array_equal(result.slopes, [1.0, 2.0, np.inf])
    assert result.slope == 1.5 and result.passed is False
    assert result.message() == (
        "Taylor remainder slope 1.5 (order 1: the gradient is wrong).  "
        "r(eps) = {1: 1, 0.5: 0.5, 0.25: 0.125, 0.12: 0}"
    )


def test_a_constant_loss_with_a_zero_gradient_is_linear_and_passes_without_warnings() -> None:
    """L = 0 with g = 0: every remainder is 0, exactly at (not above) its rounding of 0, so no slope is
    taken; the loss is linear along v and the gradient matches, which passes (and 0/0 warns nothing)."""
    w = np.zeros(2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = taylor_test(lambda: 0.0, [w], [np.zeros(2)], direction=[np.ones(2)], epsilon=1.0, halvings=3)
    assert result.passed is True and np.isnan(result.slope)
    assert result.note == (
        "the remainder stays within rounding: the loss is linear along v and the gradient matches"
    )
    np.testing.assert_array_equal(result.epsilons, [1.0, 0.5, 0.25, 0.125])
    np.testing.assert_array_equal(result.remainders, np.zeros(4))
    assert result.slopes.shape == (3,) and np.all(np.isnan(result.slopes))


def test_fewer_than_three_halvings_are_refused() -> None:
    """Three halvings are the least that give a median of slopes; two is refused by name and value."""
    w = np.zeros(1)
    with pytest.raises(ValueError) as info:
        taylor_test(lambda: 0.0, [w], [np.zeros(1)], halvings=2)
    assert str(info.value) == "halvings must be an integer of at least 3, not 2"


@pytest.mark.parametrize("direction", [[np.ones(2)], [np.ones(2), np.ones(4)]], ids=["too few", "misshapen"])
def test_a_direction_must_match_the_parameters(direction: list[np.ndarray]) -> None:
    """A direction with too few arrays, or one of the wrong shape, is refused before any step is taken."""
    w, u = np.zeros(2), np.zeros(3)
    with pytest.raises(ValueError) as info:
        taylor_test(lambda: 0.0, [w, u], [np.zeros(2), np.zeros(3)], direction=direction)
    assert str(info.value) == "direction must hold one array shaped like each parameter array"


@pytest.mark.parametrize("epsilon", [0.0, -1.0, np.inf])
def test_epsilon_must_be_positive_and_finite(epsilon: float) -> None:
    """A first ε of 0, below 0 or infinite gives no remainders to take slopes of, and is refused by value."""
    w = np.zeros(1)
    with pytest.raises(ValueError) as info:
        taylor_test(lambda: 0.0, [w], [np.zeros(1)], epsilon=epsilon)
    assert str(info.value) == f"epsilon must be a positive finite number, not {epsilon!r}"


@pytest.mark.parametrize("bad_from", [0, 1], ids=["at w", "at a step"])
def test_a_loss_that_returns_an_array_is_named_in_the_error(bad_from: int) -> None:
    """A loss_fn that returns an array, at w or at a stepped w, is named as loss_fn in the TypeError."""
    w = np.zeros(1)
    calls = []

    def loss() -> object:
        calls.append(1)
        return np.zeros(2) if len(calls) > bad_from else 0.0

    with pytest.raises(TypeError) as info:
        taylor_test(loss, [w], [np.zeros(1)], halvings=3)
    assert str(info.value) == "loss_fn must return a scalar, got an array of shape (2,)"
    assert w[0] == 0.0
