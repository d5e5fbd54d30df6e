"""What the descent check says, word for word and number for number: how many steps it did not count
because they moved a unit across (or off) relu's kink, and the finding it gives for a step that is
−1 × the SGD step (with how closely), for one at right angles to the gradient (a cosine of exactly 0),
and for one whose cosine is exactly the 0.05 at which a step counts as a descent direction.

Each test runs the check on one fixed case in this process, or calls its finding function on a tiny
array."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
from test_battery_kinks import KinkCase

from backprop.battery.cases import make_case
from backprop.battery.checks import descent
from backprop.battery.runner import evaluate
from backprop.losses import HALF_SSE
from backprop.network import NeuralNetwork


def kink_case(layers: tuple[int, ...], rate: float, scale: float, seed: int, kinks: tuple) -> Any:
    """A relu case whose weights put the chosen units' z at the chosen offsets from 0."""
    base = make_case(layers, "relu", rate, scale, seed, HALF_SSE)
    fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(base)}
    return KinkCase(**fields, kinks=kinks)


TWO_HIDDEN = kink_case((5, 2, 1, 1), 0.3, 1.0, 606559, ((None, None, 0.0), (None, 1e-09), (None,)))
"""A relu network with a unit exactly on the kink: every step moves it off 0."""


# --------------------------------------------------------------------------- steps across the kink


def test_a_case_whose_every_step_crosses_the_kink_says_how_many_steps_crossed() -> None:
    """The excuse names the number of steps that moved a unit across (or off) the kink: 10 of the 13."""
    evidence = evaluate("descent", NeuralNetwork, TWO_HIDDEN, HALF_SSE, "layer-level")
    assert evidence.status == "passed"
    assert evidence.summary == (
        "not a test of descent in this case: 10 step(s) moved a pre-activation across the activation's "
        "kink, and the steps small enough not to are too small to move the loss measurably"
    )


# --------------------------------------------------------------------------- the finding


def test_a_step_of_minus_the_sgd_step_is_sign_flipped_with_its_agreement() -> None:
    """−1 × the SGD step is sign-flipped, and the finding's params say how closely: exactly here."""
    gradient = np.array([0.5, -0.25, 2.0])
    finding = descent._descent_finding(-gradient, gradient, 0.01)
    assert finding.kind == "sign-flipped"
    assert finding.params == {"cosine": pytest.approx(-1.0, abs=1e-15), "agreement": 0.0}
    assert finding.sentence == (
        "the step equals −1 × the SGD step −learning rate × ∇L exactly in all 3 weights: it goes up the "
        "gradient, so its sign is flipped (W += instead of W −=, or y − A)"
    )


def test_a_step_at_right_angles_to_the_gradient_is_said_to_move_at_right_angles() -> None:
    """A cosine of exactly 0 is no uphill step: the sentence says it moves at right angles, at which rate."""
    finding = descent._descent_finding(np.array([1.0, 0.0]), np.array([0.0, 1.0]), 1e-4)
    assert finding.kind == "uphill"
    assert finding.params == {"cosine": 0.0}
    assert finding.sentence == (
        "the step's cosine with −∇L is 0.00 (a descent step's is 1): it moves almost at right angles to the "
        "gradient, and the loss rose even with learning rate 0.0001"
    )


def test_a_cosine_of_exactly_one_twentieth_is_a_descent_direction() -> None:
    """Below 0.05 a step is at right angles; 0.05 itself (1 against a gradient of norm 20) is descent."""
    gradient = np.array([1.0, 19.0, 6.0, 1.0, 1.0])  # ‖∇L‖ = 20 exactly
    finding = descent._descent_finding(np.array([1.0, 0.0, 0.0, 0.0, 0.0]), gradient, 1e-3)
    assert finding.params == {"cosine": 0.05}
    assert finding.sentence == (
        "the step's cosine with −∇L is 0.05, a descent direction, yet the loss rose even with learning rate "
        "0.001"
    )
