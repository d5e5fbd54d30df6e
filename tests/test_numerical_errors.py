"""Bad arguments get one clear error, before any work is done."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from backprop import NeuralNetwork
from backprop.numerical import (
    Estimate,
    central_difference,
    compare,
    complex_step,
    directional_check,
    numerical_weight_gradients,
    parameter_gradient_estimates,
    preactivation_gradient_estimates,
    richardson,
    taylor_test,
    weight_gradient_estimates,
)

NET = NeuralNetwork([3, 4, 2], "tanh", rng=0)
X = np.array([1.0, 0.1, 0.2, 0.3])
Y = np.array([0.5, -0.5])


@pytest.mark.parametrize("x, y, error, words", [
    (X[1:], Y, ValueError, "leading 1"),
    (X, np.zeros(3), ValueError, "2 target value"),
    (np.array([1.0, np.nan, 0.2, 0.3]), Y, ValueError, "non-finite"),
    (X, np.array([np.inf, 0.0]), ValueError, "non-finite"),
    (X, "ab", TypeError, "real numbers"),
])
def test_bad_samples(x, y, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        numerical_weight_gradients(NET, x, y)


def test_unknown_method_and_loss() -> None:
    with pytest.raises(ValueError, match="unknown method 'forward'; use one of"):
        weight_gradient_estimates(NET, X, Y, method="forward")
    with pytest.raises(ValueError, match="unknown method"):
        parameter_gradient_estimates(lambda: 0.0, [np.zeros(2)], method="complex")
    with pytest.raises(ValueError, match="unknown loss"):
        numerical_weight_gradients(NET, X, Y, loss="hinge")


def test_not_a_network() -> None:
    with pytest.raises(TypeError, match="layers"):
        numerical_weight_gradients(object(), X, Y)


def test_network_with_nan_weights() -> None:
    net = NeuralNetwork([3, 4, 2], "tanh", rng=0)
    net.layers[1].weight[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"layers\[1\].weight holds non-finite"):
        numerical_weight_gradients(net, X, Y)


def test_structure_is_required_for_preactivation_gradients() -> None:
    net = NeuralNetwork([3, 4, 2], "tanh", rng=0)
    net.layers[0].forward = lambda x: np.tanh(np.dot(x, net.layers[0].weight)) + 1  # not f(aW)
    with pytest.raises(ValueError, match=r"layers\[0\].forward gives"):
        preactivation_gradient_estimates(net, X, Y)
    # Weight gradients fall back to the loop over forward, and say so.
    estimate = weight_gradient_estimates(net, X, Y)[0]
    assert estimate.method == "central (loop)" and "not A = f(aW)" in estimate.note


@pytest.mark.parametrize("method", [central_difference, complex_step, richardson], ids=lambda m: m.__name__)
def test_functions_of_points(method) -> None:
    with pytest.raises(ValueError, match="non-finite"):
        method(np.sin, [0.0, np.nan])
    with pytest.raises(TypeError, match="callable"):
        method("sin", [0.0])
    with pytest.raises(TypeError, match="scalar or an array shaped like x"):
        method(lambda v: np.ones(5), np.zeros(3))


def test_function_that_turns_non_finite_within_a_step() -> None:
    with pytest.raises(ValueError, match="not finite within a step"), np.errstate(invalid="ignore"):
        central_difference(np.log, np.array([0.0 + 1e-300]))


def test_parameters_must_be_live_float_arrays() -> None:
    with pytest.raises(TypeError, match="list of numpy arrays"):
        parameter_gradient_estimates(lambda: 0.0, np.zeros(3))
    with pytest.raises(TypeError, match=r"params\[0\] must hold real floats"):
        parameter_gradient_estimates(lambda: 0.0, [np.zeros(3, dtype=int)])
    with pytest.raises(TypeError, match="must return a scalar"):
        parameter_gradient_estimates(lambda: np.zeros(2), [np.zeros(3)])


def test_gradients_must_match_parameters() -> None:
    w = np.zeros(3)
    with pytest.raises(ValueError, match=r"gradients\[0\] has shape \(2,\) but params\[0\] has \(3,\)"):
        directional_check(lambda: 0.0, [w], [np.zeros(2)])
    with pytest.raises(ValueError, match="1 gradient array"):
        taylor_test(lambda: 0.0, [w, w], [np.zeros(3)])
    with pytest.raises(ValueError, match="directions must be a positive integer"):
        directional_check(lambda: 0.0, [w], [w], directions=0)


def test_compare_checks_its_arguments() -> None:
    estimate = Estimate(np.zeros(3), np.ones(3), "central")
    with pytest.raises(ValueError, match=r"shape \(2,\) but the estimate has \(3,\)"):
        compare(np.zeros(2), estimate)
    with pytest.raises(TypeError, match="must be an Estimate"):
        compare(np.zeros(3), np.zeros(3))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="safety"):
        compare(np.zeros(3), estimate, safety=-1)
    nan = compare(np.array([0.0, np.nan, 0.0]), estimate)
    assert not nan.passed and nan.worst_index == (1,)


# Each message names the argument, the offending element by index, and what it was, in a whole sentence.


def test_unknown_method_lists_the_methods_allowed() -> None:
    with pytest.raises(ValueError) as raised:
        parameter_gradient_estimates(lambda: 0.0, [np.zeros(2)], method="complex")
    assert str(raised.value) == "unknown method 'complex'; use one of auto, central, richardson"


def test_ragged_point_is_named_with_its_type() -> None:
    with pytest.raises(TypeError) as raised:
        central_difference(np.sin, [[0.0], [0.0, 1.0]])
    assert str(raised.value) == "x must be an array of numbers, not list"


@pytest.mark.parametrize("params, error, message", [
    ([[0.0]], TypeError, "params[0] must be a numpy array, not list"),
    ([np.zeros(1), 3.0], TypeError, "params[1] must be a numpy array, not float"),
    ([np.array([0.0, np.nan, np.inf])], ValueError, "params[0] holds non-finite value(s) (NaN or inf)"),
], ids=["list", "float", "nan"])
def test_parameter_messages(params, error, message) -> None:
    with pytest.raises(error) as raised:
        parameter_gradient_estimates(lambda: 0.0, params)
    assert str(raised.value) == message


def test_read_only_parameter_is_refused_by_index() -> None:
    frozen = np.zeros(2)
    frozen.flags.writeable = False
    with pytest.raises(ValueError) as raised:
        parameter_gradient_estimates(lambda: 0.0, [np.zeros(1), frozen])
    assert str(raised.value) == "params[1] is read-only, so it cannot be perturbed in place"


def test_integer_valued_function_is_differenced_without_warnings() -> None:
    # f's arithmetic is taken as float64's when f returns integers: no deprecated numpy call on the way.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        estimate = central_difference(lambda v: 3, np.array([0.5, 2.0]))
    np.testing.assert_array_equal(estimate.value, [0.0, 0.0])
