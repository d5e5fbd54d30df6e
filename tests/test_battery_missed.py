"""Bugs that passed every check until the checks were given the cases that reach them: a predict that
returns the output cached by the last forward pass, an activation that overflows to NaN for large |z|,
integer inputs truncated, fit training on the first row's target.  Each is planted (it must fail the
check, with its finding's kind), next to correct code written differently (it must pass).

The checks' logic is driven in this process (a LocalWorker, on fixed cases); the entries of
tests/styles and tests/layer_styles run through `backprop.check`, with the code in its own process.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import backprop
from backprop.battery.cases import Case, make_case
from backprop.battery.checks.overflow import PROBE_Z
from backprop.battery.profile import Profile
from backprop.battery.runner import evaluate
from backprop.losses import HALF_SSE
from backprop.network import Layer, NeuralNetwork

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "styles"))

import rows_separate_bias  # noqa: E402
from styles import catalogue  # noqa: E402

LAYER = Profile("layer-level", frozenset({"fit", "predict", "activation", "activation_prime"}))
MODEL = Profile("model-level", frozenset({"predict", "gradients", "step"}))
FEW = 4

Factory = Callable[[list[int], str], Any]


def cases(activation: str, layers: tuple[int, ...] = (2, 3, 1)) -> list[Case]:
    return [make_case(layers, activation, 0.1, scale, seed, HALF_SSE)
            for seed in (1, 2) for scale in (1.0, 0.1)]


def verdicts(check_id: str, make: Factory, profile: Profile, activation: str = "tanh",
             layers: tuple[int, ...] = (2, 3, 1)) -> list[tuple[str, list[str]]]:
    """(status, finding kinds) of the check on each fixed case."""
    found = []
    for case in cases(activation, layers):
        evidence = evaluate(check_id, make, case, HALF_SSE, profile)
        found.append((evidence.status, [f.kind for f in evidence.findings]))
    return found


def fails_with(check_id: str, make: Factory, profile: Profile, kind: str, **kw: Any) -> str:
    """Assert the check fails on some fixed case with the kind, and on none without it; the first sentence."""
    results = verdicts(check_id, make, profile, **kw)
    failing = [kinds for status, kinds in results if status == "failed"]
    assert failing, results
    assert all(kind in kinds for kinds in failing), results
    for case in cases(kw.get("activation", "tanh"), kw.get("layers", (2, 3, 1))):
        evidence = evaluate(check_id, make, case, HALF_SSE, profile)
        if evidence.failing:
            return next(f.sentence for f in evidence.findings if f.kind == kind)
    raise AssertionError("unreachable")


def passes(check_id: str, make: Factory, profile: Profile, **kw: Any) -> None:
    results = verdicts(check_id, make, profile, **kw)
    assert all(status == "passed" for status, _ in results), results


def style(name: str) -> Any:
    return catalogue()[name]


def check_entry(module: Any) -> backprop.battery.BatteryResult:
    declare = dict(getattr(module, "DECLARE", {}) or {})
    return backprop.check(f"{module.__file__}:make", max_examples=FEW, only=list(module.EXPECTED_KINDS),
                          **declare)


# --------------------------------------------------------------------------- predict: a cached output


class CachedOutputNetwork(NeuralNetwork):
    """predict returns the output layer's A from the last forward pass, when there is one."""

    def predict(self, x: Any) -> Any:
        if self.layers[-1].A is not None:
            return self.layers[-1].A
        return super().predict(x)


class MemoisedPredict(NeuralNetwork):
    """predict computes its first answer and returns it ever after."""

    def predict(self, x: Any) -> Any:
        if not hasattr(self, "answer"):
            self.answer = super().predict(x)
        return self.answer


class MatrixPredict(NeuralNetwork):
    """Correct: predict computed from the weights, without the layers' forward (nothing stored)."""

    def predict(self, x: Any) -> Any:
        a = np.concatenate(([1.0], np.asarray(x, dtype=float)))
        for layer in self.layers:
            a = layer.activation(a @ layer.weight)
        return a


class CopyingPredict(NeuralNetwork):
    """Correct: predict runs the layers' forward and hands back a copy of what the last one stored."""

    def predict(self, x: Any) -> Any:
        super().predict(x)
        return np.array(self.layers[-1].A, copy=True)


@pytest.mark.parametrize("planted", [CachedOutputNetwork, MemoisedPredict])
def test_a_predict_returning_a_cached_output_fails_with_predict_not_forward(planted: type) -> None:
    sentence = fails_with("predict-is-forward", planted, LAYER, "predict-not-forward")
    assert "cached" in sentence


def test_a_cached_predict_is_said_to_equal_the_previous_forward_pass() -> None:
    sentence = fails_with("predict-is-forward", CachedOutputNetwork, LAYER, "predict-not-forward")
    assert "equals the output of the forward pass run just before it on another sample" in sentence


