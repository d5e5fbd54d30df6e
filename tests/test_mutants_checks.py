"""What the checks say, word for word and number for number, where the rest of the suite only looks at a
finding's kind: the loader of the registry's functions; the sentences of the overflow, penalty, frozen,
stale-weights and learning-rate findings; the details and weights a failing case carries for its report;
and the relations judged only where they can be told apart (a descent step's cosine, a bias layout at
x = 1, stale weights with a layer to the right, a suspect only where the judge's backprop is confirmed).

Each test calls the smallest piece that shows the behaviour: a diagnosis function on a tiny array, or
one check on one fixed case driven in this process."""

from __future__ import annotations

import dataclasses
import pickle
import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from backprop.battery import checks
from backprop.battery.cases import make_case
from backprop.battery.checks import (
    activation,
    common,
    descent,
    identities,
    overflow,
    penalty,
    suspected,
)
from backprop.battery.checks.common import Evidence, model_estimates, parameter_labels, prepare
from backprop.battery.profile import Profile
from backprop.battery.protocols import LayerNetwork, LocalWorker, ModelNetwork, PluginError, open_network
from backprop.battery.runner import evaluate
from backprop.losses import HALF_SSE
from backprop.network import Layer, NeuralNetwork

sys.path.insert(0, str(Path(__file__).resolve().parent / "styles"))

from implementations import (  # noqa: E402
    cached_transposed_weights,
    fit_shuffles_in_place,
    sigmoid_prime_small_z,
)
from step_only_dict import Adapter  # noqa: E402
from styles import catalogue  # noqa: E402

MODEL = Profile("model-level", frozenset({"step", "predict"}))
CASE = make_case((2, 3, 1), "tanh", 0.1, 1.0, 11, HALF_SSE)


class Boundary(LocalWorker):
    """A worker in this process whose requests and replies cross a copy, as they cross the subject
    process's pipe: what the implementation does to its arguments stays on its side."""

    def request(self, name: str, *args: Any) -> Any:
        copied = pickle.loads(pickle.dumps(args))
        return pickle.loads(pickle.dumps(super().request(name, *copied)))


def estimate(value: Any, budget: float = 1e-12) -> Any:
    """What the findings read of a numerical estimate: its value and its budget."""
    value = np.asarray(value, dtype=float)
    return SimpleNamespace(value=value, budget=np.full(value.shape, budget))


# --------------------------------------------------------------------------- the registry's loader


def test_a_registry_function_string_loads_the_function_it_names() -> None:
    """"module:name" is the function `name` of backprop.battery.checks.module, itself."""
    assert checks._load("activation:activation_derivative") is activation.activation_derivative
    assert checks._load("descent:descent") is descent.descent


# --------------------------------------------------------------------------- activation-derivative


def test_layers_sharing_one_activation_are_judged_once() -> None:
    """The article's layers share one activation_prime: a wrong one is one wrong function, reported for
    the first layer that has it, not once per layer."""
    case = make_case((2, 3, 1), "sigmoid", 0.1, 1.0, 11, HALF_SSE)
    profile = Profile("layer-level", frozenset({"activation", "activation_prime"}))
    evidence = evaluate("activation-derivative", sigmoid_prime_small_z.make, case, HALF_SSE, profile)
    assert evidence.status == "failed"
    assert evidence.summary == "the activation's derivative is wrong in 1 of 1 layer"
    assert evidence.where == "layer 1's activation_prime, z[0]"
    assert [f.kind for f in evidence.findings] == ["wrong-derivative"]


# --------------------------------------------------------------------------- common


def test_a_delta_quoted_in_a_sentence_is_abridged_past_six_values() -> None:
    """A returned-not-stored sentence quotes the deltas: a wide layer's is cut to its ends."""
    assert common._values(np.array([0.5, -1.25])) == "[ 0.5 , -1.25]"
    assert common._values(np.arange(10.0)) == "[0., 1., 2., ..., 7., 8., 9.]"


# --------------------------------------------------------------------------- derived from the step


class _RateTwiceOnW1(Adapter):
    """The step moves W1 by lr² × its gradient, every other array by lr × its gradient."""

    def apply(self, grads: dict, lr: float) -> None:
        for name, g in grads.items():
            self.params[name] -= (lr * lr if name == "W1" else lr) * g


class _FixedRate(Adapter):
    """The step always moves by 0.1 × the gradient, whatever learning rate it is given."""

    def apply(self, grads: dict, lr: float) -> None:
        for name, g in grads.items():
            self.params[name] -= 0.1 * g


def test_the_learning_rate_applied_twice_names_the_arrays_it_is_applied_to() -> None:
    evidence = evaluate("update-is-sgd-step", _RateTwiceOnW1, CASE, HALF_SSE, MODEL)
    assert evidence.status == "failed"
    finding = evidence.findings[0]
    assert finding.kind == "scaled"
    assert finding.sentence.startswith("W1 moves by lr² × ∂L/∂p to ")
    assert finding.sentence.endswith(
        " at learning rates 0.1 and 0.0125, where the step is lr × ∂L/∂p: the learning rate is applied twice "
        "to it"
    )
    assert finding.params == {"learning_rates": [0.1, 0.0125], "where": "W1[0, 1]",
                              "factor": "the learning rate", "parameters": ["W1"]}


class _RateTwiceOnW1Float32(_RateTwiceOnW1):
    """The same step on float32 parameters: (W_before − W_after) / lr carries float32's rounding."""

    def __init__(self, sizes: list[int], activation: str = "tanh") -> None:
        super().__init__(sizes, activation)
        self.params = {name: p.astype(np.float32) for name, p in self.params.items()}


@pytest.mark.parametrize("scale", [1.0, 3.0])
def test_the_learning_rate_applied_twice_is_named_through_float32_rounding(scale: float) -> None:
    """lr² × ∂L/∂p is told from lr × ∂L/∂p only within the rounding of the stored weights' moves: in
    float32 that rounding is 1e-6 of the move, far above an exact comparison's tolerance."""
    case = make_case((2, 3, 1), "tanh", 0.1, scale, 11, HALF_SSE)
    evidence = evaluate("update-is-sgd-step", _RateTwiceOnW1Float32, case, HALF_SSE, MODEL)
    assert evidence.status == "failed"
    finding = evidence.findings[0]
    assert (finding.kind, finding.params["parameters"]) == ("scaled", ["W1"])
    assert finding.sentence.startswith("W1 moves by lr² × ∂L/∂p to ")  # the gradient, not "one fixed array"


def test_the_learning_rate_applied_twice_in_float32_at_a_small_rate_is_not_read_as_ignored() -> None:
    """At learning rate 0.01 float32's rounding of the moves, divided by the rate, is large; the
    moves themselves (lr × (W_before − W_after) / lr) are compared with only their own rounding, so the
    step is not said to ignore the learning rate: W1 moves by lr² × a fixed array."""
    case = make_case((2, 3, 1), "tanh", 0.01, 3.0, 12, HALF_SSE)
    evidence = evaluate("update-is-sgd-step", _RateTwiceOnW1Float32, case, HALF_SSE, MODEL)
    finding = evidence.findings[0]
    assert finding.kind == "scaled"
    assert finding.params == {"learning_rates": [0.01, 0.00125], "where": "W1[1, 1]",
                              "factor": "the learning rate", "parameters": ["W1"]}
    assert finding.sentence.startswith("W1 moves by lr² × ")
    assert finding.sentence.endswith(
        " at learning rates 0.01 and 0.00125, where the step is lr × ∂L/∂p: the learning rate is applied "
        "twice to it"
    )

def _at_two_rates(arrays: dict[str, tuple[np.ndarray, np.ndarray]]) -> Any:
    """Per named array, (g1, g2) derived from step at learning rates 0.1 and 0.0125, no rounding."""
    from backprop.battery.checks.derived import ModelGradient

    g1 = [pair[0] for pair in arrays.values()]
    g2 = [pair[1] for pair in arrays.values()]
    zeros = [np.zeros_like(g) for g in g1]
    return ModelGradient(g1, zeros, "", (0.1, 0.0125), [g1, g2], [zeros, zeros])


