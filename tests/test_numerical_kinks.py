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


# The kink helpers themselves: probing a callable for a kink, measuring its one-sided slopes at 0,
# naming the side a stored f'(0) is on, and keeping a perturbed unit on its own piece.


def test_a_registered_activation_is_taken_at_its_word_about_its_kink(monkeypatch) -> None:
    """The registry's has_kink flag decides, even where probing the function would say otherwise."""
    from backprop import activations
    from backprop.numerical.kinks import has_kink

    def smooth(z):
        return np.tanh(z)

    def kinked(z):
        return np.maximum(z, 0.0)

    monkeypatch.setitem(activations._REGISTRY, "said-kinked", activations.Activation("said-kinked", smooth,
                                                                                    relu_prime, True))
    monkeypatch.setitem(activations._REGISTRY, "said-smooth", activations.Activation("said-smooth", kinked,
                                                                                    relu_prime, False))
    assert has_kink(smooth) is True
    assert has_kink(kinked) is False


def test_probing_for_a_kink_handles_any_callable_quietly() -> None:
    """A callable that fails on an array has no kink; a boolean step is read as zeros and ones (a jump);
    a smooth function that is not 0 at 0 has none; and the probe raises no numpy warnings."""
    import math
    import warnings

    from backprop.numerical.kinks import has_kink

    assert has_kink(math.tanh) is False  # math.tanh refuses an array of three
    assert has_kink(lambda z: z > 0) is True
    assert has_kink(np.exp) is False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert has_kink(lambda z: 1.0 / z) is False
    assert [str(w.message) for w in caught] == []


def test_one_sided_slopes_of_a_relu_lifted_off_zero_and_without_warnings() -> None:
    """f(0) = 1 does not enter the slopes; a 0/0 that the function discards raises no numpy warning."""
    import warnings

    from backprop.numerical.kinks import one_sided_slopes

    assert one_sided_slopes(lambda z: np.maximum(z, 0.0) + 1.0) == (1.0, 0.0, 1.0)
    def guarded(z):  # 0/0 at z = 0, discarded by the where
        return np.where(z == 0, 0.0, np.maximum(z, 0.0) * z / z)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert one_sided_slopes(guarded) == (0.0, 0.0, 1.0)
    assert [str(w.message) for w in caught] == []


def test_the_side_a_stored_derivative_names_is_within_a_thousandth_of_the_jump() -> None:
    """+1 for the right slope, −1 for the left, 0 for neither; the tolerance is 1e-3·|right − left|,
    inclusive, whatever the size or the signs of the slopes."""
    from backprop.numerical.kinks import SIDE_TOLERANCE, side_taken

    assert side_taken(np.array([0.5, 0.0, 1.0]), 0.0, 1.0).tolist() == [0, -1, 1]
    assert side_taken(np.array([0.1, 1.0]), 0.1, 1.0).tolist() == [-1, 1]  # leaky relu
    assert side_taken(np.array([10.005, 9.98]), 0.0, 10.0).tolist() == [1, 0]  # tolerance 0.01
    assert side_taken(np.array([1.001, -1.0025]), -1.0, 1.0).tolist() == [1, 0]  # |x|: tolerance 0.002
    assert side_taken(np.array([0.0005, 0.00001]), 0.0, 0.01).tolist() == [0, -1]  # tolerance 1e-5
    assert side_taken(np.array([SIDE_TOLERANCE]), 0.0, 1.0).tolist() == [-1]  # exactly at the tolerance
    assert side_taken(np.array([SIDE_TOLERANCE]), -1.0, 0.0).tolist() == [1]


def test_a_unit_on_its_piece_keeps_the_function_and_one_moved_onto_zero_takes_its_piece() -> None:
    """Away from 0 a unit gets f(z) itself (a curved piece stays curved); a complex step from exactly
    z = 0 is taken on the unit's own piece, not on whichever piece f gives a zero real part."""
    from backprop.numerical.kinks import Pieces

    def curved(z):
        return np.maximum(z, 0.0) + z * z

    right = Pieces(0.0, 0.0, 1.0, sides=np.array([1]), ambiguous=np.array([True]))
    assert right.apply(curved, np.array([0.5])).tolist() == [0.75]

    def leaky_left_at_zero(z):  # f(0) is on the left piece
        return np.where(z.real > 0, z, 0.1 * z)

    def leaky_right_at_zero(z):  # f(0) is on the right piece
        return np.where(z.real >= 0, z, 0.1 * z)

    step = np.array([1e-20j])
    assert right.apply(leaky_left_at_zero, step).tolist() == [1e-20j]
    left = Pieces(0.0, 0.1, 1.0, sides=np.array([-1]), ambiguous=np.array([True]))
    assert left.apply(leaky_right_at_zero, step).tolist() == [0.1 * 1e-20j]


def test_a_single_precision_derivative_is_named_by_its_double_precision_distance() -> None:
    """float32(0.001) is 0.00100000005, just past the tolerance of relu's jump: it names no side, as the
    same number in float64 would, though in float32 arithmetic it would equal the tolerance."""
    from backprop.numerical.kinks import side_taken

    assert side_taken(np.float32([0.001, 0.0, 1.0]), 0.0, 1.0).tolist() == [0, -1, 1]
