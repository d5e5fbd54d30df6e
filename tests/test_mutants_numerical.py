"""Behaviours of backprop.numerical that the rest of the suite reaches but does not pin down.

Each test asserts an exact value a plausible slip would change: the step an estimate reports,
the sentence it gives for a replaced method, the safety factor a check was asked for.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from backprop import HALF_SSE
from backprop.losses import MSE
from backprop.network import NeuralNetwork
from backprop.numerical import (
    Estimate,
    central_difference,
    compare,
    complex_step,
    directional_check,
    network_directional_check,
    parameter_gradient_estimates,
    richardson,
    weight_gradient_estimates,
)
from backprop.numerical.budget import central_estimate, rounding_error
from backprop.numerical.comparison import Comparison
from backprop.numerical.directional import TaylorResult, taylor_test
from backprop.numerical.estimate import Kink
from backprop.numerical.kinks import ONE_SIDED_STEP, Pieces, has_kink, one_sided_slopes
from backprop.numerical.layered import forward_loss, trace_layers
from backprop.numerical.perturb import element_sampler
from backprop.numerical.richardson import richardson_estimate
from backprop.numerical.rowwise import rowwise_loss
from backprop.numerical.sensitivity import sensitivity
from backprop.numerical.steps import central_step, machine_epsilon, realised_step
from backprop.numerical.validation import check_callable, finite_point, live_arrays


class _BiasedLayer:
    """A layer whose forward is tanh(aW) + 0.1: not A = f(aW), and with no `activation` to check it by."""

    def __init__(self, weight: np.ndarray) -> None:
        self.weight = weight

    def forward(self, a: np.ndarray) -> np.ndarray:
        return np.tanh(np.asarray(a) @ self.weight) + 0.1


class _Net:
    def __init__(self, layers: list) -> None:
        self.layers = layers


def test_complex_step_reports_the_step_it_took() -> None:
    """The complex step's Estimate carries h = 1e-20·max(1, |x|) in float64, which sizes rounding later."""
    estimate = complex_step(np.sin, np.array([0.5, -2.0, 3.0]))
    assert estimate.method == "complex"
    assert estimate.step is not None
    np.testing.assert_allclose(estimate.step, [1e-20, 2e-20, 3e-20], rtol=1e-15)


def test_richardson_says_where_it_fell_back_to_central_differences() -> None:
    """|x| at ±1e-4: the extrapolation steps cross the kink, the central ones do not; the note says so."""
    estimate = richardson(np.abs, np.array([1e-4, 0.5, -1e-4]))
    assert estimate.method == "richardson"
    assert estimate.note == "central differences used where a kink lies within the extrapolation steps"
    np.testing.assert_allclose(estimate.value, [1.0, 1.0, -1.0], rtol=1e-9)


def test_network_directional_check_without_the_layered_structure_keeps_the_safety_factor() -> None:
    """A network whose forward is not f(aW) is checked through its own forward, with the safety asked for."""
    weight = np.random.default_rng(5).uniform(-1, 1, (3, 2))
    net = _Net([_BiasedLayer(weight)])
    x, y = np.array([1.0, 0.3, -0.7]), np.array([0.2, -0.4])
    out = np.tanh(x @ weight) + 0.1
    gradient = np.outer(x, (out - y) * (1 - np.tanh(x @ weight) ** 2))
    result = network_directional_check(net, x, y, [gradient], directions=3, seed=2, safety=2.5)
    assert result.passed
    assert result.safety == 2.5
    assert result.n_total == 3
    direct = directional_check(forward_loss(net.layers, x, y, HALF_SSE), [weight], [gradient],
                               directions=3, seed=2, safety=2.5)
    assert (result.numerical, result.budget) == (direct.numerical, direct.budget)
    wrong = gradient.copy()
    wrong[1, 0] *= 1.001
    assert not network_directional_check(net, x, y, [wrong], directions=3, seed=2, safety=2.5).passed


def test_a_loss_that_turns_into_an_array_when_perturbed_is_named_in_the_error() -> None:
    """The element sampler's error names `loss_fn`, the argument passed, and leaves the array as it was."""
    array = np.array([0.5, -1.5])
    sample = element_sampler(lambda: np.array([1.0, 2.0]), array, np.full(2, 1e-5))
    with pytest.raises(TypeError) as caught:
        sample(1.0)
    assert str(caught.value) == "loss_fn must return a scalar, got an array of shape (2,)"
    np.testing.assert_array_equal(array, [0.5, -1.5])


def test_a_plain_function_kink_is_located_by_element_and_counted() -> None:
    """|x| at 0: the kink names its element, and says how many more there are only when there are more."""
    one = central_difference(np.abs, np.array([0.0, 0.5]))
    assert [k.where for k in one.kinks] == ["element (0,)"]
    assert one.kinks[0].describe() == "a kink met while perturbing element (0,)"
    np.testing.assert_array_equal(one.kink_mask, [True, False])
    three = central_difference(np.abs, np.array([0.0, 0.5, 0.0, 0.0]))
    assert [k.where for k in three.kinks] == ["element (0,) and 2 more"]


def test_comparing_nothing_passes_with_zeros_everywhere() -> None:
    """An empty gradient (a layer of no weights) passes, every figure of the report 0, no budget invented."""
    result = compare(np.zeros(0), Estimate(np.zeros(0), np.zeros(0), "central"))
    assert (result.passed, result.n_mismatched, result.n_total, result.worst_index) == (True, 0, 0, ())
    figures = (result.analytic, result.numerical, result.abs_error, result.rel_error, result.budget,
               result.max_rel_error, result.max_abs_error)
    assert figures == (0.0,) * 7
    assert (result.kinks, result.safety, result.method) == ([], 4.0, "central")