def test_the_learning_rate_applied_twice_to_two_arrays_names_both_in_the_plural() -> None:
    """W1 and b1 move by lr² × ∂L/∂p, W2 by lr × ∂L/∂p: both are named, joined by a comma, with the
    verb and pronoun of their number."""
    from backprop.battery.checks.derived import rate_disagreement
    from backprop.numerical.estimate import Estimate

    w1, b1, w2 = np.array([1.0, 2.0]), np.array([4.0]), np.array([0.5])
    gradient = _at_two_rates({"W1": (0.1 * w1, 0.0125 * w1), "b1": (0.1 * b1, 0.0125 * b1), "W2": (w2, w2)})
    estimates = [Estimate(g, np.full(g.shape, 1e-12), "central") for g in (w1, b1, w2)]
    found = rate_disagreement(gradient, ["W1", "b1", "W2"], estimates)
    assert found is not None
    finding = found[2]
    assert finding.kind == "scaled"
    assert finding.sentence == (
        "W1, b1 move by lr² × ∂L/∂p exactly at learning rates 0.1 and 0.0125, where the step is lr × ∂L/∂p: "
        "the learning rate is applied twice to them"
    )
    assert finding.params == {"learning_rates": [0.1, 0.0125], "where": "b1[0]",
                              "factor": "the learning rate", "parameters": ["W1", "b1"]}


def test_an_unnamed_array_s_element_is_placed_with_its_index_name() -> None:
    """A model whose parameters() gives no names has arrays "parameter 1 of 2": the disagreeing element
    is "parameter 1 of 2, p[1]", written as every other check writes it, not "parameter 1 of 2[1]"."""
    from backprop.battery.checks.derived import rate_disagreement
    from backprop.numerical.estimate import Estimate

    w, b = np.array([1.0, 2.0]), np.array([3.0])
    gradient = _at_two_rates({"1": (w, w + np.array([0.0, 1.0])), "2": (b, b)})
    estimates = [Estimate(g, np.full(g.shape, 1e-12), "central") for g in (w, b)]
    found = rate_disagreement(gradient, ["parameter 1 of 2", "parameter 2 of 2"], estimates, "p")
    assert found is not None
    where, details, finding = found
    assert where == "parameter 1 of 2, p[1]"
    assert details.startswith(
        "parameter 1 of 2, p[1]: (W_before − W_after) / lr is 2 at learning rate 0.1 and 3 at 0.0125"
    )
    assert finding.params["where"] == "parameter 1 of 2, p[1]"


def test_the_learning_rate_applied_twice_to_another_array_than_the_gradient_says_one_fixed_array() -> None:
    """W1 moves by lr² × (2, 4) where ∂L/∂p is (1, 2): the rate is applied twice, but to a fixed array
    that is not the gradient, and the sentence does not claim the gradient."""
    from backprop.battery.checks.derived import rate_disagreement
    from backprop.numerical.estimate import Estimate

    fixed = np.array([2.0, 4.0])
    gradient = _two_rates(0.1 * fixed, 0.0125 * fixed, np.zeros(2))
    estimates = [Estimate(np.array([1.0, 2.0]), np.full(2, 1e-12), "central")]
    found = rate_disagreement(gradient, ["W1"], estimates)
    assert found is not None
    finding = found[2]
    assert finding.kind == "scaled"
    assert finding.sentence == (
        "W1 moves by lr² × one fixed array at learning rates 0.1 and 0.0125, where the step is lr × ∂L/∂p: "
        "the learning rate is applied twice to it"
    )
    assert finding.params == {"learning_rates": [0.1, 0.0125], "where": "W1[1]",
                              "factor": "the learning rate", "parameters": ["W1"]}


def test_the_learning_rate_applied_twice_is_told_to_the_gradient_within_the_estimate_s_budget() -> None:
    """W1 moves by lr² × (1, 2.0001) where the estimate is (1, 2) with a budget of 1e-3: 1e-4 off, far
    above the relative tolerance alone (2e-6) but within the budget, so it is ∂L/∂p to 1e-04."""
    from backprop.battery.checks.derived import rate_disagreement
    from backprop.numerical.estimate import Estimate

    moved = np.array([1.0, 2.0001])
    gradient = _two_rates(0.1 * moved, 0.0125 * moved, np.zeros(2))
    estimates = [Estimate(np.array([1.0, 2.0]), np.full(2, 1e-3), "central")]
    found = rate_disagreement(gradient, ["W1"], estimates)
    assert found is not None
    finding = found[2]
    assert finding.kind == "scaled"
    assert finding.sentence == (
        "W1 moves by lr² × ∂L/∂p to 1e-04 at learning rates 0.1 and 0.0125, where the step is lr × ∂L/∂p: "
        "the learning rate is applied twice to it"
    )


class _Float32Step(Adapter):
    """A correct SGD step on float32 parameters: its moves carry float32's rounding of the weights."""

    def __init__(self, sizes: list[int], activation: str = "tanh") -> None:
        super().__init__(sizes, activation)
        self.params = {name: p.astype(np.float32) for name, p in self.params.items()}


def test_a_correct_float32_step_passes_within_the_rounding_of_its_moves() -> None:
    """At learning rate 0.01 the float32 weights' rounding, divided by the rate, is beyond the numerical
    estimate's budget: the derived gradient is judged with that rounding added, and passes."""
    case = make_case((2, 3, 1), "tanh", 0.01, 1.0, 11, HALF_SSE)
    evidence = evaluate("update-is-sgd-step", _Float32Step, case, HALF_SSE, MODEL)
    assert (evidence.status, evidence.where, evidence.findings) == ("passed", "", [])


def test_a_case_failed_only_on_the_learning_rates_keeps_its_weights_for_the_report() -> None:
    """At the case's learning rate (0.1) the fixed-rate step is right; only the second rate shows the
    rate ignored.  The failing evidence still carries the case's weights (the report's reproducer)."""
    evidence = evaluate("update-is-sgd-step", _FixedRate, CASE, HALF_SSE, MODEL)
    assert evidence.status == "failed"
    assert evidence.summary == (
        "the gradient derived from step(x, y, lr) differs between the two learning rates"
    )
    assert [f.kind for f in evidence.findings] == ["learning-rate-ignored"]
    expected = prepare(LocalWorker(_FixedRate), CASE, MODEL).copy_weights()
    assert evidence.weights is not None and len(evidence.weights) == len(expected) == 4
    for given, written in zip(evidence.weights, expected, strict=True):
        np.testing.assert_array_equal(given, written)


def test_a_step_ignoring_the_learning_rate_says_so_with_both_rates_and_where() -> None:
    """The fixed-rate step moves every array by the same amount at 0.1 and 0.0125: (W_before − W_after)
    / lr is 8 times larger at the second rate, and the finding names the learning rate ignored."""
    evidence = evaluate("update-is-sgd-step", _FixedRate, CASE, HALF_SSE, MODEL)
    finding = evidence.findings[0]
    assert (finding.kind, evidence.where) == ("learning-rate-ignored", "b2[0]")
    assert finding.sentence == (
        "step(x, y, lr) moves the weights by the same amount at learning rates 0.1 and 0.0125: the learning "
        "rate is ignored"
    )
    assert finding.params == {"learning_rates": [0.1, 0.0125], "where": "b2[0]"}
    assert evidence.details == (
        "b2[0]: (W_before − W_after) / lr is 0.0762697 at learning rate 0.1 and 0.610158 at 0.0125"
    )

def test_a_failing_layer_gradient_keeps_the_case_s_weights_for_the_report() -> None:
    case = make_case((2, 3, 1), "sigmoid", 0.1, 1.0, 11, HALF_SSE)
    profile = Profile("layer-level", frozenset({"activation", "activation_prime"}))
    evidence = evaluate("weight-gradient", sigmoid_prime_small_z.make, case, HALF_SSE, profile)
    assert evidence.status == "failed"
    expected = prepare(LocalWorker(sigmoid_prime_small_z.make), case, profile).copy_weights()
    assert evidence.weights is not None and len(evidence.weights) == len(expected) == 2
    for given, written in zip(evidence.weights, expected, strict=True):
        np.testing.assert_array_equal(given, written)


