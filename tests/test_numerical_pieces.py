"""Many relu units on or near their kinks at once: each is differentiated on its own piece.

One weight's step moves every unit of the next layers; when several of them sit within a step
of 0, one-sided differences mix pieces (right: all on, left: all off) that no correct gradient
matches.  On the pieces there is no crossing, so correct gradients pass and wrong ones fail.
"""

from __future__ import annotations

import numpy as np
import pytest
from implementations.float32_network import make as float32_network
from test_numerical_engine import analytic_gradients

from backprop import NeuralNetwork, relu
from backprop.numerical import (
    ambiguous_units,
    compare,
    network_directional_check,
    numerical_weight_gradients,
    preactivation_gradient_estimates,
    weight_gradient_estimates,
)

OFFSETS = (0.0, 1e-15, -1e-15, 1e-12, -1e-12, 1e-9, -1e-9, 1e-6, -1e-6)
LAYERS = ([3, 5, 2], [4, 6, 5, 3])


def kinked_network(layers: list[int], offsets: list[float], seed: int, float32: bool = False):
    """A relu network whose first units of every layer have pre-activations at `offsets` from 0.

    Each aimed unit's z is set through its largest input (twice, to remove most rounding);
    the returned sample x carries its leading 1.
    """
    net = float32_network(layers, "relu") if float32 else NeuralNetwork(layers, "relu", rng=seed)
    rng = np.random.default_rng(seed)
    for layer in net.layers:
        layer.weight[...] = rng.uniform(-1, 1, layer.weight.shape)
    x = np.concatenate([[1.0], rng.uniform(-1, 1, layers[0])])
    y = rng.uniform(-1, 1, layers[-1])
    a = x
    for layer in net.layers:
        w = layer.weight.astype(float)
        k = int(np.argmax(np.abs(a)))
        for unit, offset in enumerate(offsets[: w.shape[1] - 1]):
            for _ in range(2):
                w[k, unit] += (offset - a @ w[:, unit]) / a[k]
        layer.weight[...] = w
        a = relu(a @ layer.weight.astype(float))
    return net, x, y