def test_sensitivity_of_a_two_layer_chain_worked_by_hand() -> None:
    """Layers 3z then 2z, a = [1, 0.5], y = 0.5: A = [3.75, −4.5], output −10.5, ∂L/∂A = −11.

    Terms of ∂L/∂z: output (11 + 10.5 + 0.5)·2 = 44, first layer |W1|·44·3 = [132, 264].
    Loss terms: 60.5 + 11·10.5 = 176, plus 22·12.75 = 280.5 for the output layer and
    66·1.25 + 132·2.5 = 412.5 for the first: [869, 456.5], in the layers' order.
    """
    a0, w0, w1 = np.array([1.0, 0.5]), np.array([[1.0, -2.0], [0.5, 1.0]]), np.array([[1.0], [2.0]])
    z0 = a0 @ w0
    a1 = 3 * z0
    z1 = a1 @ w1
    out = 2 * z1
    result = sensitivity([w0, w1], [a0, a1], [z0, z1], [a1, out], [lambda z: 3 * z, lambda z: 2 * z],
                         np.array([0.5]), HALF_SSE, 60.5)
    np.testing.assert_allclose(result.loss_size, [869.0, 456.5], rtol=1e-9)
    assert len(result.term_size) == 2
    np.testing.assert_allclose(result.term_size[0], [132.0, 264.0], rtol=1e-9)
    np.testing.assert_allclose(result.term_size[1], [44.0], rtol=1e-9)


def test_machine_epsilon_of_each_kind_of_dtype() -> None:
    """Floats and complex numbers give their own spacing; integers and booleans (a loss of 0) float64's."""
    assert machine_epsilon(np.float32) == 2.0 ** -23
    assert machine_epsilon(np.dtype("float64")) == 2.0 ** -52
    assert machine_epsilon(np.complex64) == 2.0 ** -23
    assert machine_epsilon(np.float16) == 2.0 ** -10
    assert machine_epsilon(np.int64) == 2.0 ** -52
    assert machine_epsilon(bool) == 2.0 ** -52


def test_a_function_returning_integers_is_differentiated() -> None:
    """A function returning an integer (a constant 7) has derivative 0 everywhere, no error on its dtype."""
    estimate = central_difference(lambda x: 7, np.array([0.5, 2.0]))
    np.testing.assert_array_equal(estimate.value, [0.0, 0.0])


def test_an_estimate_holds_float_arrays_whatever_it_was_given() -> None:
    """Values given as a list of integers are stored as a float array, the budget broadcast to their shape."""
    estimate = Estimate([1, 2], 0.5, "central")
    assert isinstance(estimate.value, np.ndarray)
    assert estimate.value.dtype == np.float64
    np.testing.assert_array_equal(estimate.value, [1.0, 2.0])
    np.testing.assert_array_equal(estimate.budget, [0.5, 0.5])
    np.testing.assert_array_equal(estimate.lower, [1.0, 2.0])
    np.testing.assert_array_equal(estimate.upper, [1.0, 2.0])
    np.testing.assert_array_equal(estimate.kink_mask, [False, False])
    assert estimate.shape == (2,)


def test_a_function_that_changes_shape_between_calls_is_named_in_the_error() -> None:
    """f gives a scalar on its first call and an array after: the error names f, in one sentence."""
    calls = []

    def f(x: np.ndarray) -> object:
        calls.append(1)
        return float(x.sum()) if len(calls) == 1 else np.zeros(3)

    with pytest.raises(TypeError) as caught:
        central_difference(f, np.array([0.5, 2.0]))
    assert str(caught.value) == "f must return a scalar, got an array of shape (3,)"


def test_an_estimate_brackets_only_its_kinked_elements() -> None:
    """lower/upper are taken where the kink mask is set (in order), the value elsewhere."""
    estimate = Estimate(np.array([1.0, 2.0]), 0.1, "central", kink_mask=np.array([True, False]),
                        lower=np.array([1.5, 9.0]), upper=np.array([0.5, 9.0]))
    np.testing.assert_array_equal(estimate.lower, [0.5, 2.0])
    np.testing.assert_array_equal(estimate.upper, [1.5, 2.0])
    np.testing.assert_array_equal(estimate.kink_mask, [True, False])


def test_rowwise_losses_of_float32_rows_are_taken_in_float64() -> None:
    """Rows from a float32 activation against float64 targets: the residual is not rounded to float32
    (and float64 rows, the usual case, give the same sums)."""
    y = np.array([0.3, 0.5])
    for dtype in (np.float32, np.float64):
        rows = np.array([[0.1, 0.7], [-0.2, 1.3]], dtype=dtype)
        squares = ((rows.astype(float) - y) ** 2).sum(axis=1)
        for loss, expected in ((HALF_SSE, squares / 2), (MSE, squares / y.size)):
            values = rowwise_loss(loss)(rows.copy(), y)
            assert values.dtype == np.float64
            np.testing.assert_allclose(values, expected, rtol=1e-15)


def test_the_measured_noise_of_a_shared_loss_is_a_rounding_floor_not_kinks() -> None:
    """f(m·h) = m·h plus noise a at +h and b at −h (h = 1e-3), a + b = s ≈ 1e-9, a − b = 6e-9.

    The one-sided differences depart from smooth scaling by 2s/h; for a loss (shared noise) the
    lowest of them, 2e-6, is the rounding floor, so nothing is a kink and the budget is
    |a − b|/6h + 2e-6 = 3e-6. Without shared noise the same departures are kinks.
    """
    h = 1e-3
    s = np.array([1.0, 1.2, 1.5, 2.0]) * 1e-9
    noise = {1.0: (s + 6e-9) / 2, -1.0: (s - 6e-9) / 2}

    def sample(m: float) -> tuple[np.ndarray, np.ndarray]:
        return m * h + noise.get(m, np.zeros(4)), np.full(4, m * h)

    shared = central_estimate(sample, 0.0, 2.0 ** -52, shared_noise=True)
    np.testing.assert_allclose(shared.value, 1 + 3e-6, rtol=1e-12)
    np.testing.assert_allclose(shared.budget, 3e-6, rtol=1e-6)
    assert not shared.kink_mask.any() and shared.kinks == []
    alone = central_estimate(sample, 0.0, 2.0 ** -52)
    assert alone.kink_mask.all()


def test_rounding_error_grows_with_the_values_and_shrinks_with_the_step() -> None:
    """Two values off by eps·|f| each over the step: 2·eps·|f|/h, and a zero step never divides by 0."""
    eps = 2.0 ** -52
    np.testing.assert_allclose(rounding_error(np.array([2.0, 1e6]), np.array([1e-3, 1e-3]), eps),
                               [2 * eps * 2.0 / 1e-3, 2 * eps * 1e6 / 1e-3], rtol=1e-15)
    assert np.isfinite(rounding_error(np.array([1.0]), np.array([0.0]), eps)).all()


