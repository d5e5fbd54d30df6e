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
