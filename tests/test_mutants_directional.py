"""Behaviours of the directional checks (directional_check, network_directional_check) that the rest
of the suite reaches but does not pin down.

Each test asserts an exact value a plausible slip would change: the sentence an argument error gives,
the step the check takes along each direction, the directions a seed picks, the kinks it reports, the
budget it allows for the rounding of a loss summed from large terms.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from test_numerical_engine import analytic_gradients, sample

from backprop import HALF_SSE, NeuralNetwork
from backprop.numerical import directional_check, network_directional_check
from backprop.numerical.budget import ROUNDING_ULPS
from backprop.numerical.comparison import Comparison
from backprop.numerical.directional import _directions
from backprop.numerical.layered import forward_loss, verify_structure
from backprop.numerical.steps import machine_epsilon

EPS = machine_epsilon(np.float64)


def quadratic() -> tuple[Callable[[], float], list[np.ndarray], list[np.ndarray]]:
    """L(w) = Σ w² + Σ u³ over two live arrays, and its gradient."""
    w, u = np.array([0.3, -0.7, 0.45]), np.array([[0.2, -0.5], [0.6, 0.1]])
    return (lambda: float(np.sum(w**2) + np.sum(u**3))), [w, u], [2 * w, 3 * u**2]


def tanh_network() -> tuple[NeuralNetwork, np.ndarray, np.ndarray, list[np.ndarray]]:
    net = NeuralNetwork([4, 5, 3], "tanh", rng=21)
    x, y = sample(net, 22)
    return net, x, y, analytic_gradients(net, x, y)


def summary(result: Comparison) -> tuple:
    return result.worst_index, result.analytic, result.numerical, result.max_abs_error, result.budget


def float32_tanh(z: np.ndarray) -> np.ndarray:
    """tanh computed in float32 and handed back as float64: a float64 network that rounds like float32."""
    return np.tanh(np.asarray(z, dtype=np.float32)).astype(float)


@pytest.mark.parametrize("bad", [True, 0, -2, 2.0])
def test_directions_must_be_a_positive_integer(bad: object) -> None:
    """A bool, 0 or a float is refused with one sentence before any loss is evaluated."""
    loss_fn, params, grads = quadratic()
    net, x, y, net_grads = tanh_network()
    message = f"directions must be a positive integer, not {bad!r}"
    with pytest.raises(ValueError) as error:
        directional_check(loss_fn, params, grads, directions=bad)  # type: ignore[arg-type]
    assert str(error.value) == message
    with pytest.raises(ValueError) as error:
        network_directional_check(net, x, y, net_grads, directions=bad)  # type: ignore[arg-type]
    assert str(error.value) == message


def test_a_single_direction_is_allowed() -> None:
    """directions=1 is the cheapest check there is (5 loss evaluations), not an error."""
    loss_fn, params, grads = quadratic()
    net, x, y, net_grads = tanh_network()
    one = directional_check(loss_fn, params, grads, directions=1)
    assert one.passed and one.n_total == 1, one.message()
    batched = network_directional_check(net, x, y, net_grads, directions=1)
    assert batched.passed and batched.n_total == 1, batched.message()


def test_a_loss_that_is_not_callable_is_named_in_the_error() -> None:
    """The TypeError names the argument the user got wrong."""
    _, params, grads = quadratic()
    with pytest.raises(TypeError) as error:
        directional_check(3, params, grads)  # type: ignore[arg-type]
    assert str(error.value) == "loss_fn must be callable, not int"


def test_a_non_finite_gradient_is_named_by_its_index() -> None:
    """A NaN in one gradient array is reported with that array's index."""
    loss_fn, params, grads = quadratic()
    grads[1] = grads[1].copy()
    grads[1][0, 1] = np.nan
    with pytest.raises(ValueError) as error:
        directional_check(loss_fn, params, grads)
    assert str(error.value) == "gradients[1] holds non-finite value(s) (NaN or inf)"


def test_a_loss_returning_an_array_at_the_point_is_named_in_the_error() -> None:
    """A loss that returns a vector fails at its first evaluation with a sentence naming loss_fn."""
    _, params, grads = quadratic()
    with pytest.raises(TypeError) as error:
        directional_check(lambda: params[0][:2] ** 2, params, grads)  # type: ignore[arg-type, return-value]
    assert str(error.value) == "loss_fn must return a scalar, got an array of shape (2,)"