def test_an_unregistered_activation_is_probed_for_a_kink_at_zero() -> None:
    """A hand-written relu or leaky relu has a kink; tanh and a function infinite at 0 do not."""
    assert has_kink(lambda z: np.maximum(z, 0.0))
    assert has_kink(lambda z: np.where(z > 0, z, 0.1 * z))
    assert not has_kink(lambda z: np.tanh(z))
    assert not has_kink(lambda z: 1.0 / z)


def test_points_are_checked_and_converted_in_one_sentence() -> None:
    """Integers become floats; a non-callable is named with its type."""
    point = finite_point("x", [1, 2])
    assert point.dtype == np.float64
    np.testing.assert_array_equal(point, [1.0, 2.0])
    assert finite_point("x", np.array([0.5], dtype=np.float32)).dtype == np.float32
    with pytest.raises(TypeError) as caught:
        check_callable("loss_fn", 3)
    assert str(caught.value) == "loss_fn must be callable, not int"
    assert check_callable("f", np.sin) is np.sin


def test_the_realised_step_is_the_one_float32_can_hold() -> None:
    """1 + 1e-7 in float32 is 1 + 2⁻²³: that, not 1e-7, is the step differences must divide by."""
    moved, step = realised_step(np.array([1.0, -2.0], dtype=np.float32), np.array([1e-7, 0.5]))
    assert moved.dtype == np.float32
    np.testing.assert_array_equal(moved, np.array([1 + 2.0 ** -23, -1.5], dtype=np.float32))
    np.testing.assert_array_equal(step, [2.0 ** -23, 0.5])


def _comparison(kinks: list[Kink]) -> Comparison:
    return Comparison(passed=False, n_mismatched=1, n_total=4, worst_index=(1, 0), analytic=0.25,
                      numerical=0.5, abs_error=0.25, rel_error=0.5, budget=1e-9, max_rel_error=0.5,
                      kinks=kinks, method="central", max_abs_error=0.25)


def test_a_comparisons_message_is_one_line_a_fact() -> None:
    """The numpy.testing-style text, word for word, one fact a line, with no kink lines when none was met."""
    assert _comparison([]).message() == "\n".join([
        "Analytic and numerical derivatives differ beyond the error budget (safety factor 4, method central)",
        "Mismatched elements: 1 / 4 (25%)",
        "Worst element [1, 0]: analytic 0.25, numerical 0.5",
        "  absolute error 0.25, relative error 0.5, budget there 1e-09 (x4 = 4e-09)",
        "Max absolute difference: 0.25",
        "Max relative difference: 0.5",
    ])


def test_five_kinks_are_all_listed_and_a_sixth_is_counted() -> None:
    """Up to five kinks are described one a line; those past the fifth are summed up as "... and n more"."""
    kinks = [Kink(None, None, None, f"x[{i}]") for i in range(6)]
    five = _comparison(kinks[:5]).message().split("\n")
    assert five[6:] == ["Kinks met (5):"] + [f"  a kink met while perturbing x[{i}]" for i in range(5)]
    six = _comparison(kinks).message().split("\n")
    assert six[6:] == ["Kinks met (6):", *five[7:], "  ... and 1 more"]


def test_a_taylor_results_message_lists_each_remainder_by_its_epsilon() -> None:
    """The Taylor test's sentence: slope, verdict, note, then r(ε) for each ε, in full."""
    result = TaylorResult(True, 1.98765, np.array([1e-2, 5e-3]), np.array([4.0e-5, 1.0e-5]),
                          np.array([2.0]), note="Tail of 1 slope.")
    assert result.message() == ("Taylor remainder slope 1.99 (order 2: the gradient is right). "
                                "Tail of 1 slope. r(eps) = {0.01: 4e-05, 0.005: 1e-05}")
    wrong = TaylorResult(False, 1.0, np.array([0.5]), np.array([0.25]), np.array([]))
    assert wrong.message() == ("Taylor remainder slope 1 (order 1: the gradient is wrong).  "
                               "r(eps) = {0.5: 0.25}")


def test_a_loss_fn_that_is_not_callable_is_named_as_the_argument_it_is() -> None:
    """The error names the argument as the caller wrote it, `loss_fn`, before any array is touched."""
    params = [np.zeros(2)]
    with pytest.raises(TypeError) as caught:
        parameter_gradient_estimates(0.5, params)  # type: ignore[arg-type]
    assert str(caught.value) == "loss_fn must be callable, not float"


def test_a_unit_within_rounding_of_its_kink_has_terms_as_large_as_the_steeper_piece() -> None:
    """A leaky relu (slopes 0.1 and 1): each unit's terms scale with its own piece's slope, except a unit
    whose z lies within rounding of 0, which may be on either piece and so takes the larger slope."""
    pieces = Pieces(0.0, 0.1, 1.0, sides=np.array([1, -1, -1]), ambiguous=np.array([False, False, True]))
    np.testing.assert_array_equal(pieces.term_size(np.array([2.0, 2.0, 2.0])), [2.0, 0.2, 2.0])


def test_params_that_are_not_a_list_or_tuple_are_refused_in_one_sentence() -> None:
    """A generator of arrays would be used up by the checks and leave nothing to perturb, a dict gives its
    keys: only a list or tuple of arrays is taken, anything else (an array too) gets the same sentence."""
    weights = [np.zeros(2), np.ones(3)]
    for given in ((w for w in weights), {"W": weights[0]}, weights[0], None):
        with pytest.raises(TypeError) as caught:
            live_arrays(given)
        assert str(caught.value) == ("params must be a list of numpy arrays "
                                     "(the live parameters, perturbed in place)")
    taken = live_arrays(tuple(weights))
    assert len(taken) == 2 and all(a is w for a, w in zip(taken, weights))


def test_the_sum_of_squares_of_float64_rows_is_taken_in_their_own_storage() -> None:
    """HALF_SSE and MSE, the engine's hot path, make no copy of a batch of float64 rows: the residual
    a − y is written over them, and the values are still ½Σ(a − y)² and Σ(a − y)²/n."""
    y = np.array([0.25, 0.5])
    for loss, expected in ((HALF_SSE, [1.5625 / 2, 1.125 / 2]), (MSE, [1.5625 / 2, 1.125 / 2])):
        rows = np.array([[1.25, -0.25], [-0.5, 1.25]])
        np.testing.assert_allclose(rowwise_loss(loss)(rows, y), expected, rtol=1e-15)
        np.testing.assert_array_equal(rows, [[1.0, -0.75], [-0.75, 0.75]])