# --------------------------------------------------------------------------- descent


def test_an_uphill_finding_gives_the_cosine_of_the_step_with_the_gradient() -> None:
    """cos(d, ∇L) = d·∇L / (‖d‖ ‖∇L‖): (1, 0) against (2, 2) is 1/√2."""
    finding = descent._descent_finding(np.array([1.0, 0.0]), np.array([2.0, 2.0]), 1e-4)
    assert finding.kind == "uphill"
    assert finding.params == {"cosine": pytest.approx(2**-0.5, rel=1e-12)}
    assert finding.sentence == (
        "the step's cosine with −∇L is 0.71, a descent direction, yet the loss rose even with learning "
        "rate 0.0001"
    )


class _Uphill(Adapter):
    """The step adds lr × the gradient (W += where W −= belongs)."""

    def apply(self, grads: dict, lr: float) -> None:
        for name, g in grads.items():
            self.params[name] += lr * g


class _RecordsRates(Adapter):
    """A correct step that records, on the class, every learning rate it is called with."""

    rates: list[float] = []

    def step(self, x: np.ndarray, y: np.ndarray, learning_rate: float) -> None:
        type(self).rates.append(float(learning_rate))
        super().step(x, y, learning_rate)


def test_the_descent_check_derives_its_gradient_from_one_step_at_the_case_s_rate() -> None:
    """The descent check needs the gradient once, from step at the case's learning rate (0.1) alone: no
    step at 1/8 of it runs before its own step down the gradient (at 1e-2, which descends), so a model with
    state (momentum, a step count) takes it as it would after one step."""
    _RecordsRates.rates = []
    evidence = evaluate("descent", _RecordsRates, CASE, HALF_SSE, MODEL)
    assert evidence.status == "passed"
    assert _RecordsRates.rates == [0.1, 0.01]  # the gradient's step, then descent's first (1e-2) step

def test_a_model_stepping_uphill_is_measured_against_the_numerical_gradient() -> None:
    """No step lowers the loss; the step is then compared with ∇L of the model's own parameters, and the
    losses tried are the declared loss alone (no penalty declared, none added)."""
    evidence = evaluate("descent", _Uphill, CASE, HALF_SSE, MODEL)
    assert evidence.status == "failed" and evidence.summary == "no small step lowered the loss"
    assert evidence.details == (
        "loss 0.00337566 before the step; after a step with learning rate 0.01: 0.00352686, 0.001: "
        "0.00339064, 0.0001: 0.00337716"
    )
    finding = evidence.findings[0]
    assert finding.kind == "sign-flipped"
    assert finding.params["cosine"] == pytest.approx(-1.0, abs=1e-9)
    assert finding.sentence.endswith(
        " in all 13 weights: it goes up the gradient, so its sign is flipped (W += instead of W −=, or y − A)"
    )


# --------------------------------------------------------------------------- hygiene


def test_every_call_that_wrote_into_its_arguments_is_listed_in_the_details() -> None:
    profile = Profile("layer-level", frozenset({"fit", "predict"}))
    evidence = evaluate("inputs-unmodified", Boundary(fit_shuffles_in_place.make), CASE, HALF_SSE, profile)
    assert evidence.status == "failed" and evidence.where == "fit"
    assert evidence.summary == "2 call(s) modified their inputs"
    assert evidence.details == (
        "fit changed its argument X: 4 of 6 values differ afterwards\n"
        "fit changed its argument y: 2 of 3 values differ afterwards"
    )


class _DeltasDoublesX(Adapter):
    """deltas(x, y) doubles the caller's x in place."""

    def deltas(self, x: np.ndarray, y: np.ndarray) -> list:
        x *= 2.0
        return []


def test_a_model_whose_deltas_writes_into_x_is_told_so_by_the_argument_s_name() -> None:
    profile = Profile("model-level", frozenset({"step", "predict", "deltas"}))
    evidence = evaluate("inputs-unmodified", Boundary(_DeltasDoublesX), CASE, HALF_SSE, profile)
    assert evidence.status == "failed" and evidence.where == "deltas"
    assert evidence.details == "deltas changed its argument x: 2 of 2 values differ afterwards"
    assert evidence.findings[0].sentence.startswith("deltas changed its argument x: 2 of 2 values differ")


EPOCHS: list[int] = []


class _RecordsEpochs(NeuralNetwork):
    def fit(self, X: Any, y: Any, learning_rate: float = 0.1, epochs: int = 10000) -> None:
        EPOCHS.append(epochs)
        super().fit(X, y, learning_rate, epochs)


def test_the_determinism_check_trains_for_the_five_epochs_it_names() -> None:
    """Its sentences name fit(X, y, learning_rate, epochs=5): each of the two runs is that call."""
    EPOCHS.clear()
    profile = Profile("layer-level", frozenset({"fit", "predict"}))
    evidence = evaluate("deterministic", _RecordsEpochs, CASE, HALF_SSE, profile)
    assert evidence.status == "passed"
    assert EPOCHS == [5, 5]


# --------------------------------------------------------------------------- fit


LAYER_FIT = Profile("layer-level", frozenset({"fit", "predict"}), scheme="random-sample")


def test_a_fit_seen_to_take_the_1_where_the_layers_do_is_not_said_to_take_it_elsewhere() -> None:
    """fit was seen to put the 1 first, as the layers expect: a fit that drives wrong layers faithfully
    is "inherited" from the layers, never a bias-layout finding."""
    case = make_case((2, 3, 1), "sigmoid", 0.1, 1.0, 11, HALF_SSE)
    profile = LAYER_FIT.but(layouts=(("fit", "first"), ("predict", "first")))
    evidence = evaluate("fit-one-sample", sigmoid_prime_small_z.make, case, HALF_SSE, profile)
    assert evidence.status == "failed"
    assert [f.kind for f in evidence.findings] == ["inherited", "inherited"]
    assert [f.params["layer"] for f in evidence.findings] == [2, 1]


def test_a_stale_copy_of_the_right_layer_s_weights_says_how_closely_it_explains_the_step() -> None:
    evidence = evaluate("fit-two-samples", cached_transposed_weights.make, CASE, HALF_SSE, LAYER_FIT)
    assert evidence.status == "failed" and evidence.where == "layer 1 of 2, W[0, 1]"
    (finding,) = evidence.findings
    assert finding.kind == "stale-weights"
    assert re.fullmatch(
        r"layer 1's second step backpropagated through the weights the layer to its right had before the "
        r"first step, (exactly|to \de-\d\d): a copy of W \(or Wᵀ\) kept from an earlier step went stale; "
        r"read rightLayer\.weight afresh in each backward",
        finding.sentence,
    ), finding.sentence


class _ClippedLayer(Layer):
    """update clips each element of aᵀδ to [−0.05, 0.05]."""

    def update(self, learning_rate: float, left_a: Any) -> None:
        a, d = np.atleast_2d(left_a), np.atleast_2d(self.delta)
        self.weight -= learning_rate * np.clip(a.T.dot(d), -0.05, 0.05)


def _reference_with(**attributes: Any) -> Callable[[list[int], str], NeuralNetwork]:
    """A factory of the article's network with these attributes set on every layer."""

    def make(layers: list[int], activation: str) -> NeuralNetwork:
        net = NeuralNetwork(layers, activation)
        for layer in net.layers:
            for name, value in attributes.items():
                setattr(layer, name, value)
        return net

    return make


def _made_of(layer_class: type[Layer]) -> Callable[[list[int], str], NeuralNetwork]:
    """A factory of the article's network with every layer of `layer_class`."""
    return _reference_with(__class__=layer_class)


_clipped = _made_of(_ClippedLayer)


def test_fit_s_second_epoch_is_judged_as_a_step_clipped_or_following_the_sign() -> None:
    """The second epoch is a step: the patterns only a step shows (a clipped gradient, the gradient's
    sign) are looked for."""
    evidence = evaluate("fit-two-samples", _clipped, CASE, HALF_SSE, LAYER_FIT)
    assert evidence.status == "failed"
    assert [f.kind for f in evidence.findings] == ["not-sgd-step", "not-sgd-step"]
    sign, clip = evidence.findings
    assert sign.params["size"] == pytest.approx(0.05, rel=1e-12)
    assert clip.params["clip"] == pytest.approx(0.05, rel=1e-12) and clip.params["clipped"] == 5