class CachedModel(rows_separate_bias.MLP):
    """Model-level: predict returns the activations the last forward pass (of gradients) stored."""

    def predict(self, x: Any) -> Any:
        if not hasattr(self, "activations"):
            self.forward(np.atleast_2d(x))
        return self.activations[-1]


def step_only(model: type) -> Factory:
    """The model behind parameters, predict and step only (no gradients)."""
    class StepOnly:
        def __init__(self, sizes: list[int], activation: str) -> None:
            self.model = model(sizes, activation)

        def parameters(self) -> Any:
            return self.model.parameters()

        def predict(self, x: Any) -> Any:
            return self.model.predict(x)

        def step(self, x: Any, y: Any, learning_rate: float) -> None:
            self.model.step(x, y, learning_rate)

    return StepOnly


@pytest.mark.parametrize(("make", "ran"), [(CachedModel, "gradients(x′, y′)"),
                                           (step_only(CachedModel), "step(x′, y′, lr)")])
def test_a_model_whose_predict_reads_the_last_forward_pass_fails(make: Factory, ran: str) -> None:
    sentence = fails_with("predict-is-forward", make, MODEL, "predict-not-forward")
    assert f"predict(x) changed when {ran} ran on another sample" in sentence


@pytest.mark.parametrize("correct", [NeuralNetwork, MatrixPredict, CopyingPredict])
def test_a_predict_that_is_the_forward_pass_passes(correct: type) -> None:
    passes("predict-is-forward", correct, LAYER)


def test_a_model_whose_predict_is_its_forward_pass_passes() -> None:
    passes("predict-is-forward", rows_separate_bias.make, MODEL)
    passes("predict-is-forward", step_only(rows_separate_bias.MLP), MODEL)


# --------------------------------------------------------------------------- an activation that overflows


def naive_sigmoid(z: Any) -> Any:
    return np.exp(z) / (1 + np.exp(z))


def exp_tanh(z: Any) -> Any:
    return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))


def exp2_tanh(z: Any) -> Any:
    return (np.exp(2 * z) - 1) / (np.exp(2 * z) + 1)


def stable_sigmoid(z: Any) -> Any:
    return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))


def half_tanh_sigmoid(z: Any) -> Any:
    return 0.5 * (1 + np.tanh(z / 2))


def textbook_sigmoid(z: Any) -> Any:
    return 1 / (1 + np.exp(-z))  # overflows to 1/inf = 0 for large −z: a warning, and the right value


