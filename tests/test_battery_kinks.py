"""The battery at relu's kinks: no verdict against correct code whose z lies on (or within rounding of)
the kink, and still a verdict against wrong code there.

The cases are those of scripts/false_alarms.py (relu networks whose weights put chosen units' z at
chosen offsets from 0) on which an earlier battery gave false alarms.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from implementations import catalogue

from backprop.battery.cases import make_case
from backprop.battery.runner import evaluate
from backprop.losses import get_loss
from backprop.network import NeuralNetwork

ROOT = Path(__file__).resolve().parents[1]
HALF_SSE = get_loss("half_sse")
FLOAT32 = "tests/implementations/float32_network.py"


def _sweep_module() -> Any:
    spec = importlib.util.spec_from_file_location("false_alarms", ROOT / "scripts" / "false_alarms.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("false_alarms", module)
    spec.loader.exec_module(module)
    return module


KinkCase = _sweep_module().KinkCase


def kink_case(layers: tuple[int, ...], rate: float, scale: float, seed: int, kinks: tuple) -> Any:
    base = make_case(layers, "relu", rate, scale, seed, HALF_SSE)
    fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(base)}
    return KinkCase(**fields, kinks=kinks)


ONE_HIDDEN = kink_case((1, 1, 4), 0.01, 1.0, 170401603, ((-1e-15, 1e-15), (-1e-09, 1e-15, 1e-15, -1e-09)))
TWO_HIDDEN = kink_case((5, 2, 1, 1), 0.3, 1.0, 606559, ((None, None, 0.0), (None, 1e-09), (None,)))
DEEP = kink_case(
    (3, 8, 6, 4),
    0.1,
    0.1,
    7900,
    (
        (1e-12, -1e-09, None, -1e-06, 1e-12, None, None, None, -1e-06),
        (None, -1e-12, None, None, None, None, 1e-06),
        (None, 1e-09, 0.0, None),
    ),
)
WIDE = kink_case((7, 4), 0.3, 0.1, 8607, ((None, -1e-06, 1e-15, 1e-15),))
ON_THE_KINK = [ONE_HIDDEN, TWO_HIDDEN, DEEP, WIDE]
"""Cases on which the battery once failed correct implementations."""


def run(check_id: str, factory: Any, case: Any) -> Any:
    return evaluate(check_id, factory, case, HALF_SSE, "layer-level")


def float32_make() -> Any:
    return catalogue()["float32_network"].make


@pytest.mark.parametrize("case", ON_THE_KINK, ids=lambda c: str(list(c.layers)))
@pytest.mark.parametrize("check_id", ["dz-is-fprime-of-z", "batch-is-sum", "descent"])
def test_correct_implementations_pass_at_the_kink(check_id: str, case: Any) -> None:
    for factory in (NeuralNetwork, float32_make()):
        evidence = run(check_id, factory, case)
        assert evidence.status == "passed", (factory, evidence.summary, evidence.details)


NEAR = kink_case((1, 1, 4), 0.01, 1.0, 170401603, ((-1e-9, 1e-9), (-1e-9, 1e-9, 1e-9, -1e-9)))
"""Units 1e-9 from the kink: outside rounding, but every step that moves the loss measurably crosses."""


def test_a_descent_case_whose_steps_all_cross_a_kink_says_it_tests_nothing() -> None:
    evidence = run("descent", NeuralNetwork, NEAR)
    assert evidence.status == "passed" and evidence.summary.startswith("not a test of descent"), evidence


def test_an_uphill_step_still_fails_descent_at_the_kink() -> None:
    flipped = catalogue()["output_error_sign"].make
    evidence = run("descent", flipped, NEAR)
    assert evidence.status == "failed", evidence.summary
    assert "sign is flipped" in (evidence.diagnosis or ""), evidence.diagnosis


def test_the_batch_exemption_is_only_for_cases_on_the_kink() -> None:
    averaged = catalogue()["batch_update_averaged"].make
    on_kink = run("batch-is-sum", averaged, DEEP)
    assert on_kink.status == "passed" and "within rounding" in on_kink.summary
    away = kink_case((3, 8, 6, 4), 0.1, 0.1, 7900, ((1e-06, -1e-06), (None, 1e-06), (None,)))
    assert run("batch-is-sum", averaged, away).status == "failed"


class OneAtZero(NeuralNetwork):
    """relu'(0) = 1, the other convention: as correct as relu'(0) = 0."""

    def __init__(self, layers: Any, activation: str, threshold: float = 0.0) -> None:
        super().__init__(layers, activation)
        for layer in self.layers:
            layer.activation_prime = lambda z, t=threshold: (np.asarray(z) >= t).astype(float)


def test_either_slope_is_accepted_on_the_kink_and_only_there() -> None:
    exactly = kink_case((3, 2), 0.1, 1.0, 5, ((0.0, 0.0),))
    assert run("dz-is-fprime-of-z", OneAtZero, exactly).status == "passed"
    off = kink_case((3, 2), 0.1, 1.0, 5, ((-1e-6, -1e-6),))  # far outside rounding: relu'(z) must be 0
    evidence = run("dz-is-fprime-of-z", lambda layers, act: OneAtZero(layers, act, -1e-3), off)
    assert evidence.status == "failed", evidence.summary


NEAR_KINKS = [
    kink_case((3, 4, 1), 0.1, 1.0, 863, ((None, None, -1e-07, None), (1e-05,))),
    kink_case((2, 2, 2, 1), 0.1, 1.0, 994, ((None, -1e-06), (None, -1e-08), (1e-05,))),
    kink_case((2, 2, 2, 1), 0.1, 1.0, 975, ((-1e-09, 1e-09), (-1e-05, -1e-05), (1e-07,))),
    kink_case((2, 2, 2, 1), 0.1, 1.0, 303, ((1e-06, 1e-05), (None, None), (None,))),
    kink_case((3, 5, 4, 2), 0.1, 1.0, 111,
              ((None, -1e-4, 1e-09, -1e-08, 1e-07), (None, None, None, 1e-09), (None, None))),
    kink_case((3, 5, 4, 2), 0.1, 1.0, 581,
              ((-1e-09, 1e-4, 1e-06, -1e-4, -1e-06), (-1e-06, 1e-06, None, None), (None, -1e-06))),
]
"""relu networks with units 1e-9 to 1e-4 from their kinks, on which the sign-flipped step crosses a kink at
the larger rates and stays on its side at a smaller one."""


@pytest.mark.parametrize("case", NEAR_KINKS, ids=lambda c: f"{list(c.layers)}-{c.seed}")
def test_the_kink_excuse_never_lets_a_sign_flipped_relu_network_pass_descent(case: Any) -> None:
    """Steps that cross a kink are not counted, but the steps that stay on their side still must go down:
    the output error y − A sends them up, and descent says its sign is flipped."""
    assert run("descent", NeuralNetwork, case).status == "passed"
    evidence = run("descent", catalogue()["output_error_sign"].make, case)
    assert evidence.status == "failed", evidence.summary
    assert "crossed a kink and are not counted" in evidence.details, evidence.details
    assert [f.kind for f in evidence.findings] == ["sign-flipped"], evidence.findings