def test_the_output_terms_scale_with_the_losss_gradient_over_the_residual() -> None:
    """One linear output, MSE: A = 1.5, y = 0.5, ∂L/∂A = 2(A − y) = 2, twice the residual, so the terms
    of ∂L/∂z are |∂L/∂A| + (|A| + |y|)·2 = 6 (half_sse, whose gradient is the residual, gives 3)."""
    a0, w0 = np.array([1.5]), np.array([[1.0]])
    z0 = a0 @ w0
    for loss, expected in ((MSE, 6.0), (HALF_SSE, 3.0)):
        result = sensitivity([w0], [a0], [z0], [z0], [lambda z: z], np.array([0.5]), loss, 1.0)
        np.testing.assert_allclose(result.term_size[0], [expected], rtol=1e-9)


def test_a_point_with_nan_or_inf_is_refused_with_the_count() -> None:
    """The sentence names the argument and counts its non-finite values, word for word."""
    with pytest.raises(ValueError) as caught:
        finite_point("x", [1.0, np.nan, np.inf])
    assert str(caught.value) == "x holds 2 non-finite value(s) (NaN or inf)"


def test_the_central_step_is_sized_for_the_dtype_asked_for() -> None:
    """eps^(1/3)·max(1, |x|) of x's own dtype, unless another dtype is named: float32 weights whose loss is
    computed in float64 take float64's step."""
    x = np.array([0.5, -3.0], dtype=np.float32)
    np.testing.assert_allclose(central_step(x), np.cbrt(2.0 ** -23) * np.array([1.0, 3.0]), rtol=1e-15)
    np.testing.assert_allclose(central_step(x, np.float64), np.cbrt(2.0 ** -52) * np.array([1.0, 3.0]),
                               rtol=1e-15)


def test_a_complex_step_mangled_by_a_conjugate_falls_back_saying_where_it_disagreed() -> None:
    """conj(z)² is x² on the reals but turns the complex step's sign: the fallback's note counts the
    elements where the two derivatives disagree (none at 0, where both are 0)."""
    estimate = complex_step(lambda z: np.conj(z) ** 2, np.array([0.0, 1.0, 2.0]))
    assert estimate.method == "central (complex step unavailable)"
    assert estimate.note == ("complex step not used: f drops the imaginary part: its complex-step derivative "
                             "disagrees with central differences at 2 of 3 element(s)")


def test_a_function_returning_complex_values_for_real_input_is_refused_in_one_sentence() -> None:
    """Central differences refuse an f that returns complex values, before any step is taken."""
    with pytest.raises(TypeError) as caught:
        central_difference(lambda x: x + 0j, np.array([1.0, 2.0]))
    assert str(caught.value) == "f returned complex values for real input; central differences need real ones"


def test_a_loss_fn_returning_a_complex_value_is_refused_in_one_sentence() -> None:
    """A complex loss is named as the argument it is, `loss_fn`, in one sentence."""
    params = [np.zeros(2)]
    with pytest.raises(TypeError) as caught:
        parameter_gradient_estimates(lambda: complex(params[0].sum()), params)
    assert str(caught.value) == "loss_fn returned a complex value; central differences need a real one"


def test_the_one_sided_slopes_of_a_boolean_step_are_taken_as_of_zeros_and_ones() -> None:
    """An activation returning a mask (z > 0) is read as 0 and 1: f(0) = 0, flat on the left, and on
    the right the jump of 1 over the step, 2/δ − 1/(2δ)."""
    assert one_sided_slopes(lambda z: z > 0) == (0.0, 0.0, 1.5 / ONE_SIDED_STEP)


def test_the_complex_step_on_a_layers_weights_reports_the_step_it_took() -> None:
    """Each weight's complex step is 1e-20·max(1, |z|) of the unit it feeds, broadcast over the inputs."""
    net = NeuralNetwork([2, 1], "tanh", rng=0)
    net.layers[0].weight = np.array([[0.5], [-2.0], [1.5]])
    x, y = np.array([1.0, 1.0, 2.0]), np.array([0.25])
    [estimate] = weight_gradient_estimates(net, x, y, method="complex")
    assert estimate.method == "complex"
    z = 0.5 - 2.0 + 3.0
    np.testing.assert_array_equal(estimate.step, np.full((3, 1), 1e-20 * z))


def test_richardson_estimates_of_params_are_richardsons() -> None:
    """method="richardson" gives Richardson estimates of each array, right for a cubic to rounding."""
    params = [np.array([1.0, -2.0])]
    [estimate] = parameter_gradient_estimates(lambda: float(np.sum(params[0] ** 3)), params,
                                              method="richardson")
    assert estimate.method == "richardson"
    np.testing.assert_allclose(estimate.value, [3.0, 12.0], rtol=1e-9)


def test_the_complex_step_of_an_empty_array_is_an_empty_estimate_without_a_warning() -> None:
    """No elements, no typical value to add to the budget: an empty estimate, and no "Mean of empty
    slice" RuntimeWarning from averaging nothing."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        estimate = complex_step(np.sin, np.array([]))
    assert estimate.method == "complex"
    assert estimate.value.shape == (0,) and estimate.budget.shape == (0,)


def test_a_taylor_test_with_one_remainder_above_rounding_asks_for_a_larger_epsilon() -> None:
    """L = w²/2 at w = 1 from ε = 8e-6: r(ε) = ε²/2 = 3.2e-11 is above 1000 × rounding (≈ 1.4e-11), r(ε/2)
    is not, so no slope can be taken; the loss is not linear along v, and the note says what to do."""
    w = np.array([1.0])
    result = taylor_test(lambda: 0.5 * float(w[0] ** 2), [w], [w.copy()], epsilon=8e-6, halvings=3)
    assert result.passed is False
    assert np.isnan(result.slope)
    assert result.note == "no two remainders rise above rounding; choose a larger epsilon"
    np.testing.assert_allclose(result.remainders, 0.5 * (8e-6 * 2.0 ** -np.arange(4)) ** 2, rtol=1e-3)


def test_a_loss_near_zero_made_of_large_terms_has_a_budget_for_the_terms_rounding() -> None:
    """L = ⟨w, p⟩ − ⟨w, p₀⟩ is 0 at p₀ but sums terms of |p·w| ≈ 230: its rounding is theirs, not that
    of |L|, so the central estimate's budget covers it and the right gradient w passes."""
    w = np.array([-0.7, 2.9])
    params = [np.array([-94.1, -78.6])]
    offset = float(np.sum(params[0] * w))
    [estimate] = parameter_gradient_estimates(lambda: float(np.sum(params[0] * w) - offset), params,
                                              method="central")
    assert np.all(np.abs(estimate.value - w) <= estimate.budget)
    assert np.all(estimate.budget > 1e-11)
    assert compare(w, estimate).passed


