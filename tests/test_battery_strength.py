"""What the battery's own constants protect: the activation-derivative check's fixed probe points and the
share of a check's time kept for reporting.  Each test is written against the mistake the constant is
there to catch, on cases where nothing else would catch it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from backprop.activations import tanh_prime
from backprop.battery.cases import make_case
from backprop.battery.profile import as_profile
from backprop.battery.runner import evaluate, run_in_worker
from backprop.battery.space import Space
from backprop.losses import get_loss
from backprop.network import Layer, NeuralNetwork
from backprop.subject.client import Subject

HALF_SSE = get_loss("half_sse")
SMALL = make_case((2, 3, 1), "tanh", 0.1, 0.1, 11, HALF_SSE)
"""Weights and inputs below 0.1: every pre-activation of the case itself lies well inside (−1, 1)."""


def with_derivative(prime: Callable[[np.ndarray], np.ndarray]) -> Callable[..., Any]:
    """A factory of reference networks whose activation_prime is `prime` (everything else right)."""

    def make(layers: Any, activation: str) -> NeuralNetwork:
        net = NeuralNetwork(layers, activation)
        for layer in net.layers:
            layer.activation_prime = prime
        return net

    return make


# derivatives wrong only away from 0, where a small case's own z never go: only the fixed points reach them
WRONG_AWAY_FROM_ZERO = {
    "z > 2 (tanh' at min(z, 2))": lambda z: tanh_prime(np.minimum(z, 2.0)),
    "z < −2 (tanh' at max(z, −2))": lambda z: tanh_prime(np.maximum(z, -2.0)),
    "|z| > 4 (a saturated unit's tanh' taken as 0)": lambda z: np.where(np.abs(z) > 4, 0.0, tanh_prime(z)),
}


def test_the_small_case_never_reaches_where_those_derivatives_are_wrong() -> None:
    """Otherwise the case's own z, not the fixed probe points, would be what catches them."""
    net = NeuralNetwork(SMALL.layers, "tanh")
    weights = SMALL.random_weights([layer.weight.shape for layer in net.layers])
    a = np.concatenate(([1.0], SMALL.x))
    for layer, w in zip(net.layers, weights, strict=True):
        z = a @ w
        assert np.all(np.abs(z) < 0.5), z
        a = layer.activation(z)


@pytest.mark.parametrize("where", sorted(WRONG_AWAY_FROM_ZERO))
def test_a_derivative_wrong_only_far_from_zero_fails(where: str) -> None:
    evidence = evaluate("activation-derivative", with_derivative(WRONG_AWAY_FROM_ZERO[where]), SMALL,
                        HALF_SSE, "layer-level")
    assert evidence.status == "failed", (where, evidence.summary)
    worst = float(evidence.details.rsplit("at z = ", 1)[1].split()[0])
    assert abs(worst) > 2, evidence.details  # caught at a fixed point, not at one of the case's z


def test_a_right_derivative_written_differently_passes_at_every_probe_point() -> None:
    evidence = evaluate("activation-derivative", with_derivative(lambda z: 1 / np.cosh(z) ** 2), SMALL,
                        HALF_SSE, "layer-level")
    assert evidence.status == "passed", evidence.details


# ------------------------------------------------------------------ the time kept for reporting

SLEEP = 0.1
"""Each layer's forward in the slow implementation: enough that shrinking a deep failing case (6 s unhurried)
outlasts the search's share of the time limit, little enough that the smallest case is re-run within the
share kept back (about 0.3 s of its 1 s)."""


class SlowDeepLayer(Layer):
    """forward sleeps, and from the network's third layer on stores dZ = f'(A) instead of f'(z)."""

    def forward(self, x):  # type: ignore[no-untyped-def]
        time.sleep(SLEEP)
        z = np.dot(x, self.weight)
        self.A = self.activation(z)
        self.dZ = self.activation_prime(self.A if self.number >= 2 else z)
        return self.A


def slow_deep_mistake(layers: Any, activation: str) -> NeuralNetwork:
    net = NeuralNetwork(layers, activation)
    for number, layer in enumerate(net.layers):
        layer.__class__ = SlowDeepLayer
        layer.number = number
    return net


def test_a_slow_wrong_implementation_gets_its_failure_reported_not_a_timeout() -> None:
    """The failure needs two hidden layers, so the search first looks for such a case, then shrinks it one
    slow case at a time until the search's share of the limit is spent; the share kept back re-runs the
    smallest failing case and reports it, instead of the worker being killed mid-search."""
    timeout = 4.0
    subject = Subject.start(slow_deep_mistake, timeout)
    try:
        found = run_in_worker(subject, "dz-is-fprime-of-z", as_profile("layer-level"), HALF_SSE, 0, 200,
                              None, timeout, Space(activations=("tanh",)))
    finally:
        subject.close()
    assert found.status == "failed", (found.status, found.summary)
    assert "shrinking stopped at the time limit" in found.details, found.details
    assert found.findings and found.findings[0].kind == "fprime-of-output", found.findings
    assert found.minimal_case and len(found.minimal_case["layers"]) >= 4, found.minimal_case  # 2+ hidden
