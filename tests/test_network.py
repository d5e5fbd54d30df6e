"""The reference network against values worked out by hand, and its documented errors.

The hand computations use plain Python loops over scalars and `math`, so they share no
code (and no numpy broadcasting) with the implementation they check.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from backprop import Layer, NeuralNetwork
from backprop.activations import sigmoid, sigmoid_prime, tanh, tanh_prime

# A 2-2-1 network: the hidden weight is (2+1, 2+1), the output weight (2+1, 1).
W1 = [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6], [-0.7, 0.8, 0.9]]
W2 = [[0.2], [-0.3], [0.5]]
X_RAW = [0.5, -1.0]
X = [1.0] + X_RAW  # the leading 1 the network prepends
Y = 1.0
LR = 0.1


def _two_two_one(activation: str = "tanh") -> NeuralNetwork:
    net = NeuralNetwork([2, 2, 1], activation, rng=0)
    net.layers[0].weight[...] = W1
    net.layers[1].weight[...] = W2
    return net


def _by_hand() -> dict[str, list]:
    z1 = [sum(X[i] * W1[i][j] for i in range(3)) for j in range(3)]
    a1 = [math.tanh(z) for z in z1]
    z2 = sum(a1[i] * W2[i][0] for i in range(3))
    a2 = math.tanh(z2)
    delta2 = (a2 - Y) * (1 - math.tanh(z2) ** 2)
    delta1 = [delta2 * W2[j][0] * (1 - math.tanh(z1[j]) ** 2) for j in range(3)]
    new_w2 = [[W2[i][0] - LR * a1[i] * delta2] for i in range(3)]
    new_w1 = [[W1[i][j] - LR * X[i] * delta1[j] for j in range(3)] for i in range(3)]
    return {"z1": z1, "a1": a1, "a2": [a2], "delta2": [delta2], "delta1": delta1,
            "new_w1": new_w1, "new_w2": new_w2}


def _step(net: NeuralNetwork, x: np.ndarray, y: np.ndarray | float, lr: float) -> None:
    """Forward, backward right to left, then update left to right, as the article's fit does."""
    a = x
    for layer in net.layers:
        a = layer.forward(a)
    delta = net.layers[-1].backward(y, None)
    for l in range(len(net.layers) - 2, -1, -1):
        delta = net.layers[l].backward(delta, net.layers[l + 1])
    a = x
    for layer in net.layers:
        layer.update(lr, a)
        a = layer.A


def test_forward_stores_activation_and_derivative_at_z() -> None:
    net, hand = _two_two_one(), _by_hand()
    out = net.layers[1].forward(net.layers[0].forward(np.array(X)))
    np.testing.assert_allclose(net.layers[0].A, hand["a1"], rtol=1e-13)
    np.testing.assert_allclose(net.layers[0].dZ, [1 - math.tanh(z) ** 2 for z in hand["z1"]], rtol=1e-13)
    np.testing.assert_allclose(out, hand["a2"], rtol=1e-13)
    assert out is net.layers[1].A


def test_backward_gives_output_and_hidden_deltas() -> None:
    net, hand = _two_two_one(), _by_hand()
    net.layers[1].forward(net.layers[0].forward(np.array(X)))
    delta2 = net.layers[1].backward(Y, None)
    delta1 = net.layers[0].backward(delta2, net.layers[1])
    np.testing.assert_allclose(delta2, [hand["delta2"]], rtol=1e-14)
    np.testing.assert_allclose(delta1, [hand["delta1"]], rtol=1e-14)
    assert delta1.shape == (1, 3) and net.layers[0].delta is delta1


def test_update_moves_weights_by_learning_rate_times_a_transpose_delta() -> None:
    net, hand = _two_two_one(), _by_hand()
    _step(net, np.array(X), Y, LR)
    np.testing.assert_allclose(net.layers[0].weight, hand["new_w1"], rtol=1e-14)
    np.testing.assert_allclose(net.layers[1].weight, hand["new_w2"], rtol=1e-14)


def test_fit_on_one_sample_for_one_epoch_is_one_hand_step() -> None:
    net, hand = _two_two_one(), _by_hand()
    net.fit(np.array([X_RAW]), np.array([Y]), learning_rate=LR, epochs=1)
    np.testing.assert_allclose(net.layers[0].weight, hand["new_w1"], rtol=1e-14)
    np.testing.assert_allclose(net.layers[1].weight, hand["new_w2"], rtol=1e-14)