def test_a_loss_returned_as_a_one_element_array_is_read_as_its_value() -> None:
    """A loss kept as a (1, 1) array (np.sum(..., keepdims=True) of a matrix) is one number: it is
    estimated as a scalar loss would be, not refused."""
    params = [np.array([[1.0, -2.0]])]
    [estimate] = parameter_gradient_estimates(lambda: np.sum(params[0] ** 2, keepdims=True), params,
                                              method="central")
    np.testing.assert_allclose(estimate.value, [[2.0, -4.0]], rtol=1e-8)


def test_the_sum_of_squares_of_float32_rows_and_targets_is_taken_in_the_rows_own_storage() -> None:
    """Rows and targets both float32 (a float32 network's batch): the residual a − y is written over the
    rows, no copy of the batch is made, and the values are those of float32."""
    y = np.array([0.25, 0.5], dtype=np.float32)
    for loss, expected in ((HALF_SSE, [1.5625 / 2, 1.125 / 2]), (MSE, [1.5625 / 2, 1.125 / 2])):
        rows = np.array([[1.25, -0.25], [-0.5, 1.25]], dtype=np.float32)
        np.testing.assert_allclose(rowwise_loss(loss)(rows, y), expected, rtol=1e-7)
        np.testing.assert_array_equal(rows, np.array([[1.0, -0.75], [-0.75, 0.75]], dtype=np.float32))


def test_a_one_sided_derivative_at_a_curved_kink_is_allowed_the_curvature_of_its_bracket() -> None:
    """max(x, 0) − x² at 0: the one-sided differences at h bracket [h, 1 − h], inside the true slopes
    0 and 1 by the curvature error h; the budget there is 1.5·h (plus rounding), so either true slope
    passes, and a slope outside [0, 1] still fails."""
    estimate = central_difference(lambda x: np.maximum(x, 0) - x**2, np.array([0.0, 1.0]))
    assert estimate.kink_mask.tolist() == [True, False]
    assert estimate.step is not None
    assert estimate.budget[0] == pytest.approx(1.5 * estimate.step[0], rel=1e-6)
    assert compare(np.array([1.0, -1.0]), estimate).passed
    assert compare(np.array([0.0, -1.0]), estimate).passed
    assert not compare(np.array([1.1, -1.0]), estimate).passed


def test_an_estimate_s_budget_is_one_float_per_element_whatever_it_was_given() -> None:
    """A scalar budget becomes an array of the value's shape (one bound per element, its own copy), and
    a budget given in integers is held as floats, like the value."""
    shared = Estimate(np.array([1.0, 2.0]), 1e-8, "central")
    assert isinstance(shared.budget, np.ndarray)
    assert shared.budget.shape == (2,) and shared.budget.dtype == np.float64
    assert shared.budget.tolist() == [1e-8, 1e-8]
    whole = Estimate(np.array([1.0, 2.0]), [1, 3], "central")
    assert isinstance(whole.budget, np.ndarray)
    assert whole.budget.dtype == np.float64 and whole.budget.tolist() == [1.0, 3.0]


def test_a_non_finite_point_of_a_function_is_named_x_in_the_sentence() -> None:
    """central_difference(f, x) with a NaN in x: the sentence names the argument `x` and counts the value."""
    with pytest.raises(ValueError) as caught:
        central_difference(np.sin, np.array([0.0, np.nan]))
    assert str(caught.value) == "x holds 1 non-finite value(s) (NaN or inf)"


def test_a_jump_of_exactly_the_threshold_is_not_a_kink() -> None:
    """c·relu has slopes 0 and c; a kink needs a jump above 1e-3·(1 + the larger slope). For the c with
    c = 1e-3·(1 + c) exactly the jump only reaches it, so it is no kink; twice that c is one."""
    c = float(np.nextafter(1 / 999, 1.0))
    assert not has_kink(lambda z: c * np.maximum(z, 0.0))
    assert has_kink(lambda z: 2 * c * np.maximum(z, 0.0))


def test_a_unit_moved_across_zero_stays_on_its_piece_on_either_side() -> None:
    """A leaky relu (slopes 0.1 left, 1 right): a right-piece unit moved to −0.5 follows the right piece
    (−0.5, not −0.05), a left-piece unit moved to 0.5 the left one (0.05, not 0.5); units that do not
    cross keep f(z)."""
    pieces = Pieces(0.0, 0.1, 1.0, sides=np.array([1, -1, 1, -1]), ambiguous=np.zeros(4, bool))

    def leaky(z: np.ndarray) -> np.ndarray:
        return np.where(z > 0, z, 0.1 * z)

    moved = pieces.apply(leaky, np.array([-0.5, 0.5, 2.0, -2.0]))
    np.testing.assert_allclose(moved, [-0.5, 0.05, 2.0, -0.2], rtol=1e-15)


def test_richardsons_budget_is_floored_by_the_central_budget_scaled_to_its_step() -> None:
    """f exactly linear at the extrapolation steps (±64h … ±256h), but off by δ = 3e-6 at ±2h: the
    extrapolation levels agree, so its own budget is rounding alone (≈ 4e-15); the central budget
    δ/3 (+ rounding), taken at a step 64 times smaller, scaled down by 64 and doubled, is its floor."""
    h, delta, eps = 1e-3, 3e-6, 2.0 ** -52

    def sample(m: float) -> tuple[np.ndarray, np.ndarray]:
        return np.array([m * h * (1 + delta if abs(m) == 2 else 1.0)]), np.array([m * h])

    central = central_estimate(sample, 0.0, eps)
    np.testing.assert_allclose(central.budget, [delta / 3], rtol=1e-6)
    estimate = richardson_estimate(sample, 0.0, eps)
    assert estimate.method == "richardson" and estimate.note == ""
    np.testing.assert_array_equal(estimate.value, [1.0])
    np.testing.assert_allclose(estimate.budget, 2 * central.budget / 64, rtol=1e-12)


