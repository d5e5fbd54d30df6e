"""The error budget: no false alarms on correct gradients (float64 and float32), a 1e-3 error flagged."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from test_numerical_engine import analytic_gradients

from backprop import NeuralNetwork
from backprop.numerical import Estimate, Kink, compare, weight_gradient_estimates
from backprop.numerical.budget import central_estimate, rounding_error

EPS = float(np.finfo(float).eps)

SHAPES = ([2, 3, 1], [3, 4, 2], [2, 3, 3, 2])


@st.composite
def networks(draw: st.DrawFn, dtype: type) -> tuple[NeuralNetwork, np.ndarray, np.ndarray]:
    """A small network with order-one weights, a sample (leading 1 included) and a target."""
    layers = draw(st.sampled_from(SHAPES))
    activation = draw(st.sampled_from(["tanh", "sigmoid"]))
    net = NeuralNetwork(layers, activation, rng=0)
    elements = st.floats(-2, 2, width=32)
    for layer in net.layers:
        layer.weight = draw(arrays(dtype, layer.weight.shape, elements=elements))
    x = np.concatenate([[1.0], draw(arrays(np.float64, layers[0], elements=elements))]).astype(dtype)
    y = draw(arrays(dtype, layers[-1], elements=st.floats(-1, 1, width=32)))
    return net, x, y


def judge(net: NeuralNetwork, x: np.ndarray, y: np.ndarray, method: str = "auto"
          ) -> tuple[list[np.ndarray], list[Estimate]]:
    grads = analytic_gradients(net, x, y)
    return grads, weight_gradient_estimates(net, x, y, method=method)


def flag_one_in_a_thousand(grads: list[np.ndarray], estimates: list[Estimate]) -> None:
    """Scale the largest gradient element by 1 + 1e-3: exactly that element must be flagged."""
    layer = int(np.argmax([np.abs(g).max() for g in grads]))
    index = np.unravel_index(int(np.argmax(np.abs(grads[layer]))), grads[layer].shape)
    assume(abs(grads[layer][index]) > 0.05)
    wrong = grads[layer].copy()
    wrong[index] *= 1 + 1e-3
    verdict = compare(wrong, estimates[layer])
    assert not verdict.passed and verdict.n_mismatched == 1
    assert verdict.worst_index == tuple(int(i) for i in index)
    assert abs(verdict.rel_error - 1e-3) < 1e-4


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@settings(max_examples=150)
@given(data=st.data())
def test_correct_gradients_pass_and_a_1e3_error_is_flagged(dtype: type, data: st.DataObject) -> None:
    """About 4 500 weights per dtype; in float32 the analytic side is computed in float32 too."""
    net, x, y = data.draw(networks(dtype))
    grads, estimates = judge(net, x, y)
    assert all(g.dtype == dtype for g in grads)
    for g, e in zip(grads, estimates):
        verdict = compare(g, e)
        assert verdict.passed, verdict.message()
    flag_one_in_a_thousand(grads, estimates)


@settings(max_examples=40)
@given(networks(np.float32))
def test_float32_loop_through_forward_raises_no_false_alarm(case) -> None:
    """The loop perturbs the float32 weights and runs the float32 forward: noisier, still no false alarm."""
    net, x, y = case
    grads, estimates = judge(net, x, y, method="loop")
    for g, e in zip(grads, estimates):
        verdict = compare(g, e)
        assert verdict.passed, verdict.message()


def test_float32_analytic_values_get_a_float32_allowance() -> None:
    """The same rounding that passes in float32 is a mismatch when claimed as float64."""
    value = np.array([1.0, -2.0, 0.5])
    estimate = Estimate(value, np.full(3, 1e-12), "central")
    off = value * (1 + 2e-6)
    assert compare(off.astype(np.float32), estimate).passed
    assert not compare(off, estimate).passed


def test_report_names_counts_worst_element_and_budget() -> None:
    estimate = Estimate(np.array([[1.0, 2.0], [3.0, 4.0]]), np.full((2, 2), 1e-10), "central")
    verdict = compare(np.array([[1.0, 2.0], [3.003, 4.0]]), estimate)
    text = verdict.message()
    assert (verdict.n_mismatched, verdict.n_total, verdict.worst_index) == (1, 4, (1, 0))
    assert verdict.fraction_mismatched == 0.25
    assert abs(verdict.abs_error - 3e-3) < 1e-12 and abs(verdict.rel_error - 1e-3) < 1e-12
    for needle in ("Mismatched elements: 1 / 4 (25%)", "[1, 0]", "analytic 3.003", "numerical 3",
                   "budget there 1e-10"):
        assert needle in text


def test_a_float32_gradient_in_the_subnormal_range_is_judged_at_its_spacing() -> None:
    """A correct float32 gradient of 1.4e-44 is known only to the subnormal spacing 1.4e-45: no false alarm
    (the case a newer hypothesis drew: weights near 1e-38, the true value underflowing), while an error of
    a whole order of magnitude is still one as soon as the true value is a normal float32 number."""
    numerical = np.array([1.330858318e-44, 2.8e-44])
    estimate = Estimate(numerical, np.full(2, 2.2e-53), "central")
    assert compare(numerical.astype(np.float32), estimate).passed
    normal = numerical * 1e7  # 1.3e-37 and 2.8e-37
    wrong = (normal * 100).astype(np.float32)
    assert not compare(wrong, Estimate(normal, np.full(2, 2.2e-46), "central")).passed
    assert compare(np.array([1.0, 2.0]), Estimate(np.array([1.0, 2.0]), np.full(2, 1e-12), "central")).passed


# ------------------------------------------------------------------ extreme scales

def scaled_float32(layers: list[int], activation: str, scales: tuple[float, ...], x: list[float],
                   y: list[float]) -> tuple[NeuralNetwork, np.ndarray, np.ndarray]:
    """A float32 network whose layer k has weights of size scales[k] (positive, so relu units stay on)."""
    net = NeuralNetwork(layers, activation, rng=0)
    rng = np.random.default_rng(0)
    for layer, scale in zip(net.layers, scales):
        layer.weight = (rng.uniform(0.5, 1.0, layer.weight.shape) * scale).astype(np.float32)
    return net, np.array(x, dtype=np.float32), np.array(y, dtype=np.float32)


UNDERFLOWING = {
    # weights near 1e-38 in the two right layers: the first layer's true gradient, 1e-76, is 0 in float32
    "1e-38 weights, true 1e-76": ([2, 3, 3, 2], "tanh", (1.0, 1e-38, 1e-38), [1.0, 0.5, -0.7], [0.3, -0.6]),
    # a delta of 1e-46 flushes to 0, and the input 1e5 it multiplies makes the true gradient 1.5e-41
    "delta flushed to 0, true 1.5e-41": ([2, 3, 3, 1], "relu", (1e5, 1e-5, 1e-40), [1.0, 0.5, 0.7], [1e-6]),
    # a delta of 2.9 subnormal spacings keeps 2: the gradient is −2.5e-40 for a true −3.8e-40
    "delta kept to 2 spacings": ([2, 3, 3, 1], "relu", (1e5, 1e-5, 1e-40), [1.0, 0.5, 0.7], [3e-5]),
}


@pytest.mark.parametrize("name", sorted(UNDERFLOWING))
@pytest.mark.parametrize("method", ["complex", "central", "richardson"])
def test_a_float32_gradient_that_underflows_is_no_false_alarm(name: str, method: str) -> None:
    """The complex step sees the true value (a product a·∂L/∂z in float64); float32 backprop cannot."""
    net, x, y = scaled_float32(*UNDERFLOWING[name])
    grads, estimates = judge(net, x, y, method)
    tiny = np.finfo(np.float32).smallest_normal
    if method == "complex":  # the case really is one of underflow: a true value float32 loses
        assert any(np.any((np.abs(e.value) < tiny) & (np.abs(g - e.value) > 1e-3 * np.abs(e.value)))
                   for g, e in zip(grads, estimates))
    for g, e in zip(grads, estimates):
        verdict = compare(g, e)
        assert verdict.passed, verdict.message()


def test_below_the_smallest_normal_number_only_underflow_is_excused() -> None:
    """Only when the analytic value and the truth are both subnormal is their difference rounding."""
    tiny = float(np.finfo(np.float32).smallest_normal)

    def passes(analytic: float, true: float, dtype: type = np.float32) -> bool:
        return compare(np.array([analytic], dtype=dtype), Estimate(np.array([true]), np.full(1, 1e-60),
                                                                   "central")).passed

    assert passes(0.0, -0.5 * tiny) and passes(0.1 * tiny, 0.9 * tiny)  # both in the subnormal range
    assert not passes(0.0, 2 * tiny)  # the truth is a normal number: 0 lost all of it
    assert not passes(0.5 * tiny, 2 * tiny)
    assert not passes(2 * tiny, 0.5 * tiny)  # a normal analytic value for a subnormal truth
    assert not passes(2.2 * tiny, 2 * tiny)  # 10 % off
    assert not passes(0.0, 0.5 * tiny, np.float64)  # float64's subnormal range starts at 2e-308


EXTREME_SCALES = [
    (dtype, activation, scales)
    for dtype in (np.float64, np.float32)
    for activation, scales in (
        ("relu", (1e-15, 1e-15)),  # tiny weights: gradients of 1e-16
        ("relu", (1e12, 1e12)),  # huge weights: gradients of 1e12 and 1e24
        ("tanh", (1e-15, 1.0)),
        ("sigmoid", (1e3, 1e-3)),  # saturated hidden units
    )
] + [(np.float64, "relu", (1e-30, 1e-30))]  # gradients of 1e-31 (in float32 its z of 1e-60 would be 0)


@pytest.mark.parametrize(("dtype", "activation", "scales"), EXTREME_SCALES)
def test_correct_gradients_pass_and_a_1e3_error_is_flagged_at_extreme_scales(
        dtype: type, activation: str, scales: tuple[float, ...]) -> None:
    """No false alarm with any method; a planted error flagged wherever the complex step (exact to a few
    ulps at any scale) resolves the gradient, however small: the budget has no absolute floor."""
    net = NeuralNetwork([2, 3, 1], activation, rng=0)
    rng = np.random.default_rng(1)
    for layer, scale in zip(net.layers, scales):
        layer.weight = (rng.uniform(0.5, 1.0, layer.weight.shape) * scale).astype(dtype)
    x, y = np.array([1.0, 0.8, 0.6], dtype=dtype), np.array([-0.5], dtype=dtype)
    for method in ("central", "complex"):
        grads, estimates = judge(net, x, y, method)
        for g, e in zip(grads, estimates):
            verdict = compare(g, e)
            assert verdict.passed, verdict.message()
    flagged = 0
    for g, e in zip(grads, estimates):
        for index in zip(*np.nonzero(e.budget < 1e-4 * np.abs(e.value))):
            wrong = g.copy()
            wrong[index] *= 1 + 1e-3 if dtype == np.float64 else 1 + 1e-2
            assert not compare(wrong, e).passed, (index, g, e.value, e.budget)
            flagged += 1
    assert flagged >= 4


# ------------------------------------------------------------------ the measured noise floor

def noisy_sum(n_moving: int, n_dead: int, noise: float = 1e-9):
    """A scalar function of n_moving + n_dead elements: the last n_dead move nothing; the others change it
    linearly, each sample carrying rounding-like noise of `noise` (deterministic)."""
    slopes = np.linspace(0.5, 2.0, n_moving)
    h = np.full(n_moving + n_dead, 1e-3)

    def sample(m: float) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng([int(round(m * 10)) + 100, n_moving])
        values = np.ones(n_moving + n_dead)
        values[:n_moving] += slopes * m * h[:n_moving] + noise * rng.standard_normal(n_moving)
        return values, m * h

    return sample


def test_elements_that_move_nothing_do_not_shift_the_measured_noise_floor() -> None:
    """An input of 0 leaves its weights' rows unmoved: their departures are 0, not noise, and counting them
    would lower the floor every other element's budget rests on (most of MNIST's pixels are 0)."""
    alone = central_estimate(noisy_sum(40, 0), 1.0, EPS, shared_noise=True)
    padded = central_estimate(noisy_sum(40, 60), 1.0, EPS, shared_noise=True)
    rounding = rounding_error(np.ones(40), np.full(40, 1e-3), EPS)
    assert np.all(alone.budget > 100 * rounding)  # the floor, not eps·|f|/h, is what sets the budget
    np.testing.assert_array_equal(padded.budget[:40], alone.budget)
    np.testing.assert_array_equal(padded.value[40:], 0.0)


# ------------------------------------------------------------------ the one-sided kink test, to the bit

def table_sampler(values: dict[float, list[float]], h: float = 1.0):
    """f at x + m·h for m = ±1, ±2, as given per element; steps exactly m·h."""
    def sample(m: float) -> tuple[np.ndarray, np.ndarray]:
        f = np.array(values[m])
        return f, np.full(f.shape, m * h)

    return sample


def test_the_noise_floor_is_the_lower_quartile_of_five_departures_the_second_smallest() -> None:
    """f = x (slope 1, h = 2⁻¹⁰) with f(x ± 2h) both raised by e·2⁻⁴⁰: each element departs from smooth
    scaling by exactly e·2⁻⁴⁰ (times 1/h), e = 3, 1, 5, 2, 4.  The floor is the 2nd smallest, 2·2⁻⁴⁰."""
    h = 2.0 ** -10
    e = np.array([3.0, 1.0, 5.0, 2.0, 4.0]) * 2.0 ** -40
    sample = table_sampler({1.0: [h] * 5, -1.0: [-h] * 5, 2.0: list(2 * h + e), -2.0: list(-2 * h + e)}, h)
    estimate = central_estimate(sample, 0.0, EPS, shared_noise=True)
    np.testing.assert_array_equal(estimate.value, 1.0)
    np.testing.assert_array_equal(estimate.budget, 2 * 2.0 ** -40 / h)
    assert not estimate.kink_mask.any() and estimate.kinks == []


def test_a_departure_of_exactly_four_rounding_units_is_rounding_not_a_kink() -> None:
    """f = x at h = 1 with f(±2) both raised by 2⁻⁴⁷; terms of size 4 round to 2·eps·4 = 2⁻⁴⁹ per unit of h,
    and the one-sided differences depart from smooth scaling by 2⁻⁴⁷: four units exactly, not more."""
    sample = table_sampler({1.0: [1.0], -1.0: [-1.0], 2.0: [2 + 2.0 ** -47], -2.0: [-2 + 2.0 ** -47]})
    estimate = central_estimate(sample, 0.0, EPS, size=4.0)
    assert not estimate.kink_mask.any() and estimate.kinks == []
    np.testing.assert_array_equal(estimate.budget, [2.0 ** -49])


def test_a_departure_of_exactly_a_tenth_of_the_jump_is_not_a_kink() -> None:
    """One-sided slopes 5.5 | 0 at h and 10 | 0 at 2h: the jump is 10, the departure 10 − 2·5.5 = 1, a tenth
    of it exactly.  No kink: the central differences 2.75 and 5 give the budget (5 − 2.75)/3 + rounding."""
    sample = table_sampler({1.0: [5.5], -1.0: [0.0], 2.0: [20.0], -2.0: [0.0]})
    estimate = central_estimate(sample, 0.0, EPS)
    assert not estimate.kink_mask.any() and estimate.kinks == []
    np.testing.assert_array_equal(estimate.budget, [0.75 + 40 * EPS])


def test_a_kink_with_one_straight_side_is_bracketed_to_twice_the_rounding() -> None:
    """f(0) = 0 with one side straight (slope ±1 at h and 2h) and the other curved (x²/2 ∓ x/2: slope ∓1 at
    h, ∓1.5 at 2h): the bracket is [−1, 1] and the straight side's curvature, 0, is what widens it, leaving
    twice the rounding, 2·(2·eps·3) with terms of 3.  The kink is reported at its first element."""
    sample = table_sampler({1.0: [1.0, 1.0], -1.0: [1.0, 1.0], 2.0: [2.0, 3.0], -2.0: [3.0, 2.0]})
    estimate = central_estimate(sample, 0.0, EPS)
    np.testing.assert_array_equal(estimate.kink_mask, [True, True])
    np.testing.assert_array_equal(estimate.lower, [-1.0, -1.0])
    np.testing.assert_array_equal(estimate.upper, [1.0, 1.0])
    np.testing.assert_array_equal(estimate.budget, [12 * EPS, 12 * EPS])
    assert estimate.kinks == [Kink(None, (0,), None, "element (0,) and 1 more")]


def test_float32_values_are_differenced_in_float64() -> None:
    """|x + 1e-6| in float32 at h = 2⁻¹⁰: f(x + h) − f(x) spans 2⁻¹⁰ and 1e-6, more than float32 holds.  The
    bracket at the kink is the exact difference of the float32 values, as if they had come in float64."""
    h = 2.0 ** -10

    def sample(m: float, dtype: type = np.float32) -> tuple[np.ndarray, np.ndarray]:
        return np.array([abs(m * h + 1e-6)], np.float32).astype(dtype), np.array([m * h])

    f0 = np.float32([1e-6])
    narrow = central_estimate(sample, f0, 2.0 ** -23)
    wide = central_estimate(lambda m: sample(m, np.float64), f0.astype(float), 2.0 ** -23)
    assert narrow.kink_mask.all()
    np.testing.assert_array_equal(narrow.upper, [(float(np.float32(h + 1e-6)) - float(f0[0])) / h])
    for name in ("value", "budget", "lower", "upper"):
        np.testing.assert_array_equal(getattr(narrow, name), getattr(wide, name), err_msg=name)


def test_a_function_not_finite_within_a_step_is_refused_in_words() -> None:
    def sample(m: float) -> tuple[np.ndarray, np.ndarray]:
        return np.array([np.inf if m == 2.0 else m]), np.array([m])

    with pytest.raises(ValueError) as error:
        central_estimate(sample, 0.0, EPS)
    assert str(error.value) == "the function is not finite within a step of the point (NaN or inf values)"


@pytest.mark.parametrize("where", [None, 1.0, -1.0, 2.0, -2.0], ids=["point", "+h", "-h", "+2h", "-2h"])
def test_a_function_not_finite_at_the_point_or_at_one_step_alone_is_refused(where: float | None) -> None:
    """Every value the difference reads is looked at: f(x) itself, and each of the four steps on its own."""

    def sample(m: float) -> tuple[np.ndarray, np.ndarray]:
        return np.array([np.inf if m == where else m]), np.array([m])

    f0 = np.inf if where is None else 0.0
    with pytest.raises(ValueError, match="not finite within a step of the point"):
        central_estimate(sample, f0, EPS)