def test_a_loss_returning_an_array_at_a_step_is_named_in_the_error() -> None:
    """A loss that returns a scalar at the point but a vector at a perturbed point gets the same sentence."""
    _, params, grads = quadratic()
    calls = []

    def loss_fn() -> object:
        calls.append(1)
        return float(np.sum(params[0] ** 2)) if len(calls) == 1 else params[0][:2] ** 2

    before = [p.copy() for p in params]
    with pytest.raises(TypeError) as error:
        directional_check(loss_fn, params, grads)  # type: ignore[arg-type]
    assert str(error.value) == "loss_fn must return a scalar, got an array of shape (2,)"
    assert all(p.tobytes() == b.tobytes() for p, b in zip(params, before))


@pytest.mark.parametrize("largest", [0.7, 3.0])
def test_the_step_is_cbrt_eps_times_the_largest_parameter_along_the_direction(largest: float) -> None:
    """The first perturbed loss sees w0 + h·v_0 with h = eps^(1/3)·max(1, max|w|): the sign and size
    of the step are what the central difference divides by."""
    w, u = np.array([0.3, -0.5, 0.45]), np.array([[0.2, -largest], [0.6, 0.1]])
    w0, u0 = w.copy(), u.copy()
    seen: list[list[np.ndarray]] = []

    def loss_fn() -> float:
        seen.append([w.copy(), u.copy()])
        return float(np.sum(w**2) + np.sum(u**3))

    assert directional_check(loss_fn, [w, u], [2 * w, 3 * u**2], directions=3, seed=5).passed
    h = np.cbrt(EPS) * max(1.0, largest)
    vs = _directions(np.random.default_rng(5), [w, u], 3)
    assert len(seen) == 1 + 4 * 3
    assert seen[0][0].tobytes() == w0.tobytes() and seen[0][1].tobytes() == u0.tobytes()
    for k in range(3):  # multiplier 1 for each direction, then -1, 2, -2
        np.testing.assert_allclose(seen[1 + k][0] - w0, h * vs[0][k], rtol=1e-9)
        np.testing.assert_allclose(seen[1 + k][1] - u0, h * vs[1][k], rtol=1e-9)
        np.testing.assert_allclose(seen[4 + k][0] - w0, -h * vs[0][k], rtol=1e-9)


def test_an_empty_parameter_array_is_carried_along() -> None:
    """A parameter array with no elements (a layer of width 0) neither breaks the step size nor the check."""
    loss_fn, params, grads = quadratic()
    empty = np.empty(0)
    with_empty = directional_check(loss_fn, [*params, empty], [*grads, empty.copy()])
    assert with_empty.passed and with_empty.n_total == 8, with_empty.message()
    assert summary(with_empty) == summary(directional_check(loss_fn, params, grads))


def test_float32_steps_are_corrected_back_onto_the_intended_line() -> None:
    """float32 parameters cannot hold w + h·v; the first-order correction makes a linear loss come out
    exact (to float64 rounding), where the uncorrected one would be off by about 1e-5."""
    rng = np.random.default_rng(7)
    w = rng.uniform(-3, 3, 40).astype(np.float32)
    c = rng.uniform(-2, 2, 40)
    result = directional_check(lambda: float(c @ w.astype(float)), [w], [c])
    assert result.passed and result.n_total == 8, result.message()
    assert result.max_abs_error < 1e-10, result.message()


def test_the_default_seed_is_0() -> None:
    """Without a seed both checks draw the directions of seed 0, so two runs give the same report."""
    loss_fn, params, grads = quadratic()
    wrong = [grads[0] * (1 + 1e-3), grads[1]]
    default = directional_check(loss_fn, params, wrong)
    assert summary(default) == summary(directional_check(loss_fn, params, wrong, seed=0))
    assert summary(default) != summary(directional_check(loss_fn, params, wrong, seed=1))
    net, x, y, net_grads = tanh_network()
    net_wrong = [net_grads[0] * (1 + 1e-3), net_grads[1]]
    batched = network_directional_check(net, x, y, net_wrong)
    assert summary(batched) == summary(network_directional_check(net, x, y, net_wrong, seed=0))
    assert summary(batched) == summary(network_directional_check(net, x, y, net_wrong))
    assert summary(batched) != summary(network_directional_check(net, x, y, net_wrong, seed=1))


def test_the_network_check_takes_8_directions_by_default() -> None:
    """The batched check's default, like directional_check's, is 8 directions."""
    net, x, y, grads = tanh_network()
    assert network_directional_check(net, x, y, grads).n_total == 8