def test_a_networks_weight_estimates_carry_the_size_of_the_analytic_terms() -> None:
    """One tanh unit, half-SSE: the analytic ∂L/∂W[i] = x_i·(A − y)·f'(z) is summed from terms as large
    as |x_i|·(|A − y| + |A| + |y|)·f'(z), and the central estimate carries that size (term_scale) for
    compare to size the analytic side's rounding by."""
    net = NeuralNetwork([2, 1], "tanh", rng=0)
    net.layers[0].weight = np.array([[0.5], [-2.0], [1.5]])
    x, y = np.array([1.0, 1.0, 0.5]), np.array([0.25])
    [estimate] = weight_gradient_estimates(net, x, y, method="central")
    a = np.tanh(0.5 - 2.0 + 0.75)
    terms = np.abs(x)[:, None] * ((abs(a - 0.25) + abs(a) + 0.25) * (1 - a**2))
    assert estimate.term_scale is not None
    np.testing.assert_allclose(estimate.term_scale, terms, rtol=1e-6)


def test_a_function_that_casts_complex_input_to_float_falls_back_saying_so() -> None:
    """tanh of z cast to float drops the imaginary part with a ComplexWarning: the note names that warning."""
    estimate = complex_step(lambda z: np.tanh(np.asarray(z).astype(float)), np.array([0.5]))
    assert estimate.method == "central (complex step unavailable)"
    assert estimate.note == ("complex step not used: f drops the imaginary part: "
                             "it casts complex values to real (a ComplexWarning)")


def test_the_complex_step_at_a_kink_is_still_the_complex_step_bracketed_there() -> None:
    """A leaky relu (slopes 0.1 and 1) at 0, 0.5 and −2: the estimate is the complex step's, with the
    kinked element bracketed by the one-sided slopes [0.1, 1] and the others exact to a few ulps,
    budget 32·eps·(|f'| + the mean |f'| of the complex step, 0.4)."""
    estimate = complex_step(lambda z: np.where(z.real > 0, z, 0.1 * z), np.array([0.0, 0.5, -2.0]))
    assert (estimate.method, estimate.note) == ("complex", "")
    assert estimate.kink_mask.tolist() == [True, False, False]
    assert (estimate.lower[0], estimate.upper[0]) == pytest.approx((0.1, 1.0), rel=1e-9)
    np.testing.assert_allclose(estimate.value, [0.55, 1.0, 0.1], rtol=1e-9)
    np.testing.assert_allclose(estimate.budget[1:], 32 * 2.0 ** -52 * np.array([1.4, 0.5]), rtol=1e-12)


def test_the_directional_check_steps_by_the_cube_root_of_eps_times_the_largest_weight() -> None:
    """Weights of size up to 100 are moved by ±h and ±2h along each ±1 direction, h = eps^(1/3)·100, so
    the loss's rounding (eps·|L|/h) stays small enough for a gradient 1e-9 off to be caught."""
    w = np.array([100.0, -50.0])
    start = w.copy()
    offsets = []

    def loss() -> float:
        offsets.append(np.abs(w - start))
        return 0.5 * float(np.sum(w ** 2))

    assert directional_check(loss, [w], [start.copy()], directions=2, seed=0).passed
    h = np.cbrt(2.0 ** -52) * 100
    assert len(offsets) == 9
    np.testing.assert_array_equal(offsets[0], [0.0, 0.0])
    np.testing.assert_allclose(np.array(offsets[1:]), np.repeat([[h, h], [2 * h, 2 * h]], 4, axis=0),
                               rtol=1e-10)
    assert not directional_check(loss, [w], [start * (1 + 1e-9)], directions=2, seed=0).passed


def test_a_taylor_direction_given_in_float32_is_stepped_along_in_float64() -> None:
    """L = |w|²/2 at w = 0 along v = (1, −0.5) held as float32, ε = 0.1, 0.05, …: the steps are ε·v in
    float64 (not ε·v rounded to float32), so each remainder is exactly |ε·v|²/2 for the ε it is listed by."""
    w = np.zeros(2)
    v = np.array([1.0, -0.5], dtype=np.float32)
    result = taylor_test(lambda: 0.5 * float(np.sum(w ** 2)), [w], [np.zeros(2)], direction=[v],
                         epsilon=0.1, halvings=3)
    assert result.passed and result.slope == 2.0
    np.testing.assert_array_equal(result.epsilons, [0.1, 0.05, 0.025, 0.0125])
    expected = [0.5 * float(np.sum((eps * v.astype(float)) ** 2)) for eps in result.epsilons]
    np.testing.assert_array_equal(result.remainders, expected)


class _Layer:
    """A layer computing activation(aW), exposing both, as the engine needs."""

    def __init__(self, weight: np.ndarray, activation) -> None:
        self.weight, self.activation = weight, activation

    def forward(self, a: np.ndarray) -> np.ndarray:
        return self.activation(np.asarray(a) @ self.weight)


def test_an_activation_shifted_by_the_largest_unit_is_found_not_elementwise() -> None:
    """z − max(z) at z = (0.2, 0.5): the maximum is on the second unit until the first is raised past it,
    and then the second unit's output moves too, so the layer is no f(aW) the engine can batch."""
    layer = _Layer(np.eye(2), lambda z: z - np.max(z, axis=-1, keepdims=True))
    assert trace_layers([layer], np.array([0.2, 0.5])) == (
        "layers[0].activation is not elementwise (changing some units changed the others)")


def test_a_unit_already_at_the_probes_offset_is_still_moved_by_it() -> None:
    """The elementwise probe moves units by 0.375, it does not set them to it: at z = (0.375, 1), the second
    unit's output following the first unit's z is found all the same."""

    def coupled(z: np.ndarray) -> np.ndarray:
        out = np.tanh(z)
        out[..., 1] += z[..., 0]
        return out

    assert trace_layers([_Layer(np.eye(2), coupled)], np.array([0.375, 1.0])) == (
        "layers[0].activation is not elementwise (changing some units changed the others)")