def test_dz_is_the_derivative_at_z_not_at_a() -> None:
    net = _two_two_one("sigmoid")
    z = np.array(X) @ np.array(W1)
    net.layers[0].forward(np.array(X))
    np.testing.assert_allclose(net.layers[0].dZ, sigmoid(z) * (1 - sigmoid(z)), rtol=1e-13)
    assert not np.allclose(net.layers[0].dZ, sigmoid_prime(net.layers[0].A))


def test_batch_update_is_the_sum_of_the_per_sample_updates() -> None:
    rng = np.random.default_rng(7)
    batch = np.hstack([np.ones((5, 1)), rng.normal(size=(5, 3))])
    targets = rng.normal(size=(5, 2))
    reference = NeuralNetwork([3, 4, 2], "tanh", rng=1)
    start = [layer.weight.copy() for layer in reference.layers]
    summed = [np.zeros_like(w) for w in start]
    for x, y in zip(batch, targets):
        net = NeuralNetwork([3, 4, 2], "tanh", rng=1)
        _step(net, x, y, LR)
        summed = [s + (layer.weight - w0) for s, layer, w0 in zip(summed, net.layers, start)]
    batched = NeuralNetwork([3, 4, 2], "tanh", rng=1)
    _step(batched, batch, targets, LR)
    for layer, w0, change in zip(batched.layers, start, summed):
        np.testing.assert_allclose(layer.weight - w0, change, rtol=1e-12, atol=1e-15)


def test_predict_prepends_the_leading_one_and_takes_a_batch() -> None:
    net, hand = _two_two_one(), _by_hand()
    np.testing.assert_allclose(net.predict(X_RAW), hand["a2"], rtol=1e-13)
    batch = net.predict(np.array([X_RAW, X_RAW]))
    assert batch.shape == (2, 1)
    np.testing.assert_allclose(batch[:, 0], hand["a2"] * 2, rtol=1e-13)


@pytest.mark.parametrize(
    ("sizes", "shapes"),
    [([2, 1], [(3, 1)]), ([2, 2, 1], [(3, 3), (3, 1)]), ([3, 4, 5, 2], [(4, 5), (5, 6), (6, 2)])],
)
def test_weight_shapes_follow_the_article(sizes: list[int], shapes: list[tuple[int, int]]) -> None:
    net = NeuralNetwork(sizes, rng=0)
    assert [layer.weight.shape for layer in net.layers] == shapes
    assert [layer.isoutputLayer for layer in net.layers] == [False] * (len(shapes) - 1) + [True]
    assert [layer.id for layer in net.layers] == list(range(1, len(sizes)))


def test_network_without_hidden_layer_trains() -> None:
    net = NeuralNetwork([2, 1], "sigmoid", rng=0)
    before = net.layers[0].weight.copy()
    net.fit(np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([1.0, 0.0]), learning_rate=0.5, epochs=50)
    assert not np.array_equal(before, net.layers[0].weight)


def test_weights_are_uniform_in_minus_one_one() -> None:
    weight = NeuralNetwork([30, 40, 1], rng=3).layers[0].weight
    assert weight.min() >= -1 and weight.max() < 1
    assert weight.min() < -0.95 and weight.max() > 0.95  # the whole interval is used
    assert abs(weight.mean()) < 0.05


def test_seed_makes_runs_reproducible_and_the_global_generator_stays_the_default() -> None:
    X_, y_ = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]), np.array([0, 1, 1, 0])
    runs = []
    for _ in range(2):
        net = NeuralNetwork([2, 3, 1], rng=np.random.default_rng(5))
        net.fit(X_, y_, epochs=200)
        runs.append(net.layers[0].weight)
    np.testing.assert_array_equal(runs[0], runs[1])
    np.random.seed(11)
    first = NeuralNetwork([2, 3, 1]).layers[0].weight
    np.random.seed(11)
    np.testing.assert_array_equal(first, NeuralNetwork([2, 3, 1]).layers[0].weight)


def test_fit_leaves_the_callers_arrays_untouched() -> None:
    X_ = np.array([[0.0, 1.0], [1.0, 0.0]])
    y_ = np.array([[1.0], [0.0]])
    X_copy, y_copy = X_.copy(), y_.copy()
    NeuralNetwork([2, 2, 1], rng=0).fit(X_, y_, epochs=20)
    np.testing.assert_array_equal(X_, X_copy)
    np.testing.assert_array_equal(y_, y_copy)


