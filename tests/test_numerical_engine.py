"""The vectorised engine against the loop, the weights left untouched, and the public entry point."""

from __future__ import annotations

import numpy as np
import pytest

import backprop
from backprop import NeuralNetwork
from backprop.numerical import compare, weight_gradient_estimates


def analytic_gradients(net: NeuralNetwork, x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """The reference network's own backpropagation: aᵀδ per layer."""
    a, inputs = x, []
    for layer in net.layers:
        inputs.append(a)
        a = layer.forward(a)
    delta = net.layers[-1].backward(y, None)
    for i in range(len(net.layers) - 2, -1, -1):
        delta = net.layers[i].backward(delta, net.layers[i + 1])
    return [np.outer(a, layer.delta) for a, layer in zip(inputs, net.layers)]


def sample(net: NeuralNetwork, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.concatenate([[1.0], rng.uniform(-1, 1, net.n_inputs)])
    return x, rng.uniform(-1, 1, net.n_outputs)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
@pytest.mark.parametrize("layers", [[2, 1], [3, 4, 2], [4, 5, 3, 2]])
def test_vectorised_engine_agrees_with_the_loop(layers: list[int], activation: str) -> None:
    net = NeuralNetwork(layers, activation, rng=1)
    x, y = sample(net, 2)
    fast = weight_gradient_estimates(net, x, y)
    slow = weight_gradient_estimates(net, x, y, method="loop")
    for f, s in zip(fast, slow):
        assert f.method == "central" and s.method == "central (loop)"
        np.testing.assert_allclose(f.value, s.value, rtol=0, atol=1e-9)


@pytest.mark.parametrize("method", ["auto", "central", "complex", "richardson", "loop"])
def test_every_method_passes_correct_and_flags_wrong_gradients(method: str) -> None:
    net = NeuralNetwork([3, 4, 2], "tanh", rng=3)
    x, y = sample(net, 4)
    grads = analytic_gradients(net, x, y)
    estimates = weight_gradient_estimates(net, x, y, method=method)
    assert all(compare(g, e).passed for g, e in zip(grads, estimates))
    wrong = grads[0].copy()
    wrong[1, 2] *= 1 + 1e-3
    verdict = compare(wrong, estimates[0])
    assert not verdict.passed and verdict.n_mismatched == 1 and verdict.worst_index == (1, 2)


@pytest.mark.parametrize("method", ["auto", "complex", "richardson", "loop"])
def test_weights_are_left_bit_for_bit(method: str) -> None:
    net = NeuralNetwork([3, 4, 2], "relu", rng=5)
    arrays = [layer.weight for layer in net.layers]
    before = [w.copy() for w in arrays]
    x, y = sample(net, 6)
    weight_gradient_estimates(net, x, y, method=method)
    for layer, array, saved in zip(net.layers, arrays, before):
        assert layer.weight is array
        assert array.tobytes() == saved.tobytes()


def test_public_entry_point_returns_one_array_per_layer() -> None:
    net = NeuralNetwork([3, 4, 2], "sigmoid", rng=7)
    x, y = sample(net, 8)
    grads = backprop.numerical_weight_gradients(net, x, y)
    assert [g.shape for g in grads] == [layer.weight.shape for layer in net.layers]
    for g, a in zip(grads, analytic_gradients(net, x, y)):
        np.testing.assert_allclose(g, a, rtol=1e-7, atol=1e-10)


def test_an_activation_that_is_not_elementwise_sends_the_engine_to_the_loop() -> None:
    """softmax on the output couples its units: the rank-one shortcut would be wrong, the loop is right."""
    net = NeuralNetwork([3, 4, 3], "tanh", rng=9)
    softmax = lambda z: np.exp(z - np.max(z, axis=-1, keepdims=True)) / np.sum(
        np.exp(z - np.max(z, axis=-1, keepdims=True)), axis=-1, keepdims=True)
    net.layers[-1].activation = softmax
    x, y = sample(net, 10)
    estimates = weight_gradient_estimates(net, x, y)
    assert all(e.method == "central (loop)" and "not elementwise" in e.note for e in estimates)
    loop = weight_gradient_estimates(net, x, y, method="loop")
    for e, l in zip(estimates, loop):
        np.testing.assert_array_equal(e.value, l.value)


def _coupled_into_the_first(z: np.ndarray) -> np.ndarray:
    """tanh, with the second unit's z added to the first unit's output: a coupling into an even unit."""
    out = np.tanh(z)
    out[..., 0] += z[..., 1]
    return out


def _shifted_by_the_largest(z: np.ndarray) -> np.ndarray:
    """z − max(z): at (0, 1) the first unit moves when the second goes down, not when the first goes up."""
    return z - np.max(z, axis=-1, keepdims=True)


@pytest.mark.parametrize(
    ("activation", "seed"),
    [(_coupled_into_the_first, 3), (_shifted_by_the_largest, 4)],
    ids=["into-even", "max"],
)
def test_a_coupling_either_way_between_units_sends_the_engine_to_the_loop(activation, seed: int) -> None:
    """The batched shortcut is right only for f applied unit by unit. These two couplings got past the
    test for it, and the shortcut gave wrong derivatives without a word: 1.4 where 0.7 is right for the
    first, 0 where ±1.3 is for the second."""
    net = NeuralNetwork([2, 2], "tanh", rng=seed)
    net.layers[0].weight = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    net.layers[0].activation = activation
    x, y = np.array([1.0, 0.0, 1.0]), np.array([0.3, 0.0])
    (estimate,) = weight_gradient_estimates(net, x, y)
    (loop,) = weight_gradient_estimates(net, x, y, method="loop")
    assert estimate.method == "central (loop)" and "not elementwise" in estimate.note, estimate.note
    np.testing.assert_array_equal(estimate.value, loop.value)


def test_an_unregistered_relu_is_recognised_as_kinked() -> None:
    from backprop.numerical.kinks import has_kink

    assert has_kink(lambda z: np.maximum(z, 0.0)) and has_kink(lambda z: np.abs(z))
    assert not has_kink(np.tanh) and not has_kink(lambda z: z**2)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_plain_gradients_are_the_estimates_values(activation: str) -> None:
    """numerical_weight_gradients skips the ±2h samples but computes the same central differences."""
    net = NeuralNetwork([4, 5, 3], activation, rng=12)
    x, y = sample(net, 13)
    x[2] = 0.0
    for plain, estimate in zip(backprop.numerical_weight_gradients(net, x, y),
                               weight_gradient_estimates(net, x, y)):
        np.testing.assert_array_equal(plain, estimate.value)


# Plain functions of an array, and the sizes of a chain's terms: the checks behind the engine.


def test_a_function_argument_that_is_not_callable_is_named_in_the_error() -> None:
    from backprop.numerical import central_difference

    with pytest.raises(TypeError) as caught:
        central_difference("x ** 2", [1.0])
    assert str(caught.value) == "f must be callable, not str"


def test_a_function_whose_shape_changes_within_a_step_is_refused_with_both_shapes() -> None:
    """f is elementwise at the point (shape (2,)) but returns one value at the steps around it."""
    from backprop.numerical import central_difference

    point = np.array([1.0, 2.0])

    def f(x: np.ndarray) -> np.ndarray:
        return x if np.array_equal(x, point) else x[:1]

    with pytest.raises(TypeError) as caught:
        central_difference(f, point)
    assert str(caught.value) == "f returned shape (1,) for input of shape (2,)"


def test_the_rounding_eps_is_the_coarser_of_the_points_and_the_values() -> None:
    """A float32 point rounds like float32 even when f answers in float64, a float32 answer rounds like
    float32 at a float64 point, and so does a float32 answer handed back as float64 (its values are all
    float32 numbers): the precision is float32's (eps 2⁻²³) in all three ways."""
    from backprop.numerical.functions import prepare

    def handed_back(x: np.ndarray) -> float:
        return float(np.float32(np.sum(x**2)))

    float32_point = np.array([1.0, 2.0], dtype=np.float32)
    *_, precision = prepare(lambda x: np.sum(x.astype(np.float64) ** 2), float32_point)
    assert precision == np.float32
    *_, precision = prepare(lambda x: np.float32(np.sum(x**2)), np.array([1.0, 2.0]))
    assert precision == np.float32
    *_, precision = prepare(handed_back, np.array([1.1, 2.2]))
    assert precision == np.float32
    *_, precision = prepare(lambda x: np.sum(x**2), np.array([1.1, 2.2]))
    assert precision == np.float64


def test_a_scalar_point_makes_f_a_scalar_function_not_an_elementwise_one() -> None:
    from backprop.numerical.functions import prepare

    point, f0, elementwise, _ = prepare(lambda x: x * x, 2.0)
    assert elementwise is False
    assert point.shape == () and f0 == 4.0


def test_the_richardson_budget_covers_the_rounding_of_x_times_the_slope() -> None:
    """f = 1000·(x − 1000) at x = 1000: f and its samples are small (f0 = 0, ±388 at the step) but
    x·f' = 10⁶ is what rounds, so the budget is 2 × 2 ulps of 10⁶ over the step, not of f's values."""
    from backprop.numerical import richardson

    estimate = richardson(lambda x: 1e3 * (x - 1e3), np.array([1e3]))
    assert estimate.method == "richardson"
    np.testing.assert_array_equal(estimate.value, [1e3])
    np.testing.assert_allclose(estimate.budget, 2 * 2 * 2.0 ** -52 * 1e6 / estimate.step, rtol=1e-12)


def test_a_layer_with_no_units_is_given_no_slope_and_its_function_is_not_called() -> None:
    """A hidden layer of width 0: its function (which needs a unit to take the maximum of) is skipped,
    and the output layer 2z of z = 0 has terms |∂L/∂A| + (|A| + |y|)·1 times f' = (0.5 + 0.5)·2 = 2."""
    from backprop import HALF_SSE
    from backprop.numerical.sensitivity import sensitivity

    a0, w0, w1 = np.array([1.0, 0.5]), np.zeros((2, 0)), np.zeros((0, 1))
    z0 = a0 @ w0
    z1 = z0 @ w1
    out = 2 * z1
    result = sensitivity([w0, w1], [a0, z0], [z0, z1], [z0, out],
                         [lambda z: z - np.max(z), lambda z: 2 * z], np.array([0.5]), HALF_SSE, 0.125)
    assert result.term_size[0].shape == (0,)
    np.testing.assert_array_equal(result.term_size[1], [2.0])
    assert result.loss_size == [0.125, 0.125]


def test_an_output_on_its_target_still_counts_the_terms_of_a_and_y() -> None:
    """Outputs A = [1.5, 2], y = [0.5, 2], half_sse: the second unit has no residual, so its ratio
    ∂L/∂A ÷ (A − y) is taken as 1 and its terms are 0 + (2 + 2)·1 = 4; the first has 1 + 2·1 = 3.
    Repeated, since a ratio left unset there would be whatever the memory held."""
    from backprop import HALF_SSE
    from backprop.numerical.sensitivity import sensitivity

    a0, w0 = np.array([1.0]), np.array([[1.5, 2.0]])
    z0 = a0 @ w0
    for _ in range(20):
        result = sensitivity([w0], [a0], [z0], [z0], [lambda z: z], np.array([0.5, 2.0]), HALF_SSE, 0.5)
        np.testing.assert_allclose(result.term_size[0], [3.0, 4.0], rtol=1e-9)


def test_output_terms_larger_than_the_output_replace_it_in_the_terms() -> None:
    """A = 1.5, y = 0.5, half_sse, but the output's own terms are 10 (it cancelled from larger ones):
    the terms are |∂L/∂A| + (10 + |y|)·1 = 11.5, not 1 + (1.5 + 0.5) = 3."""
    from backprop import HALF_SSE
    from backprop.numerical.sensitivity import sensitivity

    a0, w0 = np.array([1.5]), np.array([[1.0]])
    z0 = a0 @ w0
    result = sensitivity([w0], [a0], [z0], [z0], [lambda z: z], np.array([0.5]), HALF_SSE, 0.5,
                         output_terms=np.array([10.0]))
    np.testing.assert_allclose(result.term_size[0], [11.5], rtol=1e-9)


def _tanh_loss(dtype: type) -> tuple[list[np.ndarray], object, list[np.ndarray]]:
    """float64 parameters, a loss computed in `dtype` and handed back as a Python float, and its
    exact gradient."""
    rng = np.random.default_rng(4)
    W, b, x, y = rng.normal(size=(4, 5)), rng.normal(size=4), rng.normal(size=5), rng.normal(size=4)

    def loss() -> float:
        a = np.tanh(W.astype(dtype) @ x.astype(dtype) + b.astype(dtype))
        return 0.5 * float(np.sum((a - y.astype(dtype)) ** 2, dtype=dtype))

    a = np.tanh(W @ x + b)
    delta = (a - y) * (1 - a * a)
    return [W, b], loss, [np.outer(delta, x), delta]


def test_a_float32_loss_of_float64_parameters_is_differentiated_at_float32() -> None:
    """With float64's step and noise, the estimates were off by 8.7e7 × their budget, with 15 kinks
    over 20 seeds; the loss's values are float32 numbers, and are now judged as such."""
    params, loss, exact = _tanh_loss(np.float32)
    estimates = backprop.numerical.parameter_gradient_estimates(loss, params)
    for estimate, true in zip(estimates, exact, strict=True):
        assert not estimate.kinks
        assert np.all(np.abs(estimate.value - true) <= estimate.budget)
        assert np.all(estimate.step >= 1e-3)  # float32's eps^(1/3), not float64's 6e-6
    wrong = [g * 1.01 for g in exact]  # a 1 % error still shows through float32's budget
    assert not all(compare(g, e).passed for g, e in zip(wrong, estimates, strict=True))


def test_a_float64_loss_keeps_float64_steps() -> None:
    params, loss, exact = _tanh_loss(np.float64)
    estimates = backprop.numerical.parameter_gradient_estimates(loss, params)
    for estimate, true in zip(estimates, exact, strict=True):
        assert np.all(estimate.step < 1e-4)  # 6e-6 × max(1, |w|)
        assert np.all(np.abs(estimate.value - true) <= estimate.budget)
        assert float(np.max(estimate.budget)) < 1e-8


@pytest.mark.parametrize(("values", "expected"), [
    (np.float32(0.1), np.float32),
    (np.array([0.1, 0.2], dtype=np.float16), np.float16),
    (np.array([0.1, 0.7], dtype=np.float32).astype(np.float64), np.float32),  # float32 handed back as float64
    (float(np.float32(1) / np.float32(3)), np.float32),
    (np.array([0.5, 0.75, 1.0]), np.float64),  # float16 numbers: nothing to tell
    (np.array([0.1, 0.5]), np.float64),
    (np.array([np.float32(0.1), 1e-300]), np.float64),  # one value that is no float32 number
    (np.array([np.inf, np.float32(0.1)]), np.float32),  # what is not finite says nothing
    (np.array([], dtype=float), np.float64),
    (np.array([1, 2]), np.float64),
    (3, np.float64),
])
def test_the_precision_a_value_was_computed_in_is_read_from_its_dtype_or_its_digits(values, expected) -> None:
    from backprop.numerical.steps import computed_precision
    assert computed_precision(values) == np.dtype(expected)


def test_the_coarsest_dtype_is_the_one_with_the_widest_spacing() -> None:
    from backprop.numerical.steps import coarsest
    assert coarsest(np.float64, np.float32, np.float64) == np.dtype(np.float32)
    assert coarsest(np.float16, np.float32) == np.dtype(np.float16)
    assert coarsest() == np.dtype(np.float64)