class _RateOffBy3e7(NeuralNetwork):
    """fit steps with learning_rate × (1 + 3e-7): wrong beyond the exact budget, within a relation's."""

    def fit(self, X: Any, y: Any, learning_rate: float = 0.1, epochs: int = 10000) -> None:
        super().fit(X, y, learning_rate * (1 + 3e-7), epochs)


def test_a_one_layer_network_is_never_said_to_use_stale_weights_of_a_layer_to_its_right() -> None:
    case = make_case((2, 1), "tanh", 0.1, 1.0, 11, HALF_SSE)
    evidence = evaluate("fit-two-samples", _RateOffBy3e7, case, HALF_SSE, LAYER_FIT)
    assert evidence.status == "failed" and evidence.where == "layer 1 of 1, W[0, 0]"
    assert evidence.findings == []


# --------------------------------------------------------------------------- identities


def test_an_input_of_ones_gives_no_bias_layout_finding() -> None:
    """With x = (1, …, 1), [1, x] and [x, 1] are the same input: a predict slightly off the forward pass
    (beyond the exact tolerance, within a relation's) is not said to put the 1 at the other end."""
    profile = Profile("layer-level", frozenset({"predict"}))
    net = open_network(LocalWorker(NeuralNetwork), [2, 3, 1], "tanh", profile)
    assert isinstance(net, LayerNetwork)
    x = np.ones(2)
    prediction = net.forward(profile.with_one(x))[-1] * (1 + 1e-7)
    evidence = Evidence("failed")
    identities._bias_diagnosis(net, x, prediction, profile, evidence)
    assert evidence.findings == []


# --------------------------------------------------------------------------- overflow


def test_an_output_holding_both_nan_and_inf_is_said_to() -> None:
    finding = overflow.forward_finding("predict(x)", "weight", 500.0, 2, np.array([np.nan, np.inf, 0.5]))
    assert finding is not None and finding.kind == "non-finite"
    assert finding.sentence == (
        "predict(x) at x = (1, …, 1) with every weight set to 500 holds NaN and inf in 2 of 3 output(s): a "
        "first layer computing x·W (+ b) then has pre-activations of magnitude at least 1000 (2 input(s) × "
        "500), where the mathematics is finite; compute the activations in a form that does not overflow "
        "(np.tanh; a sigmoid from exp(−|z|))"
    )
    assert finding.params == {"call": "predict(x)", "weight": 500.0, "count": 2}


def test_a_non_finite_activation_names_the_points_probed() -> None:
    """exp(z) / (1 + exp(z)) is NaN past z = 709.78: the sentence gives where, how often and the probe."""
    z = overflow.PROBE_Z
    values = np.where(z > 709.78, np.nan, 0.5)
    finding = overflow.activation_finding("layer 1's activation", z, values)
    assert finding is not None
    assert finding.sentence == (
        "layer 1's activation(z) is NaN at z = 710, where the mathematics is finite (and finite at every "
        "probed z closer to 0); it is NaN or inf at 30 of the 200 points probed, z = ±10, ±20, …, ±1000: "
        "compute it in a form that does not overflow (np.tanh; a sigmoid from exp(−|z|))"
    )
    assert finding.params == {"function": "layer 1's activation", "z": 710.0, "count": 30}


# --------------------------------------------------------------------------- penalty


def test_a_penalty_gradient_of_an_unnamed_factor_gets_no_hint() -> None:
    """λ·W found 3 × too large (λ = 0.25 declared): the factor is given, with no cause after it."""
    weights = [np.array([[1.0, 2.0], [-1.0, 0.5]]), np.array([0.5, -0.25])]
    grads = [0.75 * weights[0], np.zeros(2)]
    estimates = [estimate(np.zeros((2, 2))), estimate(np.zeros(2))]
    profile = Profile("model-level", l2=0.25)
    samples = [(grads, estimates)]
    finding = penalty.regularisation_finding(samples, weights, profile, True, "the weight gradient")
    assert finding is not None and finding.kind == "regularisation"
    assert finding.sentence == (
        "the weight gradient equals ∂C/∂W + 3 × λ·W (λ = 0.25 declared) exactly: the penalty's gradient "
        "has a wrong factor"
    )
    assert finding.params == {"l2": 0.75, "declared": 0.25, "factor": 3.0}


def test_no_declared_penalty_adds_nothing_to_the_loss() -> None:
    weights = [np.array([[1.0, 2.0]]), np.array([3.0])]
    assert penalty.penalty_value(weights, Profile("model-level"), True) == 0.0
    assert penalty.penalty_value(weights, Profile("model-level", l2=0.5), True) == 1.25


# --------------------------------------------------------------------------- suspected


@pytest.mark.parametrize(
    ("frozen", "ending"),
    [((0,), "b1 is left out"), ((0, 1), "b1, W2 are left out")],
)
def test_frozen_arrays_are_named_with_the_verb_of_their_number(frozen: tuple[int, ...], ending: str) -> None:
    labels = ["b1", "W2", "b2"]
    expected = [np.array([0.5, -0.5]), np.array([[1.0], [2.0]]), np.array([0.25])]
    given = [np.zeros_like(e) if i in frozen else e.copy() for i, e in enumerate(expected)]
    found = suspected.frozen_arrays(given, [estimate(e) for e in expected], labels, "the step")
    assert len(found) == 1 and found[0].kind == "frozen"
    assert found[0].sentence.endswith(": " + ending)
    assert found[0].params == {"parameters": [labels[i] for i in frozen]}


def test_no_suspect_is_named_when_the_judge_s_backprop_disagrees_with_the_estimates() -> None:
    """The suspects are mistakes of the judge's own backprop of the network: named only when that
    backprop agrees with the numerical gradient the arrays were judged against (here 3 × the true one,
    so the sign-flipped gradient, named against the true estimates, is not named)."""
    net = prepare(LocalWorker(catalogue()["rows_sign_flipped"].make), CASE, Profile(protocol="model-level"))
    assert isinstance(net, ModelNetwork)
    estimates = model_estimates(net, CASE, HALF_SSE)
    gradients = net.gradients(CASE.x, CASE.y, [a.shape for a in net.weight_arrays()])
    labels = parameter_labels(net)[0]
    named = suspected.findings(net, CASE, HALF_SSE, gradients, estimates, "every gradient", labels=labels)
    assert [f.kind for f in named] == ["sign-flipped"]
    tripled = [dataclasses.replace(e, value=3 * np.asarray(e.value)) for e in estimates]
    assert suspected.findings(net, CASE, HALF_SSE, gradients, tripled, "every gradient", labels=labels) == []


# --------------------------------------------------------------------------- the fresh sample's survivors


def test_a_fit_that_takes_the_1_first_when_the_battery_was_told_last_is_a_bias_layout_finding() -> None:
    """The article's fit puts the 1 first; told bias="last" (and fit seen to take it first), each layer's
    move is explained by a step on x with the 1 first, in full."""
    case = make_case((2, 3, 1), "sigmoid", 0.1, 1.0, 11, HALF_SSE)
    profile = LAYER_FIT.but(bias="last", layouts=(("fit", "first"), ("predict", "first")))
    evidence = evaluate("fit-one-sample", NeuralNetwork, case, HALF_SSE, profile)
    assert evidence.status == "failed"
    assert [f.params for f in evidence.findings] == [
        {"layer": 2, "fit": "first", "assumed": "last", "agreement": 0.0},
        {"layer": 1, "fit": "first", "assumed": "last", "agreement": 0.0},
    ]
    assert evidence.findings[1].sentence == (
        "fit moved layer 1 as one step on x with the constant 1 first does, exactly: fit takes the 1 first, "
        "not last as the battery was told; declare bias='first'"
    )