def sigmoid_prime_of(s: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda z: s(z) * (1 - s(z))


def tanh_prime_of(t: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda z: 1 - t(z) ** 2


def exp_sigmoid_prime(z: Any) -> Any:
    return np.exp(-z) / (1 + np.exp(-z)) ** 2  # inf / inf for large −z


def clipped_sigmoid(z: Any) -> Any:
    """Exactly 0 below −40 and 1 above 40 (where σ is 1 to rounding), σ between."""
    return np.where(z > 40, 1.0, np.where(z < -40, 0.0, 1 / (1 + np.exp(-np.clip(z, -40, 40)))))


def hard_tanh(z: Any) -> Any:
    return np.clip(z, -1.0, 1.0)


def hard_tanh_prime(z: Any) -> Any:
    return (np.abs(z) < 1).astype(float)


def with_functions(f: Callable[[Any], Any], fprime: Callable[[Any], Any]) -> Factory:
    """The reference network whose layers use f and fprime."""
    def make(layers: list[int], activation: str) -> NeuralNetwork:
        net = NeuralNetwork(layers, activation)
        for layer in net.layers:
            layer.activation, layer.activation_prime = f, fprime
        return net
    return make


OVERFLOWING = {
    "sigmoid exp(z)/(1 + exp(z))": (naive_sigmoid, sigmoid_prime_of(naive_sigmoid), "sigmoid", "activation",
                                    710),
    "tanh from exp(±z)": (exp_tanh, tanh_prime_of(exp_tanh), "tanh", "activation", 710),
    "tanh from exp(2z)": (exp2_tanh, tanh_prime_of(exp2_tanh), "tanh", "activation", 360),
    "sigmoid' as exp(−z)/(1 + exp(−z))²": (stable_sigmoid, exp_sigmoid_prime, "sigmoid", "activation_prime",
                                           -710),
}
FINITE = {
    "np.tanh": (np.tanh, tanh_prime_of(np.tanh), "tanh"),
    "sigmoid by np.where": (stable_sigmoid, sigmoid_prime_of(stable_sigmoid), "sigmoid"),
    "sigmoid as 0.5·(1 + tanh(z/2))": (half_tanh_sigmoid, sigmoid_prime_of(half_tanh_sigmoid), "sigmoid"),
    "sigmoid as 1/(1 + exp(−z))": (textbook_sigmoid, sigmoid_prime_of(textbook_sigmoid), "sigmoid"),
    "sigmoid saturating to exactly 0 and 1": (clipped_sigmoid, sigmoid_prime_of(clipped_sigmoid), "sigmoid"),
    "hard tanh (saturates to exactly ±1)": (hard_tanh, hard_tanh_prime, "tanh"),
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", list(OVERFLOWING))
def test_an_activation_that_overflows_fails_with_non_finite_at_the_z_it_does(name: str) -> None:
    f, fprime, activation, function, z = OVERFLOWING[name]
    sentence = fails_with("activation-derivative", with_functions(f, fprime), LAYER, "non-finite",
                          activation=activation)
    assert sentence.startswith(f"layer 1's {function}(z) is NaN at z = {z}, where the mathematics is finite "
                               "(and finite at every probed z closer to 0)"), sentence


@pytest.mark.parametrize("name", list(FINITE))
def test_a_stable_or_saturating_activation_is_not_flagged(name: str) -> None:
    f, fprime, activation = FINITE[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning in the code under test must not become the judge's error
        warnings.filterwarnings("ignore", "overflow encountered", RuntimeWarning)
        warnings.filterwarnings("ignore", "invalid value encountered", RuntimeWarning)
        assert np.all(np.isfinite(f(PROBE_Z))) and np.all(np.isfinite(fprime(PROBE_Z)))
        passes("activation-derivative", with_functions(f, fprime), LAYER, activation=activation)


class OverflowModel(rows_separate_bias.MLP):
    """Model-level: both activations are exp(z)/(1 + exp(z))."""

    def __init__(self, sizes: list[int], activation: str) -> None:
        super().__init__(sizes, activation)
        self.f = self.out_f = naive_sigmoid
        self.df = self.out_df = sigmoid_prime_of(naive_sigmoid)


class LayersWithoutFunctions(NeuralNetwork):
    """Layer-level, the activation not exposed (held as `f`), predict the article's."""

    def __init__(self, sizes: list[int], activation: str, f: Callable[[Any], Any] = naive_sigmoid) -> None:
        super().__init__(sizes, activation)
        for layer in self.layers:
            layer.f, layer.df = f, sigmoid_prime_of(f)
            del layer.activation, layer.activation_prime
            layer.forward = self._forward(layer)  # type: ignore[method-assign]

    @staticmethod
    def _forward(layer: Layer) -> Callable[[Any], Any]:
        def forward(x: Any) -> Any:
            z = np.dot(x, layer.weight)
            layer.A, layer.dZ = layer.f(z), layer.df(z)  # type: ignore[attr-defined]
            return layer.A
        return forward


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_model_that_overflows_at_large_weights_fails_with_non_finite() -> None:
    sentence = fails_with("predict-is-forward", OverflowModel, MODEL, "non-finite", activation="sigmoid")
    assert "with every parameter set to 500" in sentence and "at least 1000" in sentence
    no_functions = Profile("layer-level", frozenset({"fit", "predict"}))
    sentence = fails_with("predict-is-forward", LayersWithoutFunctions, no_functions, "non-finite",
                          activation="sigmoid")
    assert "with every weight set to 500" in sentence


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize(("activation", "layers"), [("sigmoid", (2, 3, 1)), ("tanh", (2, 3, 1)),
                                                    ("relu", (3, 8, 8, 8, 4))])
def test_a_model_that_stays_finite_at_large_weights_passes(activation: str, layers: tuple[int, ...]) -> None:
    passes("predict-is-forward", rows_separate_bias.make, MODEL, activation=activation, layers=layers)
    no_functions = Profile("layer-level", frozenset({"fit", "predict"}))
    passes("predict-is-forward", lambda s, a: LayersWithoutFunctions(s, a, textbook_sigmoid), no_functions,
           activation="sigmoid", layers=layers)


# --------------------------------------------------------------------------- integer inputs


class BufferLayer(Layer):
    """A layer that stores its output in an array of its input's dtype (integers truncate it)."""

    def forward(self, x: Any) -> Any:
        z = np.dot(x, self.weight)
        self.A = np.zeros_like(x, shape=z.shape)  # the mistake when x holds integers
        self.A[...] = self.activation(z)
        self.dZ = self.activation_prime(z)
        return self.A


class BufferNetwork(NeuralNetwork):
    """Correct as long as its fit and predict hand the layers floats (the article's do: they cast x)."""

    def __init__(self, sizes: list[int], activation: str) -> None:
        super().__init__(sizes, activation)
        for layer in self.layers:
            layer.__class__ = BufferLayer


class IntegerPredict(BufferNetwork):
    """predict adds the constant 1 keeping x's dtype, so an integer x reaches the layers as integers."""

    def predict(self, x: Any) -> Any:
        a = np.concatenate(([1], np.asarray(x)))
        for layer in self.layers:
            a = layer.forward(a)
        return a


class IntegerFit(BufferNetwork):
    """fit adds the column of ones with np.insert, which keeps X's dtype: integer X reaches the layers as
    integers (and trains every row in turn)."""

    def fit(self, X: Any, y: Any, learning_rate: float = 0.1, epochs: int = 10000) -> None:
        X = np.insert(np.asarray(X), 0, 1, axis=1)
        for _ in range(epochs):
            for x, target in zip(X, y):
                inputs = [x]
                for layer in self.layers:
                    inputs.append(layer.forward(inputs[-1]))
                delta, right = target, None
                for layer in reversed(self.layers):
                    delta, right = layer.backward(delta, right), layer
                for layer, a in zip(self.layers, inputs):
                    layer.update(learning_rate, a)


def test_a_predict_that_truncates_integer_input_fails_with_input_dtype() -> None:
    sentence = fails_with("predict-is-forward", IntegerPredict, LAYER, "input-dtype")
    assert "as an integer array differs from the forward pass of the same values as floats" in sentence


def test_a_fit_that_truncates_integer_input_fails_with_input_dtype() -> None:
    sentence = fails_with("fit-one-sample", IntegerFit, LAYER, "input-dtype")
    assert "as integer arrays moved the weights differently from the same values as floats" in sentence
    passes("predict-is-forward", IntegerFit, LAYER)  # its predict casts: nothing to say there


@pytest.mark.parametrize("correct", [NeuralNetwork, BufferNetwork])
def test_a_network_that_casts_its_input_passes_with_integers(correct: type) -> None:
    passes("predict-is-forward", correct, LAYER)
    passes("fit-one-sample", correct, LAYER)


def test_a_model_that_truncates_integer_input_fails_and_one_that_casts_passes() -> None:
    module = style("rows_keeps_input_dtype")
    sentence = fails_with("predict-is-forward", module.make, MODEL, "input-dtype")
    assert "differs from predict(x) of the same values as floats" in sentence
    passes("predict-is-forward", style("float32_rows").make, MODEL)


# --------------------------------------------------------------------------- the catalogue's entries


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name", ["rows_predict_cached", "medium_sigmoid_overflow", "rows_keeps_input_dtype",
                                  "article_wrong_target"])
def test_the_style_entry_fails_with_its_expected_kinds(name: str) -> None:
    module = style(name)
    result = check_entry(module)
    for check_id, kinds in module.EXPECTED_KINDS.items():
        found = result.by_id(check_id)
        assert found.status == "failed", (check_id, found)
        assert set(kinds) <= {f.kind for f in found.findings}, (check_id, found.findings)


# --------------------------------------------------------------------------- fit on the wrong targets

LAYER_STYLES = HERE / "layer_styles"


@pytest.mark.parametrize("name", ["first_row_target.py:make", "first_target_schemes.py:full_batch",
                                  "first_target_schemes.py:every_row"])
def test_a_fit_on_the_first_row_s_target_fails_with_wrong_target_whatever_its_scheme(name: str) -> None:
    result = backprop.check(str(LAYER_STYLES / name), max_examples=2, only=["fit-two-samples"])
    found = result.by_id("fit-two-samples")
    assert found.status == "failed" and [f.kind for f in found.findings] == ["wrong-target"], found
    assert "with the first row's target for every row" in found.findings[0].sentence


@pytest.mark.parametrize("name", ["article", "full_batch_sum", "every_row", "mini_batch"])
def test_a_fit_on_each_row_s_own_target_passes(name: str) -> None:
    result = backprop.check(f"{LAYER_STYLES / name}.py:make", max_examples=2, only=["fit-two-samples"])
    assert result.passed, result.by_id("fit-two-samples")


class FirstTargetBatch(rows_separate_bias.MLP):
    """Model-level: a batch's gradients (and so its step) use the first row's target for every row."""

    def gradients(self, x: Any, y: Any) -> Any:
        Y = np.atleast_2d(y)
        return super().gradients(x, np.repeat(Y[:1], len(Y), axis=0))


def test_a_model_batch_on_the_first_row_s_target_fails_batch_is_sum_with_wrong_target() -> None:
    rows = MODEL.but(offers=MODEL.offers | {"rows"})
    sentence = fails_with("batch-is-sum", FirstTargetBatch, rows, "wrong-target")
    assert sentence.startswith("step(X, Y, lr) on a batch of 3 equals the mean of the one-sample results "
                               "with the first row's target for every row"), sentence
    passes("batch-is-sum", rows_separate_bias.make, rows)
