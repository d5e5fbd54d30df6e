"""What the descent check says of a step that does not lower the loss, word for word and number for
number: where it places the failure, the losses it tried (with a declared L2 penalty counted in them, at
the layer level and at the model level), and the finding it gives for a step along −∇L that is too long
to lower the loss at any learning rate tried.

Each test runs the check on one fixed case in this process."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray
from test_mutants_checks import CASE, MODEL, _made_of, _reference_with, _Uphill
from test_mutants_descent import TWO_HIDDEN

from backprop.battery.cases import Case, make_case
from backprop.battery.profile import Profile
from backprop.battery.runner import evaluate
from backprop.losses import HALF_SSE
from backprop.network import Layer, NeuralNetwork

LAYERS = Profile("layer-level", frozenset({"fit", "predict"}))
TANH = make_case((2, 3, 1), "tanh", 0.1, 1.0, 11, HALF_SSE)


class _UphillLayer(Layer):
    """update adds lr × aᵀδ (W += where W −= belongs)."""

    def update(self, learning_rate: float, left_a: Any) -> None:
        a, d = np.atleast_2d(left_a), np.atleast_2d(self.delta)
        self.weight += learning_rate * a.T.dot(d)


class _MillionfoldLayer(Layer):
    """update subtracts 10⁶ × lr × aᵀδ: the right direction, a step far too long."""

    def update(self, learning_rate: float, left_a: Any) -> None:
        a, d = np.atleast_2d(left_a), np.atleast_2d(self.delta)
        self.weight -= 1e6 * learning_rate * a.T.dot(d)


class _ReluInForward(Layer):
    """forward computes relu(aW) itself, with no `activation` attribute to call: no band of units on
    the kink can be drawn for its layers."""

    def forward(self, x: Any) -> Any:
        z = np.dot(x, self.weight)
        self.A = np.maximum(z, 0.0)
        self.dZ = (z > 0).astype(float)
        return self.A


class _UphillFloat32Output(_UphillLayer):
    """The uphill update, with the output layer handing its A back in float32."""

    def forward(self, x: Any) -> Any:
        a = super().forward(x)
        return a.astype(np.float32) if self.isoutputLayer else a


_uphill = _made_of(_UphillLayer)
_uphill_float32 = _made_of(_UphillFloat32Output)
_millionfold = _made_of(_MillionfoldLayer)
_relu_in_forward = _reference_with(__class__=_ReluInForward, activation=None)


# --------------------------------------------------------------------------- no step lowers the loss


def test_a_layer_network_stepping_uphill_fails_for_the_whole_network_with_the_losses_tried() -> None:
    """The failure is placed on the whole network (no one layer is to blame) and lists every loss tried."""
    evidence = evaluate("descent", _uphill, TANH, HALF_SSE, LAYERS)
    assert (evidence.status, evidence.rel_error, evidence.where) == ("failed", None, "the whole network")
    assert evidence.summary == "no small step lowered the loss"
    assert evidence.details == (
        "loss 0.350919 before the step; after a step with learning rate 0.01: 0.357658, 0.001: 0.351595, "
        "0.0001: 0.350986"
    )
    assert [f.kind for f in evidence.findings] == ["sign-flipped"]


def test_a_step_along_the_gradient_too_long_to_lower_the_loss_names_the_smallest_rate_tried() -> None:
    """A step along −∇L that overshoots at every rate is a descent direction: the finding says the loss
    rose even with the smallest learning rate tried (1e-4), the rate and not the loss it reached."""
    evidence = evaluate("descent", _millionfold, TANH, HALF_SSE, LAYERS)
    assert evidence.status == "failed"
    assert evidence.details == (
        "loss 0.350919 before the step; after a step with learning rate 0.01: 0.702971, 0.001: 0.702971, "
        "0.0001: 0.702971"
    )
    [finding] = evidence.findings
    assert finding.kind == "uphill"
    assert finding.params == {"cosine": pytest.approx(1.0, abs=1e-12)}
    assert finding.sentence == (
        "the step's cosine with −∇L is 1.00, a descent direction, yet the loss rose even with learning rate "
        "0.0001"
    )


def test_a_loss_change_of_just_over_64_float32_ulps_is_measurable() -> None:
    """A float32 output makes 64 of its ulps (7.63e-6 of the loss) the least measurable change: at weight
    scale 2.916 the smallest step (1e-4) moves the loss by between 64 and 65 ulps, so an uphill step there
    is a failure, not a gradient too small to move the loss (at scale 2.9193 the bound is crossed)."""
    case = make_case((2, 3, 1), "tanh", 0.1, 2.916, 11, HALF_SSE)
    evidence = evaluate("descent", _uphill_float32, case, HALF_SSE, LAYERS)
    assert (evidence.status, evidence.summary) == ("failed", "no small step lowered the loss")
    assert evidence.details == (
        "loss 0.644607 before the step; after a step with learning rate 0.01: 0.645101, 0.001: 0.644656, "
        "0.0001: 0.644612"
    )


def test_a_declared_l2_penalty_on_the_weights_is_part_of_the_layer_level_loss_and_its_gradient() -> None:
    """With λ = 0.5 declared, the losses tried are L + λ/2·‖W‖² over the weights (not the bias rows), and
    the step that ignores the penalty is measured against ∇ of that sum: a cosine of −0.67, not −1."""
    evidence = evaluate("descent", _uphill, TANH, HALF_SSE, LAYERS.but(l2=0.5))
    assert evidence.status == "failed"
    assert evidence.details == (
        "loss 1.47751 before the step; after a step with learning rate 0.01: 1.48523, 0.001: 1.47829, "
        "0.0001: 1.47759"
    )
    [finding] = evidence.findings
    assert finding.kind == "uphill"
    assert finding.params == {"cosine": pytest.approx(-0.6652988582756895, abs=1e-9)}
    assert finding.sentence == (
        "the step's cosine with −∇L is -0.67 (a descent step's is 1): it goes uphill, so the gradient it "
        "follows is wrong or is that of another loss (the gradient checks say which)"
    )


def test_a_declared_l2_penalty_is_part_of_the_model_level_loss_over_its_matrices_alone() -> None:
    """At the model level the penalty λ/2·‖W‖² covers the arrays of two or more dimensions (the biases
    are 1-D): with λ = 0.5 the losses tried are those of that sum."""
    evidence = evaluate("descent", _Uphill, CASE, HALF_SSE, MODEL.but(l2=0.5))
    assert evidence.status == "failed"
    assert evidence.details == (
        "loss 0.713241 before the step; after a step with learning rate 0.01: 0.713352, 0.001: 0.713252, "
        "0.0001: 0.713242"
    )


# --------------------------------------------------------------------------- sides of the kink


def test_relu_layers_with_no_activation_to_read_are_still_checked_for_descent() -> None:
    """Layers that do not compute A = f(aW) through an `activation` give no kink band; every unit is then
    taken as off the kink, and a correct step descends."""
    case = make_case((2, 3, 1), "relu", 0.1, 1.0, 1, HALF_SSE)
    evidence = evaluate("descent", _relu_in_forward, case, HALF_SSE, LAYERS)
    assert (evidence.status, evidence.summary, evidence.details) == ("passed", "", "")


@dataclasses.dataclass(frozen=True)
class _DeadColumn(Case):
    """A case whose first hidden layer's unit 1 has a column of zero weights: its z is exactly 0."""

    def random_weights(self, shapes: Sequence[tuple[int, ...]]) -> list[NDArray]:
        weights = super().random_weights(shapes)
        weights[0][:, 1] = 0.0
        return weights