def test_the_second_epoch_of_a_summed_batch_is_said_to_be_judged_against_the_rows_gradients_summed() -> None:
    from backprop.battery.checks.fit import _expected
    from backprop.battery.schemes import epoch_paths, parse_scheme

    def said(name: str) -> str:
        scheme = parse_scheme(name)
        return _expected(scheme, epoch_paths(scheme, 2)[0])

    assert said("full-batch-sum") == "2 × ∇L (the 2 rows' gradients summed)"
    assert said("full-batch-mean") == "∇L"
    assert said("per-sample") == "2 steps' ∇L in turn, one per row"


def test_two_steps_in_turn_carry_the_first_step_s_budget_twice() -> None:
    """The second step starts from the first one's estimated landing: the epoch's budget is the first
    step's twice (its own move, and where the second began) plus the second's."""
    from backprop.battery.checks.fit import _added
    from backprop.numerical.estimate import Estimate

    first = Estimate(np.array([1.0, 2.0]), np.array([1e-9, 2e-9]), "central")
    second = Estimate(np.array([3.0, -4.0]), np.array([1e-10, 3e-10]), "central")
    total = _added(first, second)
    np.testing.assert_array_equal(total.value, [4.0, -2.0])
    np.testing.assert_allclose(total.budget, [2.1e-9, 4.3e-9], rtol=1e-12)


class _LossDoublesX(Adapter):
    """loss(x, y) doubles the caller's x in place."""

    def loss(self, x: np.ndarray, y: np.ndarray) -> float:
        x *= 2.0
        return 0.0


class _ReshapesX(Adapter):
    """loss(x, y) reshapes the caller's x in place: the same values, another shape."""

    def loss(self, x: np.ndarray, y: np.ndarray) -> float:
        x.shape = (1, -1)
        return 0.0


@pytest.mark.parametrize("model, details", [
    (_LossDoublesX, "loss changed its argument x: 2 of 2 values differ afterwards"),
    (_ReshapesX, "loss replaced its argument x"),
])
def test_a_model_whose_loss_writes_into_x_is_told_so_by_the_call_and_the_argument_s_name(
    model: type, details: str
) -> None:
    """Where the evidence points is the call alone, "loss", whether it changed x or replaced it."""
    profile = Profile("model-level", frozenset({"step", "predict", "loss"}))
    evidence = evaluate("inputs-unmodified", Boundary(model), CASE, HALF_SSE, profile)
    assert evidence.status == "failed" and evidence.where == "loss"
    assert evidence.details == details
    assert [(f.kind, f.params) for f in evidence.findings] == [("in-place", {"calls": 1})]


def test_initial_weights_that_np_random_seed_does_not_reproduce_fail_the_determinism_check() -> None:
    from implementations import unseeded_initial_weights

    profile = Profile("layer-level", frozenset({"fit", "predict"}))
    evidence = evaluate("deterministic", unseeded_initial_weights.make, CASE, HALF_SSE, profile)
    assert evidence.status == "failed" and evidence.where == "layer 1"
    assert evidence.summary == "the same np.random.seed gave different initial weights"
    assert [f.kind for f in evidence.findings] == ["nondeterministic"]
    assert evidence.findings[0].params == {"stage": "initial", "layer": 1, "differ": 12}


def test_a_value_that_is_not_numbers_is_refused_in_one_sentence_and_numbers_are_floats() -> None:
    with pytest.raises(PluginError) as raised:
        overflow.numbers("predict(x)", "0.5, 1")
    assert str(raised.value) == "predict(x) is not an array of real numbers (str)"
    assert overflow.numbers("predict(x)", [1, 2]).dtype == np.float64


def test_biases_left_out_of_a_penalty_declared_on_them_are_a_regularisation_finding() -> None:
    """l2 = 0.25 declared with l2_biases: the weights carry λ·W, the biases' gradient is ∂C/∂b alone."""
    weights = [np.array([[1.0, 2.0], [-1.0, 0.5]]), np.array([0.5, -0.25])]
    grads = [0.25 * weights[0], np.zeros(2)]
    estimates = [estimate(np.zeros((2, 2))), estimate(np.zeros(2))]
    profile = Profile("model-level", l2=0.25, l2_biases=True)
    finding = penalty.regularisation_finding([(grads, estimates)], weights, profile, True, "the gradient")
    assert finding is not None and finding.kind == "regularisation"
    assert finding.params == {"l2": 0.0, "biases": True}
    assert finding.sentence.startswith("the gradient does not penalise the biases, though l2_biases=True")


def test_biases_penalised_against_the_declaration_are_found_when_every_weight_is_zero() -> None:
    """W = 0 shows no λ·W, but the biases still carry the declared λ·b: that is said, not skipped."""
    weights = [np.zeros((2, 2)), np.array([0.5, -0.25])]
    grads = [np.zeros((2, 2)), 0.25 * weights[1]]
    estimates = [estimate(np.zeros((2, 2))), estimate(np.zeros(2))]
    profile = Profile("model-level", l2=0.25)
    finding = penalty.regularisation_finding([(grads, estimates)], weights, profile, True, "the gradient")
    assert finding is not None and finding.kind == "regularisation"
    assert finding.params == {"l2": 0.25, "biases": True}
    assert finding.sentence.startswith("the gradient penalises the biases too")
    clean = [np.zeros((2, 2)), np.zeros(2)]
    unpenalised = [(clean, estimates)]
    assert penalty.regularisation_finding(unpenalised, weights, profile, True, "the gradient") is None


class _HalfPrecisionOutputLayer(Layer):
    """The output layer hands its A back in float16; the hidden layers' stay float64."""

    def forward(self, x: Any) -> Any:
        a = super().forward(x)
        return a.astype(np.float16) if self.isoutputLayer else a


_half_precision_output = _made_of(_HalfPrecisionOutputLayer)


def test_a_loss_change_below_the_output_s_own_precision_is_too_small_to_measure_not_a_failure() -> None:
    """What a step must move the loss by is set by the precision of the network's output (float16 here),
    not by that of a hidden layer's activations: a correct network whose steps are lost in float16's
    rounding passes, the gradient too small to move its loss."""
    case = make_case((2, 2, 1), "tanh", 0.1, 3.0, 1, HALF_SSE)
    profile = Profile("layer-level", frozenset({"fit", "predict"}))
    evidence = evaluate("descent", _half_precision_output, case, HALF_SSE, profile)
    assert evidence.status == "passed"
    assert evidence.summary == "the gradient is too small for the loss to move measurably"


# --------------------------------------------------------------------------- third sample


class _FirstRowTarget:
    """A tanh model offering gradients(x, y) but no step, whose batch gradient trains every row on the
    first row's target."""

    def __init__(self, sizes: list[int], activation: str = "tanh") -> None:
        self.n = len(sizes) - 1
        self.params = {}
        for number in range(1, self.n + 1):
            self.params[f"W{number}"] = np.random.randn(sizes[number - 1], sizes[number])
            self.params[f"b{number}"] = np.zeros(sizes[number])

    def parameters(self) -> dict:
        return self.params

    def _outputs(self, x: np.ndarray) -> list[np.ndarray]:
        outputs = [x]
        for number in range(1, self.n + 1):
            outputs.append(np.tanh(outputs[-1] @ self.params[f"W{number}"] + self.params[f"b{number}"]))
        return outputs

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self._outputs(x)[-1]

    def gradients(self, x: np.ndarray, y: np.ndarray) -> dict:
        X, Y = np.atleast_2d(x), np.atleast_2d(y)
        outputs = self._outputs(X)
        dA, grads = outputs[-1] - Y[0], {}
        for number in range(self.n, 0, -1):
            dZ = dA * (1 - outputs[number] ** 2)
            grads[f"W{number}"] = outputs[number - 1].T @ dZ
            grads[f"b{number}"] = dZ.sum(axis=0)
            dA = dZ @ self.params[f"W{number}"].T
        return grads


def test_a_gradients_only_model_trained_on_the_first_row_s_target_is_a_wrong_target() -> None:
    """Without step, the batch's gradients(X, Y) is compared with the one-sample gradients(x, Y[0])."""
    profile = Profile("model-level", frozenset({"gradients", "predict"}))
    evidence = evaluate("batch-is-sum", _FirstRowTarget, CASE, HALF_SSE, profile)
    assert evidence.status == "failed"
    assert [(f.kind, f.params) for f in evidence.findings] == [
        ("wrong-target", {"call": "gradients(X, Y)", "rows": 3})
    ]
    assert evidence.findings[0].sentence.startswith(
        "gradients(X, Y) on a batch of 3 equals the sum of the one-sample results with the first row's "
        "target for every row, to "
    )