def analytic_deltas(net, x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    analytic_gradients(net, x, y)
    return [np.ravel(layer.delta) for layer in net.layers]


def implementation_gradients(net, x: np.ndarray, y: np.ndarray, float32: bool) -> list[np.ndarray]:
    """aᵀδ in the implementation's precision (a float64 x would make the first layer's float64)."""
    grads = analytic_gradients(net, x, y)
    return [g.astype(np.float32) for g in grads] if float32 else grads


PATTERNS = [[offset] * 3 for offset in OFFSETS] + [list(OFFSETS[:5]), list(OFFSETS[4:])]


@pytest.mark.parametrize("float32", [False, True], ids=["float64", "float32"])
@pytest.mark.parametrize("layers", LAYERS, ids=str)
@pytest.mark.parametrize("offsets", PATTERNS, ids=str)
def test_correct_gradients_pass_with_many_units_at_their_kinks(offsets, layers, float32) -> None:
    for seed in range(3):
        net, x, y = kinked_network(layers, offsets, seed, float32)
        grads = implementation_gradients(net, x, y, float32)
        deltas = analytic_deltas(net, x, y)
        for method in ("auto", "complex", "richardson"):
            for g, e in zip(grads, weight_gradient_estimates(net, x, y, method=method)):
                verdict = compare(g, e)
                assert verdict.passed, f"seed {seed}, {method}\n{verdict.message()}"
                assert not e.kink_mask.any()
        for d, e in zip(deltas, preactivation_gradient_estimates(net, x, y)):
            verdict = compare(d, e)
            assert verdict.passed, f"seed {seed}\n{verdict.message()}"
        assert network_directional_check(net, x, y, grads).passed


@pytest.mark.parametrize("float32", [False, True], ids=["float64", "float32"])
@pytest.mark.parametrize("offsets", PATTERNS, ids=str)
def test_a_planted_error_next_to_the_kinks_is_still_flagged(offsets, float32) -> None:
    net, x, y = kinked_network([4, 6, 5, 3], offsets, 7, float32)
    grads = implementation_gradients(net, x, y, float32)
    estimates = weight_gradient_estimates(net, x, y)
    for layer, (g, e) in enumerate(zip(grads, estimates)):
        index = np.unravel_index(int(np.argmax(np.abs(g))), g.shape)
        if abs(g[index]) < 0.01:
            continue
        wrong = g.copy()
        wrong[index] *= 1 + 1e-3
        verdict = compare(wrong, e)
        assert not verdict.passed and verdict.worst_index == index, f"layer {layer}\n{verdict.message()}"


def test_numerical_weight_gradients_stay_on_the_pieces() -> None:
    net, x, y = kinked_network([4, 6, 5, 3], [1e-12, -1e-12, 1e-9], 2)
    for g, n in zip(analytic_gradients(net, x, y), numerical_weight_gradients(net, x, y)):
        np.testing.assert_allclose(n, g, rtol=0, atol=1e-8)


def test_the_rounding_band_is_the_implementations_own() -> None:
    """float64: 1e-15 is rounding and 1e-12 is not; float32 rounds z to about 1e-7 of its terms."""
    offsets = [0.0, 1e-15, -1e-12, 1e-6]
    net, x, _ = kinked_network([3, 5, 2], offsets, 4)
    assert ambiguous_units(net, x)[0][:5].tolist() == [True, True, False, False, False]
    net32, x, _ = kinked_network([3, 5, 2], offsets, 4, float32=True)
    assert ambiguous_units(net32, x)[0][:4].tolist() == [True, True, True, True]
    smooth = NeuralNetwork([3, 5, 2], "tanh", rng=0)
    assert not any(mask.any() for mask in ambiguous_units(smooth, x))


def test_ambiguous_units_needs_layers_computing_f_of_aw() -> None:
    net, x, _ = kinked_network([3, 5, 2], [0.0], 4)
    forward = net.layers[0].forward
    net.layers[0].forward = lambda a: forward(a) + 0.5
    with pytest.raises(ValueError, match="A = f"):
        ambiguous_units(net, x)
    with pytest.raises(ValueError, match="one sample of 4 values"):
        ambiguous_units(NeuralNetwork([3, 5, 2], "relu", rng=0), np.ones(3))


def relu_prime_one_at_zero(z):
    """The other convention: relu'(0) = 1."""
    return (np.asarray(z) >= 0).astype(float)


def exactly_on_the_kink(layers: list[int], seed: int, convention_one: bool) -> tuple:
    """Dyadic weights and inputs, and three first-layer units with z = 0 exactly."""
    net = NeuralNetwork(layers, "relu", rng=seed)
    for layer in net.layers:
        layer.weight[...] = np.round(layer.weight * 8) / 8
        if convention_one:
            layer.activation_prime = relu_prime_one_at_zero
    rng = np.random.default_rng(seed)
    x = np.concatenate([[1.0], np.round(rng.uniform(-1, 1, layers[0]) * 8) / 8])
    w = net.layers[0].weight
    w[0, :3] = -(x[1:] @ w[1:, :3])
    assert np.all(x @ w[:, :3] == 0)
    return net, x, rng.uniform(-1, 1, layers[-1])


@pytest.mark.parametrize("layers", LAYERS, ids=str)
def test_either_convention_at_zero_passes_and_each_is_held_to_its_own(layers) -> None:
    """z = 0 exactly: relu'(0) = 1 and relu'(0) = 0 both pass, judged on the side each took."""
    zero_net, x, y = exactly_on_the_kink(layers, 5, False)
    one_net, _, _ = exactly_on_the_kink(layers, 5, True)
    assert ambiguous_units(one_net, x)[0][:3].all()
    zero_grads, one_grads = analytic_gradients(zero_net, x, y), analytic_gradients(one_net, x, y)
    assert np.any(zero_grads[0] != one_grads[0])
    zero_estimates = weight_gradient_estimates(zero_net, x, y)
    one_estimates = weight_gradient_estimates(one_net, x, y)
    assert all(compare(g, e).passed for g, e in zip(zero_grads, zero_estimates))
    assert all(compare(g, e).passed for g, e in zip(one_grads, one_estimates))
    for estimates, side in ((one_estimates, 1), (zero_estimates, -1)):
        assert [(k.layer, k.unit, k.side) for k in estimates[0].kinks] == [(0, j, side) for j in range(3)]
    assert not compare(one_grads[0], zero_estimates[0]).passed
    assert not compare(zero_grads[0], one_estimates[0]).passed


def leaky(z):
    z = np.asarray(z)
    return np.where(z.real > 0, z, 0.1 * z)


def leaky_prime(z):
    return np.where(np.asarray(z).real > 0, 1.0, 0.1)


def test_an_unregistered_kinked_activation_is_differentiated_on_its_pieces() -> None:
    """A leaky relu the registry does not know: its slopes at 0 are measured (0.1 and 1)."""
    from backprop.numerical.kinks import one_sided_slopes

    assert one_sided_slopes(leaky) == pytest.approx((0.0, 0.1, 1.0), abs=1e-12)
    net, x, y = kinked_network([4, 6, 5, 3], [1e-12, -1e-12, 1e-9], 3)
    for layer in net.layers:
        layer.activation, layer.activation_prime = leaky, leaky_prime
    grads = analytic_gradients(net, x, y)
    for g, e in zip(grads, weight_gradient_estimates(net, x, y)):
        assert compare(g, e).passed and not e.kink_mask.any()
    wrong = grads[0].copy()
    wrong[0, 1] *= 1 + 1e-3
    assert not compare(wrong, weight_gradient_estimates(net, x, y)[0]).passed
