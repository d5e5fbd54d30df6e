"""Each loss's gradient against complex-step derivatives of its value, and the registry."""

from __future__ import annotations

import numpy as np
import pytest

from backprop import HALF_SSE, LOSSES, Loss, NeuralNetwork, get_loss
from backprop.activations import sigmoid


def _complex_step_gradient(value, a: np.ndarray, y: np.ndarray) -> np.ndarray:
    h = 1e-30
    gradient = np.empty_like(a)
    for index in np.ndindex(a.shape):
        shifted = a.astype(complex)
        shifted[index] += 1j * h
        gradient[index] = np.imag(value(shifted, y)) / h
    return gradient


@pytest.mark.parametrize("name", sorted(LOSSES))
@pytest.mark.parametrize("shape", [(3,), (4, 3)])
def test_gradient_is_the_derivative_of_the_value(name: str, shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(0)
    loss = get_loss(name)
    a = sigmoid(rng.normal(size=shape)) if name == "bce" else rng.normal(size=shape)
    y = rng.uniform(size=shape)
    np.testing.assert_allclose(loss.gradient(a, y), _complex_step_gradient(loss.value, a, y), rtol=1e-12)


def test_half_sse_is_what_the_article_backward_implies() -> None:
    net = NeuralNetwork([2, 3, 2], rng=0)
    x, y = np.array([1.0, 0.3, -0.2]), np.array([0.1, -0.4])
    a = x
    for layer in net.layers:
        a = layer.forward(a)
    delta = net.layers[-1].backward(y, None)
    np.testing.assert_allclose(delta[0], HALF_SSE.gradient(a, y) * net.layers[-1].dZ, rtol=1e-15)
    assert NeuralNetwork.loss is HALF_SSE
    assert HALF_SSE(np.array([1.0, 2.0]), np.array([0.0, 0.0])) == 2.5


def test_batch_loss_is_the_sum_of_the_per_sample_losses() -> None:
    rng = np.random.default_rng(1)
    a, y = rng.uniform(0.1, 0.9, size=(5, 3)), rng.uniform(size=(5, 3))
    for loss in LOSSES.values():
        assert loss(a, y) == pytest.approx(sum(loss(row, target) for row, target in zip(a, y)), rel=1e-13)


def test_unknown_loss_lists_the_known_ones() -> None:
    known = "half_sse, mse, bce, softmax_ce"
    with pytest.raises(ValueError, match=f"unknown loss 'hinge'; known losses: {known}"):
        get_loss("hinge")
    assert get_loss(HALF_SSE) is HALF_SSE


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_rows_are_the_per_sample_losses(name: str) -> None:
    rng = np.random.default_rng(2)
    loss = get_loss(name)
    a, y = rng.uniform(0.1, 0.9, size=(2, 5, 3)), rng.uniform(size=3)
    expected = [[loss(a[i, j], y) for j in range(5)] for i in range(2)]
    np.testing.assert_allclose(loss.rows(a, y), expected, rtol=1e-13)
    row_by_row = Loss("custom", "no per_row given", loss.value, loss.gradient)
    np.testing.assert_allclose(row_by_row.rows(a, y), expected, rtol=1e-13)