class _OutputDeltaWrong(Adapter):
    """deltas(x, y) of the dict model with one mistake in the output layer's delta: `output` gives the
    delta it reports and the one it backpropagates, from dA = A − y and f'(z)."""

    def output(self, dA: np.ndarray, fprime: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError

    def deltas(self, x: np.ndarray, y: np.ndarray) -> list:
        self.forward(x)
        deltas: list = []
        dA = self.cache[f"A{self.n}"] - y
        for number in range(self.n, 0, -1):
            fprime = self.df(self.cache[f"Z{number}"])
            reported, dZ = self.output(dA, fprime) if number == self.n else (dA * fprime, dA * fprime)
            deltas.insert(0, reported)
            dA = self.params[f"W{number}"] @ dZ
        return deltas


class _OutputDeltaMissingFprime(_OutputDeltaWrong):
    """The output layer's f'(z) left out (dZ = A − y there), and the hidden deltas built on that dZ."""

    def output(self, dA: np.ndarray, fprime: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return dA, dA


def test_a_model_s_wrong_output_delta_is_named_by_its_bias_and_the_mistake_every_delta_reproduces() -> None:
    """A model's delta is judged against its bias's gradient, and is reported by that bias's name (b2);
    the usual mistake is the one the whole network's deltas reproduce."""
    profile = Profile("model-level", frozenset({"step", "predict", "deltas"}))
    evidence = evaluate("output-delta", _OutputDeltaMissingFprime, CASE, HALF_SSE, profile)
    assert evidence.status == "failed"
    assert evidence.where == "layer 2 of 2 (output) (b2), unit 0"
    assert [f.kind for f in evidence.findings] == ["missing-fprime"]
    assert evidence.findings[0].params == {
        "layers": [2],
        "mistake": "backprop with the factor f'(z) missing at the output layer",
        "gap": pytest.approx(0.0, abs=1e-15),
        "changed": ["layer 1 of 2", "layer 2 of 2 (output)"],
    }


def test_a_gradient_derived_from_step_says_how_it_was_derived() -> None:
    """A step-only model's gradient is (W_before − W_after) / lr at two learning rates; the note says so."""
    evidence = evaluate("update-is-sgd-step", Adapter, CASE, HALF_SSE, MODEL)
    assert evidence.status == "passed"
    assert evidence.note == ("gradients derived from step(x, y, lr) as (W_before − W_after) / lr at the "
                             "case's learning rate and at 1/8 of it")


# --------------------------------------------------------------------------- fourth sample


def test_a_derivative_drifting_from_zero_is_measured_on_the_fixed_grid_alone() -> None:
    """The drift is read on the grid symmetric about 0, never on the case's own z appended after it
    (here 0.3 and −2): the levels and errors are the grid's seven |z|."""
    from backprop.activations import get_activation

    points = np.concatenate((activation._GRID, [0.3, -2.0]))
    true = get_activation("sigmoid").derivative(points)
    finding = activation._derivative_diagnosis(0.25 - points**2 / 16, estimate(true), points, "sigmoid")
    assert finding is not None and finding.kind == "wrong-derivative"
    assert finding.params["formula"] == "an approximation near 0"
    assert finding.params["at"] == [0.1, 0.5, 1.5, 3.0, 4.5, 6.0, 12.0]
    assert len(finding.params["errors"]) == 7
    assert finding.params["errors"][3] == pytest.approx(7.917288747361101, rel=1e-9)


def test_passing_evidence_carries_the_worst_relative_error_of_its_comparisons() -> None:
    """The table's error column: a pass still shows how close it came (the largest of the arrays')."""
    close = common.compare_exact("layer 1 of 2", "unit", np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-12]))
    exact = common.compare_exact("layer 2 of 2 (output)", "unit", np.array([4.0]), np.array([4.0]))
    evidence = common.evidence_from([close, exact], "the delta")
    assert evidence.status == "passed"
    assert evidence.rel_error == close.max_rel_error == pytest.approx(1e-12 / 2.000000000001, rel=1e-6)


def test_a_delta_made_with_the_layer_s_own_wrong_activation_prime_names_the_layer_and_agreement() -> None:
    case = make_case((2, 3, 1), "sigmoid", 0.1, 1.0, 11, HALF_SSE)
    profile = Profile("layer-level", frozenset({"activation", "activation_prime"}))
    evidence = evaluate("output-delta", sigmoid_prime_small_z.make, case, HALF_SSE, profile)
    assert evidence.status == "failed"
    assert [(f.kind, f.params) for f in evidence.findings] == [
        ("wrong-derivative", {"layer": 2, "agreement": 0.0})
    ]


def test_a_gradient_derived_at_one_learning_rate_says_only_that_rate() -> None:
    """descent derives a step-only model's gradient at the case's rate alone: its note names no second."""
    from backprop.battery.checks.derived import derived_gradient

    net = prepare(LocalWorker(Adapter), CASE, MODEL)
    assert isinstance(net, ModelNetwork)
    gradient = derived_gradient(net, CASE, CASE.x, CASE.y, two_rates=False)
    assert gradient.rates == (0.1,)
    assert gradient.note == (
        "gradients derived from step(x, y, lr) as (W_before − W_after) / lr at the case's learning rate"
    )


def test_an_update_that_follows_its_wrong_stored_delta_says_how_closely() -> None:
    """update-is-sgd-step on layers whose delta is wrong: each layer's move is lr × aᵀδ of its own delta,
    and the sentence gives how closely, in words."""
    from backprop.battery import diagnosis

    case = make_case((2, 3, 1), "sigmoid", 0.1, 1.0, 11, HALF_SSE)
    profile = Profile("layer-level", frozenset({"activation", "activation_prime"}))
    evidence = evaluate("update-is-sgd-step", sigmoid_prime_small_z.make, case, HALF_SSE, profile)
    assert evidence.status == "failed"
    assert [f.kind for f in evidence.findings] == ["inherited", "inherited"]
    for finding, number in zip(evidence.findings, (2, 1), strict=True):
        assert finding.params == {"layer": number, "from": "delta", "agreement": finding.params["agreement"]}
        assert finding.sentence == (
            f"layer {number} moved by learning rate × aᵀδ of its own stored delta "
            f"{diagnosis.within(finding.params['agreement'])}: update applies the step correctly, and the "
            "error is in the delta (see the delta checks)"
        )


class _LossHalvesY(Adapter):
    """loss(x, y) halves the caller's y in place."""

    def loss(self, x: np.ndarray, y: np.ndarray) -> float:
        y *= 0.5
        return 0.0


def test_a_model_whose_loss_writes_into_y_is_told_so_by_the_argument_s_name() -> None:
    profile = Profile("model-level", frozenset({"step", "predict", "loss"}))
    evidence = evaluate("inputs-unmodified", Boundary(_LossHalvesY), CASE, HALF_SSE, profile)
    assert evidence.status == "failed" and evidence.where == "loss"
    assert evidence.details == "loss changed its argument y: 1 of 1 values differ afterwards"


class _FitHangs(LocalWorker):
    """A worker whose subject never comes back from fit: the request ends with SubjectEnded."""

    def request(self, name: str, *args: Any) -> Any:
        if name == "method" and args[0] == "fit":
            from backprop.subject import SubjectEnded

            raise SubjectEnded("the implementation did not finish within 1 s")
        return super().request(name, *args)


def test_a_fit_that_never_returns_in_the_determinism_check_is_named_by_the_call_it_was() -> None:
    profile = Profile("layer-level", frozenset({"fit", "predict"}))
    with pytest.raises(PluginError) as raised:
        checks.hygiene.deterministic(_FitHangs(NeuralNetwork), CASE, HALF_SSE, profile)
    assert str(raised.value).startswith(
        "fit(X, y, learning_rate, epochs=5) raised SubjectEnded: the implementation did not finish within 1 s"
    )