def test_the_network_check_applies_the_safety_factor_it_is_given() -> None:
    """safety reaches the comparison: the report states it, and the allowance scales with it."""
    net, x, y, grads = tanh_network()
    result = network_directional_check(net, x, y, grads, safety=2.5)
    assert result.safety == 2.5 and "(safety factor 2.5, method central)" in result.message()


def test_the_network_check_reports_a_first_layer_unit_on_its_kink() -> None:
    """A relu unit of layer 0 whose pre-activation is exactly 0 is reported, with the side it was taken on."""
    net = NeuralNetwork([2, 3, 1], "relu", rng=0)
    x, y = np.array([1.0, 0.5, -0.25]), np.array([0.3])
    net.layers[0].weight[:, 1] = [0.5, -1.0, 0.0]  # z = 0.5 - 0.5 + 0 = 0 exactly
    result = network_directional_check(net, x, y, analytic_gradients(net, x, y))
    assert result.passed, result.message()
    assert [kink.describe() for kink in result.kinks] == [
        "layer 0, unit 1 (z = 0) lies on its kink to rounding: the weights differentiated on its "
        "left (z < 0) piece, the one the implementation took"
    ]


def test_a_single_layer_network_is_allowed_the_rounding_of_the_terms_of_its_loss() -> None:
    """The output 0.4 is summed from terms of about 40: the budget is 2·eps·(their size)/h, far above the
    2·eps·|L|/h of the loss 0.02 itself, so a correct gradient is never held to a rounding it cannot meet."""
    net = NeuralNetwork([2, 1], "relu", rng=0)
    net.layers[0].weight[:, 0] = [40.0, -39.5, -39.7]
    x, y = np.array([1.0, 0.5, 0.5]), np.array([0.2])
    result = network_directional_check(net, x, y, analytic_gradients(net, x, y))
    assert result.passed, result.message()
    chain = verify_structure(net.layers, x, y, HALF_SSE)
    assert not isinstance(chain, str) and chain.sizes is not None
    size = chain.sizes.loss_size[0]
    h = np.cbrt(EPS) * 40.0
    assert size > 100 * chain.loss0
    assert result.budget >= ROUNDING_ULPS * EPS * size / h


def test_a_loss_that_rounds_like_float32_raises_no_false_alarm() -> None:
    """Rounding beyond the parameters' dtype (activations computed in float32) is measured from the
    samples themselves, so a correct gradient still passes both checks in all of 32 directions (held
    to float64's eps·|L|/h instead, most of them would be flagged)."""
    net, x, y, grads = tanh_network()
    for layer in net.layers:
        layer.activation = float32_tanh
    grads = analytic_gradients(net, x, y)
    batched = network_directional_check(net, x, y, grads, directions=32)
    assert batched.passed and batched.n_total == 32, batched.message()
    weights = [layer.weight for layer in net.layers]
    single = directional_check(forward_loss(net.layers, x, y, HALF_SSE), weights, grads, directions=32)
    assert single.passed and single.n_total == 32, single.message()


@pytest.mark.parametrize("largest", [0.9, 3.0])
def test_the_network_check_steps_by_cbrt_eps_times_the_largest_weight(largest: float) -> None:
    """The batched perturbation of layer 0 is h·(a·V_k) with h = eps^(1/3)·max(1, max|W|)."""
    net, x, y, _ = tanh_network()
    for layer in net.layers:
        layer.weight *= 0.9 / np.abs(layer.weight).max()
    net.layers[1].weight[0, 0] = largest
    batches: list[np.ndarray] = []

    def recording_tanh(z: np.ndarray) -> np.ndarray:
        if np.ndim(z) == 2 and np.shape(z)[0] == 4:
            batches.append(np.array(z))
        return np.tanh(z)

    net.layers[0].activation = recording_tanh
    grads = analytic_gradients(net, x, y)
    assert network_directional_check(net, x, y, grads, directions=4, seed=2).passed
    vs = _directions(np.random.default_rng(2), [layer.weight for layer in net.layers], 4)
    along = np.einsum("i,kij->kj", x, vs[0])
    h = np.cbrt(EPS) * max(1.0, largest)
    assert len(batches) == 4  # the multipliers 1, -1, 2, -2, each once
    for m, batch in zip((1.0, -1.0, 2.0, -2.0), batches):
        np.testing.assert_allclose(batch - x @ net.layers[0].weight, m * h * along, rtol=1e-6, atol=1e-12)