def test_a_unit_exactly_on_the_kink_is_judged_without_a_warning() -> None:
    """A z of exactly 0 has the side 0, computed quietly: the check raises no RuntimeWarning of its own
    (here one made an error), and the correct step descends."""
    base = make_case((2, 3, 1), "relu", 0.1, 1.0, 3, HALF_SSE)
    case = _DeadColumn(**{f.name: getattr(base, f.name) for f in dataclasses.fields(base)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        evidence = evaluate("descent", NeuralNetwork, case, HALF_SSE, LAYERS)
    assert (evidence.status, evidence.summary, evidence.details) == ("passed", "", "")


def test_a_step_on_its_side_of_the_kink_but_too_small_to_count_excuses_the_case() -> None:
    """With λ = 1000 declared, 12 steps cross the kink and the 13th (1e-14) stays on its side but is too
    small to move the loss: the case is no test of descent, said with the 12, not a gradient too small."""
    evidence = evaluate("descent", NeuralNetwork, TWO_HIDDEN, HALF_SSE, LAYERS.but(l2=1000.0))
    assert (evidence.status, evidence.details) == ("passed", "")
    assert evidence.summary == (
        "not a test of descent in this case: 12 step(s) moved a pre-activation across the activation's "
        "kink, and the steps small enough not to are too small to move the loss measurably"
    )
