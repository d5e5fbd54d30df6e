"""Tests that kill the mutants of backprop/network.py and backprop/activations.py the other tests let live.

Each test names the behaviour a surviving mutant changed (`tox -e mutation`; the score and the
equivalent mutants are in docs/robustness.md).
"""

from __future__ import annotations

import numpy as np
import pytest

from backprop import Layer, NeuralNetwork, activations, get_activation, register_activation
from backprop.activations import relu_prime, sigmoid, sigmoid_prime, tanh_prime

# ---------------------------------------------------------------- activations take any real dtype


@pytest.mark.parametrize("function", [sigmoid, sigmoid_prime, tanh_prime])
def test_integer_and_boolean_inputs_are_taken_as_floats(function):
    ints = np.array([-3, 0, 2])
    np.testing.assert_array_equal(function(ints), function(ints.astype(float)))
    np.testing.assert_array_equal(function(np.array([True, False])), function(np.array([1.0, 0.0])))
    assert function(ints).dtype == np.float64


def test_relu_prime_of_integers_is_float():
    slope = relu_prime(np.array([2, -1, 0]))
    assert slope.dtype == np.float64
    np.testing.assert_array_equal(slope, [1.0, 0.0, 0.0])


# ---------------------------------------------------------------- the activation registry


@pytest.fixture
def scratch_registry():
    saved = dict(activations._REGISTRY)
    yield
    activations._REGISTRY.clear()
    activations._REGISTRY.update(saved)


def test_a_registration_keeps_its_name_and_has_no_kink_unless_told(scratch_registry):
    smooth = register_activation("softsign", np.tanh, tanh_prime)
    assert smooth.name == "softsign" and smooth.has_kink is False
    assert get_activation("softsign") is smooth
    kinked = register_activation("leaky", np.tanh, tanh_prime, has_kink=True)
    assert kinked.has_kink is True
    assert [get_activation(name).has_kink for name in ("sigmoid", "tanh", "relu")] == [False, False, True]


@pytest.mark.parametrize(("name", "function", "derivative", "message"), [
    ("", np.tanh, tanh_prime, "an activation name must be a non-empty string, not ''"),
    (3, np.tanh, tanh_prime, "an activation name must be a non-empty string, not 3"),
    ("odd", "tanh", tanh_prime, "activation 'odd' needs a callable function and a callable derivative"),
    ("odd", np.tanh, None, "activation 'odd' needs a callable function and a callable derivative"),
])
def test_a_bad_registration_says_exactly_what_is_wrong(scratch_registry, name, function, derivative, message):
    with pytest.raises(TypeError) as raised:
        register_activation(name, function, derivative)
    assert str(raised.value) == message


# ---------------------------------------------------------------- a layer before and between its calls


def test_a_new_layer_has_stored_nothing():
    layer = Layer((3, 2), 1, np.tanh, tanh_prime)
    assert layer.A is None and layer.dZ is None and layer.delta is None


def test_backward_needs_both_what_forward_stores():
    layer = Layer((3, 2), 4, np.tanh, tanh_prime, True)
    layer.forward(np.ones(3))
    layer.dZ = None
    with pytest.raises(RuntimeError) as raised:
        layer.backward(np.zeros(2), None)
    assert str(raised.value) == "layer 4: backward called before forward"


def test_a_hidden_layer_without_its_right_neighbour_says_so():
    net = NeuralNetwork([2, 2, 1], rng=0)
    net.layers[0].forward(np.ones(3))
    for right in (None, net.layers[1]):  # no neighbour, and a neighbour whose backward has not run
        with pytest.raises(RuntimeError) as raised:
            net.layers[0].backward(np.zeros((1, 1)), right)
        assert str(raised.value) == ("layer 1: a hidden layer needs the layer to its right, "
                                     "after that layer's backward")


# ---------------------------------------------------------------- fit


def _hand_step(net: NeuralNetwork, x1: np.ndarray, y: np.ndarray, lr: float) -> None:
    """One SGD step, every layer by hand: forward, backward right to left, update left to right."""
    a = x1
    for layer in net.layers:
        a = layer.forward(a)
    net.layers[-1].backward(y, None)
    for l in range(len(net.layers) - 2, -1, -1):
        net.layers[l].backward(None, net.layers[l + 1])
    a = x1
    for layer in net.layers:
        layer.update(lr, a)
        a = layer.A


@pytest.mark.parametrize("sizes", [[2, 3, 3, 1], [3, 2, 4, 3, 2]])
def test_fit_backpropagates_through_every_hidden_layer_of_a_deep_network(sizes):
    x = np.linspace(-0.5, 0.5, sizes[0])
    y = np.linspace(0.3, -0.3, sizes[-1])
    by_fit, by_hand = NeuralNetwork(sizes, rng=2), NeuralNetwork(sizes, rng=2)
    by_fit.fit(x[None, :], y[None, :], learning_rate=0.2, epochs=1)
    _hand_step(by_hand, np.concatenate(([1.0], x)), y, 0.2)
    for fitted, stepped in zip(by_fit.layers, by_hand.layers):
        np.testing.assert_allclose(fitted.weight, stepped.weight, rtol=1e-14, atol=1e-15)


def test_fit_defaults_are_the_articles_learning_rate_and_epochs():
    X, y = np.array([[0.0], [1.0]]), np.array([1.0, 0.0])
    by_default, explicit = NeuralNetwork([1, 1], rng=4), NeuralNetwork([1, 1], rng=4)
    by_default.fit(X, y)
    explicit.fit(X, y, 0.1, 10000)
    for a, b in zip(by_default.layers, explicit.layers):
        np.testing.assert_array_equal(a.weight, b.weight)
    one_more = NeuralNetwork([1, 1], rng=4)
    one_more.fit(X, y, 0.1, 10001)
    assert not np.array_equal(one_more.layers[0].weight, explicit.layers[0].weight)


def test_without_rng_fit_draws_its_samples_from_the_global_generator():
    X, y = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), np.array([1.0, 0.0, 0.5])
    start = NeuralNetwork([2, 2, 1], rng=0)
    runs = []
    for global_seed in (3, 3, 4):
        net = NeuralNetwork([2, 2, 1])
        for layer, source in zip(net.layers, start.layers):
            layer.weight[...] = source.weight
        np.random.seed(global_seed)
        net.fit(X, y, epochs=7)
        runs.append(net.layers[0].weight.copy())
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])