def test_several_outputs_train_with_two_dimensional_targets() -> None:
    net = NeuralNetwork([2, 3, 2], rng=0)
    net.fit(np.array([[0.0, 1.0]]), np.array([[0.5, -0.5]]), learning_rate=0.1, epochs=300)
    np.testing.assert_allclose(net.predict([0.0, 1.0]), [0.5, -0.5], atol=0.05)


def test_layer_used_out_of_order_says_so() -> None:
    layer = Layer((3, 2), 1, tanh, tanh_prime, True)
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.zeros(2), None)
    with pytest.raises(RuntimeError, match="before backward"):
        layer.update(0.1, np.ones(3))


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: NeuralNetwork([2, 2, 1], "softplus"), ValueError, "unknown activation 'softplus'"),
        (lambda: NeuralNetwork([2], "tanh"), ValueError, "at least two sizes"),
        (lambda: NeuralNetwork([], "tanh"), ValueError, "at least two sizes"),
        (lambda: NeuralNetwork([2, 0, 1]), ValueError, "positive integer; 0"),
        (lambda: NeuralNetwork([2, 2.5, 1]), ValueError, "positive integer; 2.5"),
        (lambda: NeuralNetwork([2, True, 1]), ValueError, "positive integer; True"),
        (lambda: NeuralNetwork("221"), TypeError, "list of layer sizes"),
        (lambda: NeuralNetwork(3), TypeError, "list of layer sizes"),
        (lambda: NeuralNetwork([2, 1], rng="seed"), TypeError, "rng must be"),
        (lambda: Layer((3, -1), 1, tanh, tanh_prime), ValueError, "two positive integers"),
        (lambda: Layer((3, 2), 1, "tanh", tanh_prime), TypeError, "callables"),
    ],
)
def test_malformed_networks_are_refused(make, error, message) -> None:
    with pytest.raises(error, match=message):
        make()


_XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
_XOR_Y = np.array([0, 1, 1, 0], dtype=float)


@pytest.mark.parametrize(
    ("X_", "y_", "kwargs", "error", "message"),
    [
        (_XOR_X, _XOR_Y[:3], {}, ValueError, "4 rows but y has 3"),
        (_XOR_X[:, :1], _XOR_Y, {}, ValueError, "2 columns"),
        (_XOR_X[0], _XOR_Y, {}, ValueError, "must be 2-D"),
        (_XOR_X, np.ones((4, 2)), {}, ValueError, "1 value"),
        (np.where(_XOR_X == 1, np.nan, 0), _XOR_Y, {}, ValueError, "non-finite"),
        (_XOR_X, np.array([0, np.inf, 1, 0]), {}, ValueError, "non-finite"),
        (_XOR_X[:0], _XOR_Y[:0], {}, ValueError, "no samples"),
        ([["a", "b"]], [0], {}, TypeError, "array of numbers"),
        (_XOR_X, _XOR_Y, {"learning_rate": 0}, ValueError, "learning_rate"),
        (_XOR_X, _XOR_Y, {"learning_rate": -0.1}, ValueError, "learning_rate"),
        (_XOR_X, _XOR_Y, {"learning_rate": float("nan")}, ValueError, "learning_rate"),
        (_XOR_X, _XOR_Y, {"epochs": -1}, ValueError, "epochs"),
        (_XOR_X, _XOR_Y, {"epochs": 2.5}, ValueError, "epochs"),
    ],
)
def test_bad_training_data_is_refused(X_, y_, kwargs, error, message) -> None:
    net = NeuralNetwork([2, 2, 1], rng=0)
    before = [layer.weight.copy() for layer in net.layers]
    with pytest.raises(error, match=message):
        net.fit(X_, y_, **kwargs)
    for layer, weight in zip(net.layers, before):
        np.testing.assert_array_equal(layer.weight, weight)


@pytest.mark.parametrize("x", [[1.0], [1.0, 2.0, 3.0], [[1.0, np.nan]]])
def test_bad_prediction_input_is_refused(x) -> None:
    with pytest.raises(ValueError, match="values per sample|non-finite"):
        NeuralNetwork([2, 2, 1], rng=0).predict(x)