def test_a_kink_met_in_params_names_the_array_it_is_in() -> None:
    """|p| summed over two arrays, the second with an element at 0: its kink says `params[1] element (0,)`."""
    params = [np.array([0.5]), np.array([0.0, 0.5])]
    first, second = parameter_gradient_estimates(
        lambda: float(np.sum(np.abs(params[0])) + np.sum(np.abs(params[1]))), params)
    assert first.kinks == []
    assert [k.where for k in second.kinks] == ["params[1] element (0,)"]
    assert second.kinks[0].describe() == "a kink met while perturbing params[1] element (0,)"


def test_the_sum_of_squares_against_integer_targets_is_taken_in_the_rows_own_storage() -> None:
    """One-hot targets held as integers do not widen float64 rows: the residual a − y is still written
    over the rows (no copy of the batch), and the values are ½Σ(a − y)² and Σ(a − y)²/n."""
    y = np.array([0, 1])
    for loss in (HALF_SSE, MSE):
        rows = np.array([[1.25, -0.25], [-0.5, 1.25]])
        np.testing.assert_allclose(rowwise_loss(loss)(rows, y), [1.5625, 0.15625], rtol=1e-15)
        np.testing.assert_array_equal(rows, [[1.25, -1.25], [-0.5, 0.25]])


# Estimates of live parameter arrays: where a kink is, what a transposed array does, a noisy loss.


def test_a_kink_met_in_a_params_array_is_located_by_its_index_in_that_array() -> None:
    """Σ|p| over a 2×2 array with zeros at (0, 1) and (1, 1): the kink is at unit (0, 1), one more counted."""
    params = [np.array([[0.5, 0.0], [0.25, 0.0]])]
    [estimate] = parameter_gradient_estimates(lambda: float(np.sum(np.abs(params[0]))), params)
    assert estimate.kinks == [Kink(None, (0, 1), None, "params[0] element (0, 1) and 1 more")]


def test_a_params_array_that_is_not_contiguous_is_refused_in_one_sentence() -> None:
    """A transposed view cannot be flattened in place, so perturbing it would move a copy: refused."""
    params = [np.arange(1.0, 7.0).reshape(2, 3).T]
    with pytest.raises(ValueError) as info:
        parameter_gradient_estimates(lambda: float(np.sum(params[0] ** 2)), params)
    assert str(info.value) == "params must be contiguous arrays so they can be perturbed in place"
    np.testing.assert_array_equal(params[0], [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]])


def _noisy_sum(p: np.ndarray, s: np.ndarray, skew: float):
    """Σp, off by (s + skew)/2 when one element is moved by +h and by (s − skew)/2 when moved by −h."""
    origin, h = p.copy(), central_step(p)
    noise = {1: (s + skew) / 2, -1: (s - skew) / 2}

    def loss() -> float:
        moved = np.flatnonzero(p != origin)
        extra = 0.0
        if moved.size:
            k = moved[0]
            extra = noise.get(round((p[k] - origin[k]) / h[k]), np.zeros(p.size))[k]
        return float(np.sum(p)) + extra

    return loss, h


def test_a_losss_rounding_noise_far_above_eps_is_measured_as_a_floor_not_reported_as_kinks() -> None:
    """Noise of 1e-9 on Σp (eps·|f| is 1e-16): its lowest departure, 2s/h, is the floor, so no element is
    a kink, and the budget is skew/6h + 2·1e-9/h, which covers the error skew/2h."""
    p = np.array([0.25, 0.5, -0.75, 1.0])
    s = np.array([1.0, 1.2, 1.5, 2.0]) * 1e-9
    loss, h = _noisy_sum(p, s, 3e-9)
    [estimate] = parameter_gradient_estimates(loss, [p])
    assert estimate.kinks == [] and not estimate.kink_mask.any()
    np.testing.assert_allclose(estimate.value, 1 + 3e-9 / (2 * h), rtol=1e-6)
    np.testing.assert_allclose(estimate.budget, 3e-9 / (6 * h) + 2e-9 / h, rtol=1e-6)


def test_richardson_on_a_noisy_loss_keeps_its_extrapolation_everywhere() -> None:
    """The same noise only at ±h: the large steps see none, and the small-step check measures the noise
    instead of finding kinks, so no element falls back to central differences and none is a kink."""
    p = np.array([0.25, 0.5, -0.75, 1.0])
    s = np.array([1.0, 1.2, 1.5, 2.0]) * 1e-9
    loss, _ = _noisy_sum(p, s, 3e-9)
    [estimate] = parameter_gradient_estimates(loss, [p], method="richardson")
    assert (estimate.method, estimate.note, estimate.kinks) == ("richardson", "", [])
    np.testing.assert_allclose(estimate.value, 1.0, rtol=1e-12)


def test_richardson_budgets_an_exact_loss_for_the_rounding_of_its_terms() -> None:
    """L = p/2 + 48 at p = −96 is 0 and computed exactly, so no noise is measured: the budget is twice
    the rounding of terms of |p·∂L/∂p| = 48 at the extrapolation's step h, 4·eps·48/h, not that of L."""
    params = [np.array([-96.0])]
    [estimate] = parameter_gradient_estimates(lambda: float(0.5 * params[0][0] + 48.0), params,
                                              method="richardson")
    assert (estimate.method, estimate.note) == ("richardson", "")
    np.testing.assert_array_equal(estimate.value, [0.5])
    np.testing.assert_allclose(estimate.budget, 4 * 2.0 ** -52 * 48 / estimate.step, rtol=1e-12)


# The complex step: its precision, its tolerance against central differences, the sentences of its fallbacks.


def test_a_float32_point_takes_a_complex_step_of_1e_10_in_complex64() -> None:
    """float32 holds an imaginary part of 1e-10·max(1, |x|) (1e-20 is for float64), and f runs in
    complex64: sin's derivative is cos rounded in float32, not float64's cos(−2), −0.4161468365471424."""
    estimate = complex_step(np.sin, np.array([0.5, -2.0], dtype=np.float32))
    assert (estimate.method, estimate.note) == ("complex", "")
    assert estimate.step is not None
    assert estimate.step.dtype == np.float32
    assert estimate.step.tolist() == [float(np.float32(1e-10)), float(np.float32(2e-10))]
    assert estimate.value.tolist() == [0.8775825500488281, -0.416146844625473]


