"""The fast network against the reference: same weights from the same rng, same results of `fit`.

Eagerly updated layers must give the reference's bits exactly; layers whose updates are
deferred (large ones) must agree to rounding. Errors must be the reference's, word for word.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import backprop.fast as fast
from backprop import NeuralNetwork as Reference
from backprop import activations
from backprop.activations import activation_names, get_activation, register_activation

STATE = ("A", "dZ", "delta", "weight")


def _data(layers: list[int], n: int = 20, seed: int = 0, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n, layers[0])) * scale
    y = rng.uniform(-1, 1, (n, layers[-1]))
    return X, (y[:, 0] if layers[-1] == 1 else y)


def _pair(layers: list[int], activation: str = "tanh", seed: int = 3) -> tuple[Reference, fast.NeuralNetwork]:
    return Reference(layers, activation, rng=seed), fast.NeuralNetwork(layers, activation, rng=seed)


def _assert_same_state(reference: Reference, candidate: Reference) -> None:
    for ref_layer, layer in zip(reference.layers, candidate.layers, strict=True):
        for name in STATE:
            np.testing.assert_array_equal(getattr(layer, name), getattr(ref_layer, name),
                                          err_msg=f"layer {layer.id} {name}")
            assert np.shape(getattr(layer, name)) == np.shape(getattr(ref_layer, name))


def test_make_is_the_network_and_a_reference_network() -> None:
    net = fast.make([2, 2, 1], "tanh")
    assert isinstance(net, fast.NeuralNetwork) and isinstance(net, Reference)
    assert [layer.weight.shape for layer in net.layers] == [(3, 3), (3, 1)]
    assert [layer.isoutputLayer for layer in net.layers] == [False, True]


@pytest.mark.parametrize("layers", [[2, 1], [2, 2, 1], [64, 32, 10], [3, 5, 4, 2]])
@pytest.mark.parametrize("activation", activation_names())
def test_fit_gives_the_reference_bits_on_eager_layers(layers: list[int], activation: str) -> None:
    reference, candidate = _pair(layers, activation)
    _assert_same_state(reference, candidate)
    X, y = _data(layers)
    reference.fit(X, y, 0.05, 700)
    candidate.fit(X, y, 0.05, 700)
    _assert_same_state(reference, candidate)
    assert candidate._rng.bit_generator.state == reference._rng.bit_generator.state


def test_fit_draws_from_the_global_generator_like_the_reference() -> None:
    X, y = _data([2, 3, 1])
    np.random.seed(11)
    reference = Reference([2, 3, 1])
    reference.fit(X, y, 0.1, 5000)
    after_reference = np.random.random()
    np.random.seed(11)
    candidate = fast.NeuralNetwork([2, 3, 1])
    candidate.fit(X, y, 0.1, 5000)
    assert np.random.random() == after_reference
    _assert_same_state(reference, candidate)


def test_fit_updates_the_weight_arrays_in_place() -> None:
    net = fast.NeuralNetwork([784, 16, 3], rng=0)
    weights = [layer.weight for layer in net.layers]
    before = [w.copy() for w in weights]
    net.fit(*_data([784, 16, 3], scale=0.05), 0.01, 37)
    assert all(layer.weight is w for layer, w in zip(net.layers, weights))
    assert all(not np.array_equal(w, b) for w, b in zip(weights, before))


@given(
    hidden=st.lists(st.integers(1, 6), min_size=0, max_size=3),
    n_in=st.integers(1, 5),
    n_out=st.integers(1, 4),
    activation=st.sampled_from(["tanh", "sigmoid", "relu"]),
    seed=st.integers(0, 2**32 - 1),
    samples=st.integers(1, 6),
    epochs=st.integers(0, 60),
    learning_rate=st.floats(1e-3, 2.0),
)
def test_fit_matches_the_reference_bit_for_bit(hidden: list[int], n_in: int, n_out: int, activation: str,
                                               seed: int, samples: int, epochs: int,
                                               learning_rate: float) -> None:
    layers = [n_in, *hidden, n_out]
    reference, candidate = _pair(layers, activation, seed)
    X, y = _data(layers, samples, seed, scale=3.0)
    reference.fit(X, y, learning_rate, epochs)
    candidate.fit(X, y, learning_rate, epochs)
    _assert_same_state(reference, candidate)


def test_deferred_updates_agree_with_the_reference_on_784_128_10() -> None:
    layers = [784, 128, 10]
    assert fast.deferral_depth(785, 129) > 1  # the case this test is about
    reference, candidate = _pair(layers)
    X, y = _data(layers, 40, scale=0.1)
    reference.fit(X, y, 0.01, 300)
    candidate.fit(X, y, 0.01, 300)
    for ref_layer, layer in zip(reference.layers, candidate.layers):
        np.testing.assert_allclose(layer.weight, ref_layer.weight, rtol=0, atol=1e-12)
        np.testing.assert_allclose(layer.A, ref_layer.A, rtol=0, atol=1e-12)
        np.testing.assert_allclose(layer.delta, ref_layer.delta, rtol=0, atol=1e-12)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_deferral_in_every_layer_keeps_forward_and_backward_exact(
        monkeypatch: pytest.MonkeyPatch, activation: str) -> None:
    """With every layer deferred (the first in blocks of 4 samples), the low-rank corrections in
    forward and backward carry the whole update, including flushes in mid-fit and at its end."""
    monkeypatch.setattr(fast, "DEFER_MIN_WEIGHTS", 1)
    monkeypatch.setattr(fast, "BLOCK_DEPTH", 4)
    layers = [5, 9, 7, 3]
    assert fast.deferral_depth(10, 8) == 4
    reference, candidate = _pair(layers, activation)
    X, y = _data(layers, 8)
    for epochs in (3, 4, 9, 1):  # partial, whole and several blocks; each fit flushes at its end
        reference.fit(X, y, 0.1, epochs)
        candidate.fit(X, y, 0.1, epochs)
        for ref_layer, layer in zip(reference.layers, candidate.layers):
            for name in STATE:
                np.testing.assert_allclose(getattr(layer, name), getattr(ref_layer, name), rtol=1e-12,
                                           atol=1e-14, err_msg=f"layer {layer.id} {name}")


def test_deferral_depth_is_zero_for_small_matrices_and_bounded() -> None:
    assert fast.deferral_depth(3, 3) == 0
    assert fast.deferral_depth(65, 33) == 0
    assert 4 <= fast.deferral_depth(785, 129) <= 64
    assert fast.deferral_depth(100_000, 100_000) == 64


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "relu"])
def test_kernels_give_the_registry_bits(name: str) -> None:
    chosen = get_activation(name)
    z = np.concatenate([np.linspace(-40, 40, 401), [-1e300, -800.0, -0.0, 0.0, 5e-324, 1e-300, 800.0, 1e300]])
    a, dz = np.empty_like(z), np.empty_like(z)
    with np.errstate(under="ignore"):
        fast.activation_kernel(chosen.function, chosen.derivative, z.size)(z, a, dz)
    np.testing.assert_array_equal(a, chosen.function(z))
    np.testing.assert_array_equal(dz, chosen.derivative(z))


def test_a_registered_activation_goes_through_its_own_functions() -> None:
    register_activation("softsign", lambda z: z / (1 + np.abs(z)), lambda z: 1 / (1 + np.abs(z)) ** 2)
    try:
        reference, candidate = _pair([3, 4, 2], "softsign")
        X, y = _data([3, 4, 2])
        reference.fit(X, y, 0.2, 300)
        candidate.fit(X, y, 0.2, 300)
        _assert_same_state(reference, candidate)
    finally:
        activations._REGISTRY.pop("softsign")


@pytest.mark.parametrize("convert", [np.asfortranarray, lambda w: w.astype(np.float32)])
def test_weights_that_do_not_fit_the_buffers_train_as_in_the_reference(convert) -> None:
    reference, candidate = _pair([2, 3, 1])
    for net in (reference, candidate):
        net.layers[0].weight = convert(net.layers[0].weight)
    X, y = _data([2, 3, 1])
    reference.fit(X, y, 0.1, 200)
    candidate.fit(X, y, 0.1, 200)
    _assert_same_state(reference, candidate)


def test_zero_epochs_changes_nothing() -> None:
    reference, candidate = _pair([2, 2, 1])
    candidate.fit(*_data([2, 2, 1]), 0.1, 0)
    _assert_same_state(reference, candidate)
    assert candidate.layers[0].A is None


BAD_FITS = [
    ({"X": [[1.0, 2.0, 3.0]]}, "columns"),
    ({"X": [[np.nan, 1.0]]}, "non-finite"),
    ({"X": np.zeros((0, 2)), "y": np.zeros(0)}, "no samples"),
    ({"y": [1.0, 2.0]}, "rows"),
    ({"y": [[1.0, 2.0]]}, "value(s) per sample"),
    ({"X": "abc"}, "array of numbers"),
    ({"learning_rate": 0}, "learning_rate"),
    ({"learning_rate": float("inf")}, "learning_rate"),
    ({"learning_rate": True}, "learning_rate"),
    ({"epochs": -1}, "epochs"),
    ({"epochs": 2.5}, "epochs"),
    ({"epochs": True}, "epochs"),
]


@pytest.mark.parametrize(("change", "words"), BAD_FITS)
def test_bad_fit_arguments_raise_the_reference_error(change: dict, words: str) -> None:
    arguments = {"X": [[0.0, 1.0]], "y": [1.0], "learning_rate": 0.1, "epochs": 3} | change
    errors = []
    for net in _pair([2, 2, 1]):
        with pytest.raises((TypeError, ValueError)) as caught:
            net.fit(**arguments)
        errors.append((type(caught.value), str(caught.value)))
    assert errors[0] == errors[1]
    assert words in errors[1][1]


BAD_CONSTRUCTIONS = [
    (([2],), {}), (("221",), {}), (([2, 0, 1],), {}), (([2, 1], "softplus"), {}),
    (([2, 1],), {"rng": "seed"}),
]


@pytest.mark.parametrize(("args", "kwargs"), BAD_CONSTRUCTIONS)
def test_bad_constructor_arguments_raise_the_reference_error(args: tuple, kwargs: dict) -> None:
    errors = []
    for cls in (Reference, fast.NeuralNetwork):
        with pytest.raises((TypeError, ValueError)) as caught:
            cls(*args, **kwargs)
        errors.append((type(caught.value), str(caught.value)))
    assert errors[0] == errors[1]


def test_an_error_inside_fit_still_applies_the_updates_made_so_far(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fast, "DEFER_MIN_WEIGHTS", 1)
    calls = {"n": 0}

    def flaky(z: np.ndarray) -> np.ndarray:
        calls["n"] += 1
        if calls["n"] > 12:
            raise FloatingPointError("stop")
        return np.tanh(z)

    register_activation("flaky", flaky, activations.tanh_prime)
    try:
        candidate = fast.NeuralNetwork([3, 6, 2], "flaky", rng=1)
        before = [layer.weight.copy() for layer in candidate.layers]
        with pytest.raises(FloatingPointError):
            candidate.fit(*_data([3, 6, 2]), 0.1, 50)
    finally:
        activations._REGISTRY.pop("flaky")
    # 12 activation calls = 6 full steps on two layers; the 7th step failed in its forward pass.
    calls["n"] = -10**9
    register_activation("flaky", flaky, activations.tanh_prime)
    try:
        reference = Reference([3, 6, 2], "flaky", rng=1)
        reference.fit(*_data([3, 6, 2]), 0.1, 6)
    finally:
        activations._REGISTRY.pop("flaky")
    for ref_layer, layer, old in zip(reference.layers, candidate.layers, before):
        assert not np.array_equal(layer.weight, old)
        np.testing.assert_allclose(layer.weight, ref_layer.weight, rtol=1e-12, atol=1e-14)


@pytest.mark.skipif(importlib.util.find_spec("backprop.battery.runner") is None,
                    reason="the conformance battery is not in this tree yet")
def test_the_conformance_battery_passes() -> None:
    import backprop

    result = backprop.check("backprop.fast:make")
    assert result.passed, [(r.id, r.summary) for r in result.results if not r.ok]
    assert result.protocol.startswith("layer")


def test_single_threaded_blas_restores_the_thread_count_after_nested_use() -> None:
    threads = fast._openblas_threads()
    if threads is None:
        pytest.skip("numpy does not use its bundled OpenBLAS here")
    get, set_ = threads
    before = get()
    set_(2)
    try:
        with fast.single_threaded_blas():
            assert get() == 1
            with fast.single_threaded_blas():
                assert get() == 1
            assert get() == 1
        assert get() == 2
        with pytest.raises(KeyError), fast.single_threaded_blas():
            raise KeyError("inside")
        assert get() == 2
    finally:
        set_(before)
