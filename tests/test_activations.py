"""Activations: derivatives against their functions, no overflow, dtypes kept, registry."""

from __future__ import annotations

import numpy as np
import pytest

from backprop import NeuralNetwork, activation_names, get_activation, register_activation
from backprop.activations import relu, relu_prime, sigmoid

Z = np.linspace(-6, 6, 241)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
def test_derivative_matches_complex_step_of_the_function(name: str) -> None:
    activation = get_activation(name)
    z = Z[np.abs(Z) > 1e-3]  # away from relu's kink
    h = 1e-30
    numerical = activation.function(z + 1j * h).imag / h
    np.testing.assert_allclose(activation.derivative(z), numerical, rtol=1e-13, atol=1e-300)


def test_sigmoid_values_and_symmetry() -> None:
    np.testing.assert_allclose(sigmoid(np.array([0.0, np.log(3.0)])), [0.5, 0.75], rtol=1e-15)
    np.testing.assert_allclose(sigmoid(Z) + sigmoid(-Z), 1.0, rtol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu"])
def test_large_inputs_neither_warn_nor_give_nan_and_keep_the_dtype(name: str, dtype: type) -> None:
    activation = get_activation(name)
    z = np.array([-1e4, -800.0, -50.0, 0.0, 50.0, 800.0, 1e4], dtype=dtype)
    with np.errstate(all="raise"):
        value, slope = activation.function(z), activation.derivative(z)
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(slope))
    assert value.dtype == dtype and slope.dtype == dtype


def test_relu_derivative_is_zero_at_and_below_the_kink() -> None:
    np.testing.assert_array_equal(relu_prime(np.array([-1.0, -1e-300, 0.0, 1e-300, 2.0])), [0, 0, 0, 1, 1])
    np.testing.assert_array_equal(relu(np.array([-2.0, 0.0, 3.0])), [0, 0, 3])


def test_relu_carries_the_imaginary_part_of_a_positive_input() -> None:
    out = relu(np.array([2.0 + 1e-20j, -2.0 + 1e-20j]))
    assert out[0].imag == 1e-20 and out[1] == 0


def test_a_registered_activation_is_usable_by_name() -> None:
    register_activation("identity", lambda z: np.asarray(z) * 1.0, lambda z: np.ones_like(z, dtype=float))
    try:
        net = NeuralNetwork([1, 1], "identity", rng=0)
        w = net.layers[0].weight
        np.testing.assert_allclose(net.predict([2.0]), [w[0, 0] + 2.0 * w[1, 0]])
        assert "identity" in activation_names()
    finally:
        from backprop import activations

        activations._REGISTRY.pop("identity")


def test_unknown_activation_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="unknown activation 'gelu'; known activations: relu, sigmoid, tanh"):
        get_activation("gelu")


@pytest.mark.parametrize(
    ("name", "function", "derivative", "error"),
    [("", np.tanh, np.tanh, TypeError), ("x", "tanh", np.tanh, TypeError), ("x", np.tanh, None, TypeError)],
)
def test_malformed_registrations_are_refused(name, function, derivative, error) -> None:
    with pytest.raises(error):
        register_activation(name, function, derivative)
