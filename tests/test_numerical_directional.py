"""Directional and Taylor-remainder checks: a handful of evaluations that still catch a wrong gradient."""

from __future__ import annotations

import numpy as np
import pytest
from test_numerical_engine import analytic_gradients, sample

from backprop import HALF_SSE, NeuralNetwork
from backprop.numerical import directional_check, network_directional_check, taylor_test
from backprop.numerical.layered import forward_loss


def setup(activation: str = "tanh", dtype: type = np.float64) -> tuple:
    net = NeuralNetwork([4, 5, 3], activation, rng=21)
    for layer in net.layers:
        layer.weight = layer.weight.astype(dtype)
    x, y = sample(net, 22)
    x, y = x.astype(dtype), y.astype(dtype)
    weights = [layer.weight for layer in net.layers]
    return net, x, y, weights, forward_loss(net.layers, x, y, HALF_SSE), analytic_gradients(net, x, y)


def spoil(grads: list[np.ndarray], relative: float = 1e-3) -> list[np.ndarray]:
    wrong = [g.copy() for g in grads]
    index = np.unravel_index(int(np.argmax(np.abs(wrong[0]))), wrong[0].shape)
    wrong[0][index] *= 1 + relative
    return wrong


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_taylor_slope_is_two_for_the_gradient_and_one_for_a_wrong_one(activation: str) -> None:
    net, x, y, weights, loss_fn, grads = setup(activation)
    right = taylor_test(loss_fn, weights, grads)
    assert right.passed and abs(right.slope - 2) < 0.2, right.message()
    wrong = taylor_test(loss_fn, weights, spoil(grads))
    assert not wrong.passed and abs(wrong.slope - 1) < 0.2, wrong.message()


def test_taylor_test_on_a_known_function() -> None:
    w = np.array([0.3, -0.7, 1.1])
    f = lambda: float(np.sum(np.exp(w) * w))
    gradient = np.exp(w) * (w + 1)
    assert taylor_test(f, [w], [gradient]).slope == pytest.approx(2, abs=0.1)
    assert taylor_test(f, [w], [gradient * 1.01]).slope == pytest.approx(1, abs=0.1)


def test_taylor_test_on_a_linear_loss_has_nothing_to_measure_and_passes() -> None:
    w = np.array([0.5, -2.0])
    result = taylor_test(lambda: float(3 * w[0] - w[1]), [w], [np.array([3.0, -1.0])])
    assert result.passed and np.isnan(result.slope) and "linear" in result.note


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_directional_check_passes_the_gradient_and_flags_a_1e3_error(dtype: type) -> None:
    net, x, y, weights, loss_fn, grads = setup(dtype=dtype)
    verdict = directional_check(loss_fn, weights, grads)
    assert verdict.passed and verdict.n_total == 8, verdict.message()
    relative = 1e-3 if dtype == np.float64 else 3e-2
    assert not directional_check(loss_fn, weights, spoil(grads, relative)).passed


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_batched_network_check_runs_forward_once_per_layer(activation: str) -> None:
    net, x, y, weights, loss_fn, grads = setup(activation)
    calls = []
    for layer in net.layers:
        original = layer.forward
        layer.forward = lambda a, original=original: calls.append(1) or original(a)
    batched = network_directional_check(net, x, y, grads, directions=6, seed=3)
    assert batched.passed and batched.n_total == 6, batched.message()
    assert len(calls) == len(net.layers)  # the structure check; the 24 perturbed losses ran as one batch
    assert directional_check(loss_fn, weights, grads, directions=6, seed=3).passed
    assert len(calls) == len(net.layers) * (1 + 4 * 6 + 1)
    assert not network_directional_check(net, x, y, spoil(grads), directions=6).passed


@pytest.mark.parametrize("check", ["taylor", "directional"])
def test_parameters_are_restored_bit_for_bit(check: str) -> None:
    net, x, y, weights, loss_fn, grads = setup(dtype=np.float32)
    before = [w.copy() for w in weights]
    if check == "taylor":
        taylor_test(loss_fn, weights, grads)
    else:
        directional_check(loss_fn, weights, grads)
    for layer, w, saved in zip(net.layers, weights, before):
        assert layer.weight is w and w.tobytes() == saved.tobytes()


@pytest.mark.parametrize("scale", [1.0, 100.0])
def test_batched_check_on_an_output_summed_from_large_terms(scale: float) -> None:
    from test_numerical_rounding import cancelling_output

    net, x, y = cancelling_output(scale)
    grads = analytic_gradients(net, x, y)
    assert network_directional_check(net, x, y, grads).passed
    assert not network_directional_check(net, x, y, spoil(grads)).passed
