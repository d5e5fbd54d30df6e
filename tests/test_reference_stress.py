"""The reference under stress: extreme inputs, any dtype, hostile arguments.

The activations must stay finite and silent (no numpy warning) for |z| up to 1e4 in float64
and float32; `fit` must never write into the caller's arrays; every documented ValueError
and TypeError of backprop/network.py must come with its exact message.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from backprop import Layer, NeuralNetwork, get_activation
from backprop.activations import relu, sigmoid, tanh, tanh_prime

ACTIVATIONS = ["sigmoid", "tanh", "relu"]
BOUNDS = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, np.inf)}
SLOPE_BOUNDS = {"sigmoid": (0.0, 0.25), "tanh": (0.0, 1.0), "relu": (0.0, 1.0)}


def _z_arrays(dtype: type) -> st.SearchStrategy[np.ndarray]:
    width = 32 if dtype is np.float32 else 64
    values = st.floats(-1e4, 1e4, allow_nan=False, width=width) | st.sampled_from(
        [0.0, -0.0, 1e4, -1e4, 88.7, -88.8, 709.8, -745.2, 20.0, -20.0, 1e-300, -1e-300])
    return hnp.arrays(dtype, hnp.array_shapes(max_dims=3, max_side=5), elements=values)


def _silently(fn, z):
    """fn(z) with every numpy floating-point event and every warning an error."""
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(z)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", ACTIVATIONS)
@given(data=st.data())
def test_activations_are_finite_silent_bounded_and_keep_dtype_and_shape(name, dtype, data):
    z = data.draw(_z_arrays(dtype))
    activation = get_activation(name)
    value = _silently(activation.function, z)
    slope = _silently(activation.derivative, z)
    rounding = 4 * np.finfo(dtype).eps  # s(1 - s) may round just above 1/4 in float32
    for out, (low, high) in ((value, BOUNDS[name]), (slope, SLOPE_BOUNDS[name])):
        assert out.dtype == dtype and out.shape == z.shape
        assert np.all(np.isfinite(out))
        assert np.all(out >= low) and np.all(out <= high * (1 + rounding))


@pytest.mark.parametrize("name", ACTIVATIONS)
@given(z=hnp.arrays(np.float64, st.integers(2, 20), elements=st.floats(-1e4, 1e4), unique=True))
def test_activations_are_monotonic(name, z):
    z = np.sort(z)
    assert np.all(np.diff(get_activation(name).function(z)) >= 0)


@given(z=st.floats(-1e4, 1e4))
def test_sigmoid_is_symmetric_and_its_slope_is_s_times_one_minus_s(z):
    s, s_minus = sigmoid(np.array(z)), sigmoid(np.array(-z))
    assert abs(s + s_minus - 1) <= 1e-15
    slope = get_activation("sigmoid").derivative(np.array(z))
    assert slope == pytest.approx(s * s_minus, rel=1e-12, abs=1e-300)


@given(z=st.floats(-30, 30))
def test_sigmoid_matches_the_textbook_formula_where_that_formula_is_safe(z):
    assert float(sigmoid(np.array(z))) == pytest.approx(1 / (1 + np.exp(-z)), rel=1e-14)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@given(z=st.floats(-1e4, 1e4, width=32))
def test_relu_and_tanh_agree_with_their_definitions(dtype, z):
    array = np.array(z, dtype=dtype)
    eps = float(np.finfo(dtype).eps)  # np.tanh may differ by an ulp between numpy's code paths
    assert relu(array) == max(array, 0)
    assert tanh(array) == pytest.approx(np.tanh(float(z)), rel=4 * eps, abs=4 * eps)
    assert tanh_prime(array) == pytest.approx(1 - np.tanh(float(z)) ** 2, abs=8 * eps)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_large_weights_and_inputs_give_a_finite_silent_forward_and_backward_pass(dtype):
    rng = np.random.default_rng(0)
    for name in ACTIVATIONS:
        net = NeuralNetwork([3, 4, 2], name, rng=1)
        for layer in net.layers:
            layer.weight = (layer.weight * 1e3).astype(dtype)
        x = np.concatenate([[1.0], rng.normal(size=3) * 1e3]).astype(dtype)
        with np.errstate(all="raise"), warnings.catch_warnings():
            warnings.simplefilter("error")
            a = x
            for layer in net.layers:
                a = layer.forward(a)
            delta = net.layers[-1].backward(np.zeros(2, dtype=dtype), None)
            delta = net.layers[0].backward(delta, net.layers[1])
        assert np.all(np.isfinite(a)) and np.all(np.isfinite(delta))


# ---------------------------------------------------------------- fit leaves the caller's data alone


_SAMPLE_VALUES = st.floats(-5, 5, allow_nan=False, width=32)


@st.composite
def _training_sets(draw):
    n_in = draw(st.integers(1, 3))
    n_out = draw(st.integers(1, 2))
    rows = draw(st.integers(1, 4))
    dtype = draw(st.sampled_from([np.float64, np.float32, np.int64]))
    elements = st.integers(-3, 3) if dtype is np.int64 else _SAMPLE_VALUES
    X = draw(hnp.arrays(dtype, (rows, n_in), elements=elements))
    y_shape = (rows,) if n_out == 1 and draw(st.booleans()) else (rows, n_out)
    y = draw(hnp.arrays(dtype, y_shape, elements=elements))
    if draw(st.booleans()):  # a non-contiguous view of a larger array
        X = np.repeat(X, 2, axis=1)[:, ::2]
    return n_in, n_out, X, y


@given(data=_training_sets(), activation=st.sampled_from(ACTIVATIONS), as_lists=st.booleans())
def test_fit_never_writes_into_the_callers_arrays(data, activation, as_lists):
    n_in, n_out, X, y = data
    X_before, y_before = X.copy(), y.copy()
    X.setflags(write=False)  # any in-place write would raise
    y.setflags(write=False)
    net = NeuralNetwork([n_in, 2, n_out], activation, rng=0)
    net.fit(X.tolist() if as_lists else X, y.tolist() if as_lists else y, learning_rate=0.05, epochs=5)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)
    assert X.dtype == X_before.dtype and y.dtype == y_before.dtype
    assert all(np.all(np.isfinite(layer.weight)) for layer in net.layers)


@given(data=_training_sets())
def test_predict_never_writes_into_its_input_and_gives_one_row_per_sample(data):
    n_in, n_out, X, _ = data
    before = X.copy()
    X.setflags(write=False)
    net = NeuralNetwork([n_in, 3, n_out], rng=0)
    out = net.predict(X)
    np.testing.assert_array_equal(X, before)
    assert out.shape == (X.shape[0], n_out)
    assert net.predict(X[0]).shape == (n_out,)
    np.testing.assert_allclose(net.predict(X[0]), out[0], rtol=1e-12)


def test_fit_keeps_the_weights_in_float64_whatever_the_input_dtype():
    net = NeuralNetwork([2, 2, 1], rng=0)
    net.fit(np.array([[1, 0]], dtype=np.int8), np.array([1], dtype=np.int8), epochs=3)
    assert all(layer.weight.dtype == np.float64 for layer in net.layers)


def test_integer_training_data_is_not_rounded():
    """Integer inputs are converted to floats, not used as integers (0.9 of an update must not vanish)."""
    by_ints, by_floats = NeuralNetwork([1, 1], rng=0), NeuralNetwork([1, 1], rng=0)
    by_ints.fit(np.array([[1]]), np.array([1]), learning_rate=0.3, epochs=1)
    by_floats.fit(np.array([[1.0]]), np.array([1.0]), learning_rate=0.3, epochs=1)
    np.testing.assert_array_equal(by_ints.layers[0].weight, by_floats.layers[0].weight)


# ---------------------------------------------------------------- every documented error, word for word


_X = np.array([[0.0, 1.0], [1.0, 0.0]])
_Y = np.array([1.0, 0.0])


def _fit(**overrides):
    arguments = {"X": _X, "y": _Y, "learning_rate": 0.1, "epochs": 1} | overrides
    return lambda: NeuralNetwork([2, 2, 1], rng=0).fit(**arguments)


ERRORS = [
    # (call, exception, the exact message)
    (lambda: NeuralNetwork([2, 1], rng="seed"), TypeError,
     "rng must be a numpy Generator, an int seed or None, not str"),
    (lambda: NeuralNetwork([2, 1], rng=True), TypeError,
     "rng must be a numpy Generator, an int seed or None, not bool"),
    (lambda: NeuralNetwork([2, 1], rng=1.5), TypeError,
     "rng must be a numpy Generator, an int seed or None, not float"),
    (lambda: NeuralNetwork("221"), TypeError,
     "layersDim must be a list of layer sizes such as [2, 2, 1], not '221'"),
    (lambda: NeuralNetwork(b"\x02\x01"), TypeError,
     "layersDim must be a list of layer sizes such as [2, 2, 1], not b'\\x02\\x01'"),
    (lambda: NeuralNetwork(3), TypeError, "layersDim must be a list of layer sizes such as [2, 2, 1], not 3"),
    (lambda: NeuralNetwork([2]), ValueError,
     "layersDim needs at least two sizes (inputs and outputs), got [2]"),
    (lambda: NeuralNetwork([2, -1, 1]), ValueError,
     "every layer size must be a positive integer; -1 in [2, -1, 1] is not"),
    (lambda: NeuralNetwork([2, 1, 0]), ValueError,
     "every layer size must be a positive integer; 0 in [2, 1, 0] is not"),
    (lambda: NeuralNetwork([2, 1.0]), ValueError,
     "every layer size must be a positive integer; 1.0 in [2, 1.0] is not"),
    (lambda: NeuralNetwork([2, 1], "gelu"), ValueError,
     "unknown activation 'gelu'; known activations: relu, sigmoid, tanh"),
    (lambda: Layer((3,), 1, tanh, tanh_prime), ValueError,
     "dim must be two positive integers (rows, columns), not (3,)"),
    (lambda: Layer((3, 0), 1, tanh, tanh_prime), ValueError,
     "dim must be two positive integers (rows, columns), not (3, 0)"),
    (lambda: Layer("ab", 1, tanh, tanh_prime), ValueError,
     "dim must be two positive integers (rows, columns), not 'ab'"),
    (lambda: Layer((3, 2), 1, tanh, None), TypeError,
     "act and act_prime must be callables (an activation and its derivative)"),
    (lambda: Layer((3, 2), 1, None, tanh_prime), TypeError,
     "act and act_prime must be callables (an activation and its derivative)"),
    (lambda: NeuralNetwork([2, 1], rng=0).predict([1.0]), ValueError,
     "x must have 2 values per sample, got shape (1,)"),
    (lambda: NeuralNetwork([2, 1], rng=0).predict(np.ones((1, 1, 2))), ValueError,
     "x must have 2 values per sample, got shape (1, 1, 2)"),
    (lambda: NeuralNetwork([2, 1], rng=0).predict(2.0), ValueError,
     "x must have 2 values per sample, got shape ()"),
    (lambda: NeuralNetwork([2, 1], rng=0).predict([np.inf, np.nan]), ValueError,
     "x holds 2 non-finite value(s) (NaN or inf)"),
    (lambda: NeuralNetwork([2, 1], rng=0).predict({"a": 1}), TypeError,
     "x must be an array of numbers, not dict"),
    (_fit(X=[["a", "b"]]), TypeError, "X must be an array of numbers, not list"),
    (_fit(y=[object(), 1.0]), TypeError, "y must be an array of numbers, not list"),
    (_fit(X=np.array([[np.nan, 1.0], [1.0, np.inf]])), ValueError,
     "X holds 2 non-finite value(s) (NaN or inf)"),
    (_fit(y=np.array([-np.inf, 0.0])), ValueError, "y holds 1 non-finite value(s) (NaN or inf)"),
    (_fit(X=_X[0]), ValueError, "X must be 2-D with 2 columns (one sample a row), got shape (2,)"),
    (_fit(X=_X[:, :1]), ValueError, "X must be 2-D with 2 columns (one sample a row), got shape (2, 1)"),
    (_fit(X=_X[:0], y=_Y[:0]), ValueError, "X holds no samples"),
    (_fit(y=_Y[:1]), ValueError, "X has 2 rows but y has 1"),
    (_fit(y=np.array(1.0)), ValueError, "X has 2 rows but y has 0"),
    (_fit(y=np.ones((2, 2))), ValueError, "y must have 1 value(s) per sample, got shape (2, 2)"),
    (_fit(y=np.ones((2, 1, 1))), ValueError, "y must have 1 value(s) per sample, got shape (2, 1, 1)"),
    (_fit(learning_rate=0), ValueError, "learning_rate must be a positive finite number, not 0"),
    (_fit(learning_rate=-1.0), ValueError, "learning_rate must be a positive finite number, not -1.0"),
    (_fit(learning_rate=float("inf")), ValueError, "learning_rate must be a positive finite number, not inf"),
    (_fit(learning_rate=True), ValueError, "learning_rate must be a positive finite number, not True"),
    (_fit(learning_rate="0.1"), ValueError, "learning_rate must be a positive finite number, not '0.1'"),
    (_fit(epochs=-1), ValueError, "epochs must be a non-negative integer, not -1"),
    (_fit(epochs=1.0), ValueError, "epochs must be a non-negative integer, not 1.0"),
    (_fit(epochs=True), ValueError, "epochs must be a non-negative integer, not True"),
]


@pytest.mark.parametrize(("call", "error", "message"), ERRORS, ids=[e[2][:40] for e in ERRORS])
def test_every_documented_error_has_its_exact_message(call, error, message):
    with pytest.raises(error) as raised:
        call()
    assert type(raised.value) is error
    assert str(raised.value) == message


def test_two_outputs_accept_targets_with_one_row_each():
    NeuralNetwork([2, 2], rng=0).fit(_X, np.ones((2, 2)), epochs=1)
    with pytest.raises(ValueError, match=r"^y must have 2 value\(s\) per sample, got shape \(2,\)$"):
        NeuralNetwork([2, 2], rng=0).fit(_X, _Y, epochs=1)


def test_a_failed_fit_changes_no_weight_even_when_only_the_epochs_are_wrong():
    net = NeuralNetwork([2, 2, 1], rng=0)
    before = [layer.weight.copy() for layer in net.layers]
    with pytest.raises(ValueError):
        net.fit(_X, _Y, learning_rate=0.1, epochs=-5)
    for layer, weight in zip(net.layers, before):
        np.testing.assert_array_equal(layer.weight, weight)


def test_zero_epochs_is_allowed_and_changes_nothing():
    net = NeuralNetwork([2, 2, 1], rng=0)
    before = [layer.weight.copy() for layer in net.layers]
    net.fit(_X, _Y, epochs=0)
    for layer, weight in zip(net.layers, before):
        np.testing.assert_array_equal(layer.weight, weight)


@pytest.mark.parametrize("seed", [0, np.int64(3), np.random.default_rng(3), None])
def test_every_accepted_kind_of_rng_builds_a_network(seed):
    assert NeuralNetwork([2, 1], rng=seed).layers[0].weight.shape == (3, 1)


def test_numpy_integer_sizes_are_accepted_and_stored_as_ints():
    net = NeuralNetwork(np.array([2, 3, 1]), rng=0)
    assert [layer.weight.shape for layer in net.layers] == [(3, 4), (4, 1)]
    assert net.n_inputs == 2 and net.n_outputs == 1
