"""Random networks of every kind, every method: correct gradients never fail.

Dyadic weights and inputs (multiples of 1/4) put pre-activations exactly on relu's kink
now and then; small weights put them within a step of it.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_numerical_engine import analytic_gradients

from backprop import NeuralNetwork
from backprop.numerical import compare, weight_gradient_estimates

SHAPES = ([2, 3, 1], [3, 4, 2], [2, 3, 3, 2], [5, 8, 3])
ACTIVATIONS = ("tanh", "sigmoid", "relu")
METHODS = ("auto", "loop", "richardson", "complex")


def random_case(trial: int, rng: np.random.Generator) -> tuple[NeuralNetwork, np.ndarray, np.ndarray, str]:
    layers = SHAPES[trial % 4]
    activation = ACTIVATIONS[trial % 3]
    dtype = (np.float64, np.float32)[(trial // 3) % 2]
    method = METHODS[(trial // 6) % 4]
    net = NeuralNetwork(layers, activation, rng=trial)
    scale = rng.choice([0.1, 1.0, 3.0])
    for layer in net.layers:
        weight = rng.uniform(-scale, scale, layer.weight.shape)
        layer.weight = (np.round(weight * 4) / 4 if rng.random() < 0.2 else weight).astype(dtype)
    inputs = rng.uniform(-1, 1, layers[0])
    inputs = np.round(inputs * 4) / 4 if rng.random() < 0.3 else inputs
    x = np.concatenate([[1.0], inputs]).astype(dtype)
    y = rng.uniform(0 if activation == "sigmoid" else -1, 1, layers[-1]).astype(dtype)
    return net, x, y, method


def no_false_alarm(trials: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for trial in range(trials):
        net, x, y, method = random_case(trial, rng)
        estimates = weight_gradient_estimates(net, x, y, method=method)
        for g, estimate in zip(analytic_gradients(net, x, y), estimates):
            verdict = compare(g, estimate)
            assert verdict.passed, f"trial {trial}, {method}:\n{verdict.message()}"


def test_no_false_alarm_on_random_networks() -> None:
    no_false_alarm(96, seed=123)


@pytest.mark.slow
def test_no_false_alarm_on_many_random_networks() -> None:
    no_false_alarm(2000, seed=123)


def planted_errors_flagged(trials: int, seed: int) -> tuple[int, int]:
    """A 1e-3 relative error on the largest gradient element of random networks (float64 and
    float32, order-one weights), judged by the default engine: (flagged, judged)."""
    rng = np.random.default_rng(seed)
    flagged = judged = 0
    for trial in range(trials):
        layers, activation = SHAPES[trial % 4], ACTIVATIONS[trial % 3]
        dtype = (np.float64, np.float32)[(trial // 3) % 2]
        net = NeuralNetwork(layers, activation, rng=trial)
        for layer in net.layers:
            layer.weight = rng.uniform(-1.5, 1.5, layer.weight.shape).astype(dtype)
        x = np.concatenate([[1.0], rng.uniform(-1, 1, layers[0])]).astype(dtype)
        y = rng.uniform(-1, 1, layers[-1]).astype(dtype)
        grads = analytic_gradients(net, x, y)
        estimates = weight_gradient_estimates(net, x, y)
        layer = int(np.argmax([np.abs(g).max() for g in grads]))
        index = np.unravel_index(int(np.argmax(np.abs(grads[layer]))), grads[layer].shape)
        if abs(grads[layer][index]) < 0.05 or estimates[layer].kink_mask[index]:
            continue
        wrong = grads[layer].copy()
        wrong[index] *= 1 + 1e-3
        judged += 1
        flagged += not compare(wrong, estimates[layer]).passed
    return flagged, judged


def test_a_planted_1e3_error_is_always_flagged() -> None:
    flagged, judged = planted_errors_flagged(120, seed=7)
    assert judged > 80 and flagged == judged


@pytest.mark.slow
def test_a_planted_1e3_error_is_always_flagged_on_many_networks() -> None:
    flagged, judged = planted_errors_flagged(1000, seed=7)
    assert judged > 700 and flagged == judged