def test_a_function_of_all_elements_returning_a_one_element_array_is_complex_stepped() -> None:
    """sum(x²) kept as shape (1,) is a scalar loss: one complex step per element gives 2x."""
    estimate = complex_step(lambda z: np.sum(z * z, keepdims=True), np.array([0.5, -2.0]))
    assert (estimate.method, estimate.note) == ("complex", "")
    assert estimate.value.tolist() == [1.0, -4.0]


def test_a_curved_kink_keeps_the_complex_step_elsewhere_and_the_bracket_on_the_kink() -> None:
    """sin for z > 0, 0.1·z below, at 0 and 0.5: away from the kink the value is the complex step's exact
    cos(0.5) (central differences are ~1e-11 off) with its budget, 32·eps·(|f'| + the mean of the complex
    step's 0.1 and cos(0.5)); on the kink, central's value and budget."""
    f = lambda z: np.where(z.real > 0, np.sin(z), 0.1 * z)  # noqa: E731
    x = np.array([0.0, 0.5])
    central = central_difference(f, x)
    estimate = complex_step(f, x)
    assert (estimate.method, estimate.kink_mask.tolist()) == ("complex", [True, False])
    assert estimate.value.tolist() == [central.value[0], np.cos(0.5)]
    assert central.value[1] != np.cos(0.5)
    complex_budget = 32 * 2.0 ** -52 * (np.cos(0.5) + np.mean([0.1, np.cos(0.5)]))
    assert estimate.budget.tolist() == [central.budget[0], complex_budget]


def test_a_constant_function_has_a_complex_step_of_zero_with_nothing_to_disagree_about() -> None:
    """A constant's complex step and central difference are both exactly 0 with zero budgets: that agrees."""
    estimate = complex_step(lambda z: np.zeros_like(z), np.array([1.0, 2.0]))
    assert (estimate.method, estimate.note) == ("complex", "")
    assert estimate.value.tolist() == [0.0, 0.0]
    assert estimate.budget.tolist() == [0.0, 0.0]


def _mangled_square(offset: float):
    """x² on the reals, whose complex step is off by `offset` (the imaginary part is scaled on the way)."""
    return lambda z: z * z + (1j * offset * z.imag if np.iscomplexobj(z) else 0.0)


def test_a_complex_step_more_than_eight_central_budgets_off_falls_back() -> None:
    """At x = 0 the float32 allowance on a value ~1e-19 is negligible: 7.5 central budgets off is kept,
    8.5 is refused with the count of elements that disagree."""
    budget = central_difference(_mangled_square(0.0), np.array([0.0])).budget[0]
    assert complex_step(_mangled_square(7.5 * budget), np.array([0.0])).method == "complex"
    estimate = complex_step(_mangled_square(8.5 * budget), np.array([0.0]))
    assert estimate.method == "central (complex step unavailable)"
    assert estimate.note == ("complex step not used: f drops the imaginary part: its complex-step derivative "
                             "disagrees with central differences at 1 of 1 element(s)")


def test_a_complex_step_within_float32_rounding_of_the_central_difference_is_kept() -> None:
    """At x = 1 (central budget 1.5e-10) an offset of 1e-6 is far outside eight central budgets but inside
    32 float32 ulps of 2·|f'| = 4 (1.5e-5): the complex step is kept, offset and all."""
    estimate = complex_step(_mangled_square(1e-6), np.array([1.0]))
    assert (estimate.method, estimate.note) == ("complex", "")
    assert estimate.value.tolist() == [2.0000009999999997]


def test_a_function_rejecting_complex_input_falls_back_quoting_its_error() -> None:
    """The TypeError's own message is quoted in the fallback's note."""
    def real_only(z: np.ndarray) -> np.ndarray:
        if np.iscomplexobj(z):
            raise TypeError("real numbers only")
        return np.sin(z)

    estimate = complex_step(real_only, np.array([0.5]))
    assert estimate.method == "central (complex step unavailable)"
    assert estimate.note == ("complex step not used: f drops the imaginary part: "
                             "it rejects complex input (real numbers only)")


def test_a_function_returning_real_values_for_complex_input_falls_back_saying_so() -> None:
    """np.abs of a complex number is real: the note names the usual culprits."""
    estimate = complex_step(np.abs, np.array([0.5]))
    assert estimate.method == "central (complex step unavailable)"
    assert estimate.note == ("complex step not used: f drops the imaginary part: "
                             "it returns real values for complex input (np.abs, .real or a cast)")


def test_a_function_that_warns_about_something_else_is_still_complex_stepped() -> None:
    """Only a ComplexWarning means the imaginary part was dropped; f's other warnings reach the caller."""
    def chatty_square(z: np.ndarray) -> np.ndarray:
        warnings.warn("evaluated", UserWarning, stacklevel=2)
        return z * z

    with pytest.warns(UserWarning, match="evaluated"):
        estimate = complex_step(chatty_square, np.array([0.5, 1.5]))
    assert (estimate.method, estimate.note) == ("complex", "")
    assert estimate.value.tolist() == [1.0, 3.0]


def test_a_custom_loss_whose_gradient_is_complex_is_refused_naming_the_loss() -> None:
    """A loss gradient cast to float would keep its real part only: the rounding budget refuses it."""
    from backprop.losses import Loss

    complex_gradient = Loss("mine", "half SSE with a complex gradient", HALF_SSE.value,
                            lambda a, y: (a - y) + 1j)
    net = NeuralNetwork([2, 1], "tanh", rng=0)
    x, y = np.array([1.0, 1.0, 2.0]), np.array([0.25])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError) as caught:
            weight_gradient_estimates(net, x, y, complex_gradient, method="central")
    assert str(caught.value) == ("the gradient of loss 'mine' returned complex values for real output; "
                                 "it must return real ones")


def test_a_loss_gives_its_output_gradient_as_real_floats() -> None:
    """An integer-valued gradient comes back as float64, unchanged in value."""
    gradient = HALF_SSE.output_gradient(np.array([3, 1]), np.array([1, 1]))
    assert gradient.dtype == np.float64
    np.testing.assert_array_equal(gradient, [2.0, 0.0])
