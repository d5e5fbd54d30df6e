"""What the delta checks of a layer network say, word for word: a hidden delta wrong only because the delta
given by the layer to its right is wrong is inherited from it (judged in float64 from what that layer
returned); a backward that returns something other than the delta it stores is named, with both (one
returning nothing, or an array of another size, has its stored delta judged instead); a usual mistake every
layer's delta reproduces is said of every layer's delta; each of three hidden layers inheriting a wrong output
delta is named; a wrong activation_prime given to the output layer alone is read from that layer; and a
network without a hidden layer passes the hidden-delta check saying so.

Each test runs one check on one fixed case, in this process."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from backprop.battery.cases import make_case
from backprop.battery.profile import Profile
from backprop.battery.runner import evaluate
from backprop.losses import HALF_SSE
from backprop.network import NeuralNetwork

sys.path.insert(0, str(Path(__file__).resolve().parent / "styles"))

from implementations import hidden_returns_error, output_delta_missing_fprime, output_error_sign  # noqa: E402
from implementations.float32_network import Float32Layer  # noqa: E402
from implementations.output_delta_missing_fprime import NoDerivativeOutputLayer  # noqa: E402
from test_mutants_checks import _made_of  # noqa: E402

LAYERS = Profile("layer-level", frozenset({"activation", "activation_prime"}))
CASE = make_case((2, 3, 1), "tanh", 0.1, 1.0, 11, HALF_SSE)


def test_a_network_without_a_hidden_layer_passes_the_hidden_delta_check_saying_so() -> None:
    """Layers (2, 1) have no hidden delta to judge: the check passes, and its summary says why."""
    case = make_case((2, 1), "tanh", 0.1, 1.0, 11, HALF_SSE)
    evidence = evaluate("hidden-delta", NeuralNetwork, case, HALF_SSE, LAYERS)
    assert (evidence.status, evidence.summary, evidence.where, evidence.findings) == (
        "passed",
        "no hidden layer in this case",
        "",
        [],
    )


def test_a_hidden_delta_wrong_only_through_the_delta_to_its_right_is_inherited_from_it() -> None:
    """The output delta lacks f'(z); layer 1 backpropagates that wrong delta correctly: its own delta is
    (δ·Wᵀ)·f'(z) of what it was given, and the error is said to come in from layer 2."""
    evidence = evaluate("hidden-delta", output_delta_missing_fprime.make, CASE, HALF_SSE, LAYERS)
    assert (evidence.status, evidence.where) == ("failed", "layer 1 of 2, unit 2")
    assert evidence.summary == "the hidden delta is wrong in 1 of 1 layer"
    assert [(f.kind, f.params) for f in evidence.findings] == [
        ("inherited", {"layer": 1, "from": "layer 2's delta", "agreement": 0.0})
    ]
    assert evidence.findings[0].sentence == (
        "layer 1's delta equals (δ·Wᵀ)·f'(z) computed from the delta of layer 2 exactly: this layer "
        "backpropagates correctly, and the error comes in from layer 2, to its right"
    )


def test_a_backward_returning_its_error_instead_of_its_delta_is_named_with_both() -> None:
    """Layer 2 returns δ·Wᵀ (before f'(z)) but stores its delta; layer 1 backpropagates what it was handed,
    exactly: the finding quotes the returned and the stored values and says to return self.delta."""
    case = make_case((2, 3, 3, 1), "tanh", 0.1, 1.0, 11, HALF_SSE)
    evidence = evaluate("hidden-delta", hidden_returns_error.make, case, HALF_SSE, LAYERS)
    assert (evidence.status, evidence.where) == ("failed", "layer 1 of 3, unit 2")
    assert evidence.summary == "the hidden delta is wrong in 1 of 2 layers"
    assert [(f.kind, f.params) for f in evidence.findings] == [
        ("returned-not-stored", {"layer": 2, "agreement": 0.0})
    ]
    assert evidence.findings[0].sentence == (
        "layer 2's backward returns something other than the delta it stores (returned [-0.2801,  0.2831,  "
        "0.0251,  0.1699], stored [-0.2666,  0.2247,  0.005 ,  0.071 ]), and layer 1 backpropagates what it "
        "is given exactly: return self.delta"
    )


INHERITED = (
    "layer 1's delta equals (δ·Wᵀ)·f'(z) computed from the delta of layer 2 exactly: this layer "
    "backpropagates correctly, and the error comes in from layer 2, to its right"
)


class _ReturnsNothing(NoDerivativeOutputLayer):
    """The output delta lacks f'(z), and backward returns None (the delta is stored only)."""

    def backward(self, y: object, rightLayer: object) -> None:
        super().backward(y, rightLayer)


class _OutputReturnsOneMore(NoDerivativeOutputLayer):
    """The output delta lacks f'(z), and the output layer's backward returns it with a 0 appended."""

    def backward(self, y: object, rightLayer: object) -> np.ndarray:
        delta = super().backward(y, rightLayer)
        return np.append(delta, 0.0) if self.isoutputLayer else delta


def test_a_layer_returning_nothing_is_judged_from_the_delta_it_stores() -> None:
    """Backward returning None gives the layer to its left nothing to judge it by: layer 1 is judged
    against layer 2's stored delta, which it backpropagates exactly, so the error is inherited."""
    evidence = evaluate("hidden-delta", _made_of(_ReturnsNothing), CASE, HALF_SSE, LAYERS)
    assert (evidence.status, evidence.where) == ("failed", "layer 1 of 2, unit 2")
    assert [(f.kind, f.params, f.sentence) for f in evidence.findings] == [
        ("inherited", {"layer": 1, "from": "layer 2's delta", "agreement": 0.0}, INHERITED)
    ]