def test_a_predict_taking_the_1_at_the_other_end_than_the_battery_is_a_bias_layout_finding() -> None:
    """The battery put the 1 first and has not seen where fit puts it: predict(x) equal to the forward
    pass with the 1 last is a bias-layout finding, with a hint to declare it."""
    profile = Profile("layer-level", frozenset({"predict"}))
    net = open_network(LocalWorker(NeuralNetwork), [2, 3, 1], "tanh", profile)
    assert isinstance(net, LayerNetwork)
    x = np.array([0.5, -0.25])
    prediction = net.forward(profile.but(bias="last").with_one(x))[-1]
    evidence = Evidence("failed")
    identities._bias_diagnosis(net, x, prediction, profile, evidence)
    assert [(f.kind, f.params) for f in evidence.findings] == [
        ("bias-layout", {"predict": "last", "assumed": "first"})
    ]


def test_a_bias_gradient_summed_over_the_units_names_both_axes_and_the_shape_given() -> None:
    from backprop.battery.protocols import GradientShapeError

    right = np.array([0.5, -0.25, 1.0])
    error = GradientShapeError("b1 misshapen", 1, [np.zeros((2, 3)), np.array([1.25])], [(2, 3), (3,)])
    finding = suspected.wrong_axis(error, [estimate(np.zeros((2, 3))), estimate(right)], ["W1", "b1"])
    assert finding is not None and finding.kind == "wrong-axis"
    assert finding.params == {"parameter": "b1", "axis": 1, "expected_axis": 0, "shape": [1]}


# --------------------------------------------------------------------------- fifth sample


def _tanh_as_a_row(z: np.ndarray) -> np.ndarray:
    return np.atleast_2d(np.tanh(z))


def _layers_with_activation(function: Callable[[np.ndarray], np.ndarray]) -> Callable[..., NeuralNetwork]:
    """A factory of the article's network whose every layer's activation is `function`."""
    return _reference_with(activation=function)


def test_an_activation_returning_its_values_as_a_row_is_judged_one_value_per_z() -> None:
    """tanh handed back as a (1, n) row holds one value per z: it is read in z's shape, and its derivative
    is judged (and found right), not refused for its shape."""
    profile = Profile("layer-level", frozenset({"activation", "activation_prime"}))
    factory = _layers_with_activation(_tanh_as_a_row)
    evidence = evaluate("activation-derivative", factory, CASE, HALF_SSE, profile)
    assert (evidence.status, evidence.summary, evidence.findings) == ("passed", "", [])


def test_an_activation_returning_fewer_values_than_z_is_refused_with_both_shapes() -> None:
    with pytest.raises(PluginError) as raised:
        activation._call_activation(lambda v: np.tanh(v[:1]), np.array([0.5, -1.0]), 1)
    assert str(raised.value) == "layer 1's activation(z) has shape (1,), expected (2,)"


def test_evidence_with_nothing_to_compare_passes_and_says_what_there_was_none_of() -> None:
    evidence = common.evidence_from([], "the hidden delta")
    assert (evidence.status, evidence.summary) == ("passed", "nothing to compare (the hidden delta)")


def test_a_failing_summary_counts_the_layers_or_parameter_arrays_in_the_plural() -> None:
    right = common.compare_exact("layer 1 of 2", "unit", np.array([1.0]), np.array([1.0]))
    wrong = common.compare_exact("layer 2 of 2 (output)", "unit", np.array([2.0]), np.array([1.0]))
    assert common.evidence_from([right, wrong], "the delta").summary == "the delta is wrong in 1 of 2 layers"
    arrays = [common.compare_exact(name, "", np.array([2.0]), np.array([1.0])) for name in ("W1", "b1")]
    assert common.evidence_from(arrays, "the gradient").summary == (
        "the gradient is wrong in 2 of 2 parameter arrays"
    )


class _OutputDeltaOnly(Adapter):
    """deltas(x, y) gives the output layer's delta alone, though the model has two bias vectors."""

    def deltas(self, x: np.ndarray, y: np.ndarray) -> list:
        self.forward(x)
        return [(self.cache[f"A{self.n}"] - y) * self.df(self.cache[f"Z{self.n}"])]


def test_deltas_that_do_not_match_the_bias_vectors_one_to_one_are_skipped_with_the_reason() -> None:
    profile = Profile("model-level", frozenset({"step", "predict", "deltas"}))
    evidence = evaluate("output-delta", _OutputDeltaOnly, CASE, HALF_SSE, profile)
    assert (evidence.status, evidence.summary) == (
        "skipped",
        "deltas(x, y) cannot be checked: parameters() does not hold one bias vector per layer, whose "
        "gradient would be that layer's ∂L/∂z",
    )


