"""Rounding follows the size of the terms, not of the result: cancellation must not raise false alarms."""

from __future__ import annotations

import numpy as np
import pytest
from test_numerical_engine import analytic_gradients

from backprop import NeuralNetwork
from backprop.numerical import compare, weight_gradient_estimates


def cancelling_output(scale: float) -> tuple[NeuralNetwork, np.ndarray, np.ndarray]:
    """relu layers whose output pre-activation is about 0.2, summed from terms of about 12·scale."""
    net = NeuralNetwork([2, 4, 1], "relu", rng=0)
    x = np.array([1.0, 0.5, 0.5])
    net.layers[0].weight[...] = np.array([[4.0, 4.2, 3.9, 4.1, 3.7],
                                          [0.3, 0.1, 0.2, 0.4, 0.3],
                                          [0.1, 0.3, 0.2, 0.1, 0.5]]) * scale
    net.layers[1].weight[:, 0] = [3.0, -2.9, 0.1, -2.0, 2.11]
    return net, x, np.array([0.5])


@pytest.mark.parametrize("scale", [1.0, 10.0, 100.0])
def test_an_output_summed_from_large_terms_raises_no_false_alarm(scale: float) -> None:
    net, x, y = cancelling_output(scale)
    grads = analytic_gradients(net, x, y)
    assert abs(net.layers[1].A[0]) < 0.05 * scale * 12  # the output is a small sum of large terms
    for method in ("auto", "richardson"):
        for g, e in zip(grads, weight_gradient_estimates(net, x, y, method=method)):
            verdict = compare(g, e)
            assert verdict.passed, verdict.message()
    wrong = grads[1].copy()
    wrong[1, 0] *= 1 + 1e-3
    assert not compare(wrong, weight_gradient_estimates(net, x, y)[1]).passed


def test_float32_residual_that_cancels_is_allowed_float32_rounding_only() -> None:
    """Output within 1e-4 of its target: float32 backprop loses digits there, float64 must not."""
    net = NeuralNetwork([2, 3, 1], "sigmoid", rng=4)
    x = np.array([1.0, 0.3, -0.6])
    output = net.predict(x[1:])
    y = output + 1e-4
    net32 = NeuralNetwork([2, 3, 1], "sigmoid", rng=4)
    for layer, layer32 in zip(net.layers, net32.layers):
        layer32.weight = layer.weight.astype(np.float32)
    exact = analytic_gradients(net, x, y)
    rounded = analytic_gradients(net32, x.astype(np.float32), y.astype(np.float32))
    estimates = weight_gradient_estimates(net32, x.astype(np.float32), y.astype(np.float32))
    relative = max(float(np.max(np.abs(r - e) / np.abs(e))) for r, e in zip(rounded, exact))
    assert relative > 1e-4  # float32 really is off by that much here
    for g, e in zip(rounded, estimates):
        assert compare(g, e).passed
    # The same error claimed by float64 code is a mismatch.
    assert not compare(rounded[0].astype(np.float64), estimates[0]).passed