def test_a_returned_array_of_another_size_than_the_right_layer_s_units_falls_back_to_the_stored() -> None:
    """Layer 2 returns two values for its one unit: no local judgement from them is possible, and layer 1
    is judged against layer 2's stored delta instead (inherited), not left unjudged."""
    evidence = evaluate("hidden-delta", _made_of(_OutputReturnsOneMore), CASE, HALF_SSE, LAYERS)
    assert (evidence.status, evidence.where) == ("failed", "layer 1 of 2, unit 2")
    assert [(f.kind, f.params, f.sentence) for f in evidence.findings] == [
        ("inherited", {"layer": 1, "from": "layer 2's delta", "agreement": 0.0}, INHERITED)
    ]


def test_an_output_error_s_flipped_sign_is_said_of_every_layer_s_delta() -> None:
    """y − A where A − y belongs: the judge's backprop with that mistake planted gives every delta of the
    network, and the output-delta finding says so of every layer's delta."""
    evidence = evaluate("output-delta", output_error_sign.make, CASE, HALF_SSE, LAYERS)
    assert (evidence.status, evidence.where) == ("failed", "layer 2 of 2 (output), unit 0")
    assert [(f.kind, f.params) for f in evidence.findings] == [
        (
            "sign-flipped",
            {
                "layer": 2,
                "mistake": "backprop with the output error's sign flipped (y − A where A − y belongs)",
                "gap": 0.0,
                "changed": ["layer 1", "layer 2"],
            },
        )
    ]
    assert evidence.findings[0].sentence == (
        "every layer's delta equals that of backprop with the output error's sign flipped (y − A where A − y "
        "belongs) exactly in all 5 elements (the mistake changes 4 of 4 elements of layer 1, 1 of 1 of layer "
        "2): write the error as A − y"
    )


class _Float32NoDerivativeOutput(Float32Layer):
    """The float32 network whose output delta lacks f'(z)."""

    def backward(self, y: object, rightLayer: object) -> np.ndarray:
        if self.isoutputLayer:
            self.delta = np.atleast_2d(self.A - np.asarray(y, dtype=np.float32))
            return self.delta
        return super().backward(y, rightLayer)


def _float32_made_of(layer_class: type) -> object:
    def make(layers: list[int], activation: str) -> NeuralNetwork:
        net = NeuralNetwork(layers, activation)
        for layer in net.layers:
            layer.__class__ = layer_class
            layer.weight = layer.weight.astype(np.float32)
        return net

    return make


def test_a_float32_hidden_delta_is_judged_locally_in_float64_from_what_it_was_given() -> None:
    """(δ·Wᵀ)·f'(z) from the float32 delta layer 2 returned is computed in float64: layer 1's float32 delta
    agrees with it to its own rounding, 2.3e-08, the figure the inherited finding gives."""
    case = make_case((2, 3, 1), "tanh", 0.1, 1.0, 1, HALF_SSE)
    evidence = evaluate("hidden-delta", _float32_made_of(_Float32NoDerivativeOutput), case, HALF_SSE, LAYERS)
    assert (evidence.status, evidence.where) == ("failed", "layer 1 of 2, unit 0")
    assert [f.kind for f in evidence.findings] == ["inherited"]
    finding = evidence.findings[0]
    assert finding.params == {
        "layer": 1,
        "from": "layer 2's delta",
        "agreement": pytest.approx(2.304345805836938e-08, rel=1e-9),
    }
    assert finding.sentence == (
        "layer 1's delta equals (δ·Wᵀ)·f'(z) computed from the delta of layer 2 to 2e-08: this layer "
        "backpropagates correctly, and the error comes in from layer 2, to its right"
    )


def _output_prime_halved(layers: list[int], activation: str) -> NeuralNetwork:
    """The article's network whose output layer alone is given half of f' as its activation_prime."""
    net = NeuralNetwork(layers, activation)
    prime = net.layers[-1].activation_prime
    net.layers[-1].activation_prime = lambda z: 0.5 * prime(z)
    return net


def test_the_output_layer_s_own_wrong_activation_prime_is_named_not_a_hidden_layer_s() -> None:
    """Only the output layer is handed a wrong activation_prime: the output delta is said to be ∂L/∂A × that
    layer's own activation_prime, read from the output layer itself (the hidden layers' is right)."""
    evidence = evaluate("output-delta", _output_prime_halved, CASE, HALF_SSE, LAYERS)
    assert evidence.status == "failed"
    assert [(f.kind, f.params) for f in evidence.findings] == [
        ("wrong-derivative", {"layer": 2, "agreement": 0.0})
    ]


def test_a_wrong_output_delta_is_inherited_by_every_hidden_layer_each_named() -> None:
    """Three hidden layers backpropagate an output delta lacking f'(z) correctly: each is judged, and each
    is said to inherit its error from the layer to its right (not only the first)."""
    case = make_case((2, 3, 3, 3, 1), "tanh", 0.1, 1.0, 11, HALF_SSE)
    evidence = evaluate("hidden-delta", output_delta_missing_fprime.make, case, HALF_SSE, LAYERS)
    assert evidence.summary == "the hidden delta is wrong in 3 of 3 layers"
    assert [(f.kind, f.params["layer"], f.params["from"]) for f in evidence.findings] == [
        ("inherited", 3, "layer 4's delta"),
        ("inherited", 2, "layer 3's delta"),
        ("inherited", 1, "layer 2's delta"),
    ]