class _OutputDeltaSignFlipped(_OutputDeltaWrong):
    """The output delta alone negated; the hidden ones are backpropagated from the right one."""

    def output(self, dA: np.ndarray, fprime: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return -dA * fprime, dA * fprime


def test_a_model_s_output_delta_of_the_wrong_sign_alone_is_said_to_be_flipped() -> None:
    """No mistake of the whole network explains it, so the generic relations are looked for, within the
    budget of the bias gradient's estimate: −1 × it, to 9e-12."""
    profile = Profile("model-level", frozenset({"step", "predict", "deltas"}))
    evidence = evaluate("output-delta", _OutputDeltaSignFlipped, CASE, HALF_SSE, profile)
    assert evidence.status == "failed" and evidence.where == "layer 2 of 2 (output) (b2), unit 0"
    (finding,) = evidence.findings
    assert (finding.kind, finding.params["factor"]) == ("sign-flipped", -1.0)
    assert finding.sentence == (
        "the values equal −1 × the expected ones to 9e-12 in the only element: the sign is flipped (A − y "
        "written y − A, or a gradient added instead of subtracted)"
    )


def test_an_output_delta_of_a_minus_y_also_names_cross_entropy_and_the_loss_declared() -> None:
    """A − y with half-SSE declared: f'(z) is missing, or the loss meant is bce; the second finding says
    which loss it would be and which was declared."""
    from implementations import output_delta_missing_fprime

    profile = Profile("layer-level", frozenset({"activation", "activation_prime"}))
    evidence = evaluate("output-delta", output_delta_missing_fprime.make, CASE, HALF_SSE, profile)
    assert evidence.status == "failed"
    assert [f.kind for f in evidence.findings] == ["missing-fprime", "loss-mismatch"]
    also = evidence.findings[1]
    assert also.params == {"loss": "bce", "declared": "half_sse"}
    assert also.sentence == (
        "the output delta A − y is that of cross-entropy on sigmoid outputs (bce); declare it with "
        "loss='bce' if it is the one meant"
    )


def _two_rates(g1: np.ndarray, g2: np.ndarray, rounding: np.ndarray) -> Any:
    """The gradient of one array W1 derived from step at learning rates 0.1 and 0.0125."""
    from backprop.battery.checks.derived import ModelGradient

    return ModelGradient([g1], [rounding], "", (0.1, 0.0125), [[g1], [g2]], [[rounding], [rounding]])


def test_a_step_that_is_not_sgd_says_how_far_its_derived_gradient_moved_between_the_rates() -> None:
    """(1, 2) at lr 0.1 and (1, 2.5) at 0.0125: neither lr-linear, lr-free nor lr²; the change is 0.5."""
    from backprop.battery.checks.derived import rate_disagreement
    from backprop.numerical.estimate import Estimate

    gradient = _two_rates(np.array([1.0, 2.0]), np.array([1.0, 2.5]), np.zeros(2))
    estimates = [Estimate(np.array([1.0, 2.0]), np.full(2, 1e-12), "central")]
    found = rate_disagreement(gradient, ["W1"], estimates)
    assert found is not None
    where, details, finding = found
    assert where == "W1[1]"
    assert details == "W1[1]: (W_before − W_after) / lr is 2 at learning rate 0.1 and 2.5 at 0.0125"
    assert finding.kind == "not-sgd-step"
    assert finding.sentence == (
        "(W_before − W_after) / lr differs between learning rates 0.1 and 0.0125 (by up to 0.5 at W1[1]) and "
        "not as stale weights would: the step is not W − lr × gradient (momentum, clipping, or a term that "
        "does not scale with the learning rate)"
    )
    assert finding.params == {"learning_rates": [0.1, 0.0125], "where": "W1[1]"}


def test_the_rates_disagreement_is_located_at_the_array_that_changes_most_between_them() -> None:
    """W1 goes from 1 to −1 between the rates (a change of 2), b1 from 1 to 1.5 (0.5, though its values
    are the larger): the step is located, and its change measured, at W1."""
    from backprop.battery.checks.derived import rate_disagreement
    from backprop.numerical.estimate import Estimate

    one = np.array([1.0])
    gradient = _at_two_rates({"W1": (one, np.array([-1.0])), "b1": (one, np.array([1.5]))})
    estimates = [Estimate(one, np.full(1, 1e-12), "central") for _ in range(2)]
    found = rate_disagreement(gradient, ["W1", "b1"], estimates)
    assert found is not None
    where, details, finding = found
    assert where == "W1[0]"
    assert details == "W1[0]: (W_before − W_after) / lr is 1 at learning rate 0.1 and -1 at 0.0125"
    assert finding.kind == "not-sgd-step"
    assert finding.sentence == (
        "(W_before − W_after) / lr differs between learning rates 0.1 and 0.0125 (by up to 2 at W1[0]) and "
        "not as stale weights would: the step is not W − lr × gradient (momentum, clipping, or a term that "
        "does not scale with the learning rate)"
    )
    assert finding.params == {"learning_rates": [0.1, 0.0125], "where": "W1[0]"}

VANISHES = (
    "the gradient derived from the step changes with the learning rate (by up to 0.18 between 0.1 and "
    "0.0125; its error against ∂L/∂p is 0.2 at 0.1 and 0.025 at 0.0125, and it vanishes as the learning "
    "rate goes to 0): an error that grows with the learning rate is a step that backpropagates through "
    "weights it has already updated (a layer updated inside backward before the delta to its left went "
    "through it)"
)


@pytest.mark.parametrize("offset", [3e-8, 4.6e-8])
def test_stale_weights_vanish_at_rate_zero_within_the_steps_rounding_extrapolated_with_them(
        offset: float) -> None:
    """The error is lr × (1, −2), plus `offset` on W1[0] at both rates; each step's rounding is 1e-8. The
    extrapolation to lr = 0, (lr1 × b − lr2 × a) / (lr1 − lr2), carries (lr1 × r2 + lr2 × r1) / (lr1 − lr2)
    = 1.29e-8 of it, which the comparison's safety factor 4 makes 5.1e-8: enough for 4.6e-8, where the
    difference of the two terms (1e-8) is not. The error vanishes."""
    from backprop.battery.checks.derived import rate_disagreement
    from backprop.numerical.estimate import Estimate

    true, slope, off = np.array([1.0, 2.0]), np.array([1.0, -2.0]), np.array([offset, 0.0])
    gradient = _two_rates(true + 0.1 * slope + off, true + 0.0125 * slope + off, np.full(2, 1e-8))
    found = rate_disagreement(gradient, ["W1"], [Estimate(true, np.full(2, 1e-12), "central")])
    assert found is not None
    assert (found[2].kind, found[2].sentence) == ("stale-weights", VANISHES)


GROWS_ONLY = (
    "the gradient derived from the step changes with the learning rate (by up to 0.18 between 0.1 and "
    "0.0125; its error against ∂L/∂p is 0.2 at 0.1 and 0.025 at 0.0125): an error that grows with the "
    "learning rate is a step that backpropagates through weights it has already updated (a layer updated "
    "inside backward before the delta to its left went through it)"
)


@pytest.mark.parametrize("empty", [False, True])
def test_stale_weights_whose_error_grows_but_does_not_vanish_say_only_that_it_grows(empty: bool) -> None:
    """The error is lr × (1, −2) plus 1e-3 on W1[0] at both rates: it shrinks 8 times from 0.1 to 0.0125
    (stale weights) but not to 0 at lr = 0, so the sentence does not say it vanishes; the errors are the
    params.  An empty parameter array beside it adds no error."""
    from backprop.battery.checks.derived import ModelGradient, rate_disagreement
    from backprop.numerical.estimate import Estimate

    true, slope, off = np.array([1.0, 2.0]), np.array([1.0, -2.0]), np.array([1e-3, 0.0])
    extra = [np.zeros(0)] if empty else []
    g1, g2 = [true + 0.1 * slope + off, *extra], [true + 0.0125 * slope + off, *extra]
    rounding = [np.zeros(2), *extra]
    gradient = ModelGradient(g1, rounding, "", (0.1, 0.0125), [g1, g2], [rounding, rounding])
    estimates = [Estimate(v, np.full(v.shape, 1e-12), "central") for v in [true, *extra]]
    found = rate_disagreement(gradient, ["W1", "b0"][: len(g1)], estimates)
    assert found is not None
    finding = found[2]
    assert (finding.kind, finding.sentence) == ("stale-weights", GROWS_ONLY)
    assert finding.params == {"learning_rates": [0.1, 0.0125], "where": "W1[1]",
                              "errors": pytest.approx([0.2, 0.025], rel=1e-12)}


def test_an_error_that_only_halves_between_the_rates_is_not_stale_weights() -> None:
    """The error is 0.5 at lr 0.1 and 0.25 at 0.0125, exactly half: stale weights' error shrinks by more
    than half (it is proportional to the rate), so the step is said not to be SGD."""
    from backprop.battery.checks.derived import rate_disagreement
    from backprop.numerical.estimate import Estimate

    gradient = _two_rates(np.array([1.5]), np.array([1.25]), np.zeros(1))
    found = rate_disagreement(gradient, ["W1"], [Estimate(np.array([1.0]), np.full(1, 1e-12), "central")])
    assert found is not None
    finding = found[2]
    assert finding.kind == "not-sgd-step"
    assert finding.sentence == (
        "(W_before − W_after) / lr differs between learning rates 0.1 and 0.0125 (by up to 0.25 at W1[0]) "
        "and not as stale weights would: the step is not W − lr × gradient (momentum, clipping, or a term "
        "that does not scale with the learning rate)"
    )


def test_an_error_that_vanishes_at_rate_zero_is_stale_weights_even_if_it_does_not_halve() -> None:
    """(W_before − W_after) / lr is 1 + lr × 0.1 + 0.01, each step's rounding 0.003: extrapolated to lr = 0
    it is 1.01, within the rounding (×4 safety) of 1, so it vanishes, though the error only goes from 0.02
    to 0.011 between the rates: that alone makes it stale weights."""
    from backprop.battery.checks.derived import rate_disagreement
    from backprop.numerical.estimate import Estimate

    true = np.array([1.0])
    gradient = _two_rates(true + 0.1 * 0.1 + 0.01, true + 0.0125 * 0.1 + 0.01, np.full(1, 0.003))
    found = rate_disagreement(gradient, ["W1"], [Estimate(true, np.full(1, 1e-12), "central")])
    assert found is not None
    finding = found[2]
    assert finding.kind == "stale-weights"
    assert finding.sentence == (
        "the gradient derived from the step changes with the learning rate (by up to 0.0088 between 0.1 and "
        "0.0125; its error against ∂L/∂p is 0.02 at 0.1 and 0.011 at 0.0125, and it vanishes as the learning "
        "rate goes to 0): an error that grows with the learning rate is a step that backpropagates through "
        "weights it has already updated (a layer updated inside backward before the delta to its left went "
        "through it)"
    )

def test_an_uphill_step_against_the_gradient_says_the_gradient_it_follows_is_wrong() -> None:
    """(−1, 0) against ∇L = (2, 2): cosine −1/√2, uphill, and not −1 × the gradient (no sign flip)."""
    finding = descent._descent_finding(np.array([-1.0, 0.0]), np.array([2.0, 2.0]), 1e-4)
    assert finding.kind == "uphill"
    assert finding.params == {"cosine": pytest.approx(-(2**-0.5), rel=1e-12)}
    assert finding.sentence == (
        "the step's cosine with −∇L is -0.71 (a descent step's is 1): it goes uphill, so the gradient it "
        "follows is wrong or is that of another loss (the gradient checks say which)"
    )
