"""What fit-one-sample and fit-two-samples report beyond the comparison itself: the call named when fit
raises, the step-only reading of a move that follows the gradient's sign, the case's weights carried
for the report's reproducer, the integer fit's sentence on several targets, and a fit-scheme probe's
failure reported as the check's own verdict.

Each check is driven in this process on one fixed case."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_mutants_fit_estimates import CASE, LAYER, ErrorInTargetDtype

from backprop.battery.cases import make_case
from backprop.battery.checks.common import prepare
from backprop.battery.profile import ProbeFailure, Profile
from backprop.battery.protocols import LocalWorker
from backprop.battery.runner import evaluate
from backprop.findings import Finding
from backprop.losses import HALF_SSE
from backprop.network import NeuralNetwork

TWO_OUT = make_case((2, 3, 2), "tanh", 0.1, 1.0, 1, HALF_SSE)


class FitLost(LocalWorker):
    """A worker whose transport fails (not the code under test) on fit at the case's learning rate."""

    def request(self, name: str, *args: Any) -> Any:
        if name == "method" and args[0] == "fit" and args[3] == CASE.learning_rate:
            raise ValueError("fit is not written yet")
        return super().request(name, *args)


class SignFit(NeuralNetwork):
    """fit steps every weight by the learning rate times the sign of its gradient (signSGD)."""

    def fit(self, X: Any, y: Any, learning_rate: float = 0.1, epochs: int = 10000) -> None:
        X = np.concatenate((np.ones((len(X), 1)), np.asarray(X, dtype=float)), axis=1)
        for _ in range(epochs):
            for x, target in zip(X, np.asarray(y, dtype=float), strict=True):
                a = x
                for layer in self.layers:
                    a = layer.forward(a)
                self.layers[-1].backward(target, None)
                for index in range(len(self.layers) - 2, -1, -1):
                    self.layers[index].backward(self.layers[index + 1].delta, self.layers[index + 1])
                a = x
                for layer in self.layers:
                    layer.weight -= learning_rate * np.sign(np.outer(a, layer.delta))
                    a = layer.A


def _raise_line() -> int:
    """The line of FitLost.request that raises (where the errored sentence locates it)."""
    lines, start = inspect.getsourcelines(FitLost.request)
    return start + next(i for i, line in enumerate(lines) if "raise" in line)


def _case_weights(factory: Any, case: Any) -> list[Any]:
    return prepare(LocalWorker(factory), case, LAYER).copy_weights()


def _assert_weights(evidence: Any, expected: list[Any]) -> None:
    assert evidence.weights is not None and len(evidence.weights) == len(expected)
    for given, written in zip(evidence.weights, expected, strict=True):
        np.testing.assert_array_equal(given, written)


@pytest.mark.parametrize("check_id", ["fit-one-sample", "fit-two-samples"])
def test_a_fit_that_raises_is_named_by_its_first_call(check_id: str) -> None:
    """A fit that raises is reported under the call the author would write, fit(X, y, ..., epochs=1): both
    fit checks make that call first."""
    evidence = evaluate(check_id, FitLost(NeuralNetwork), CASE, HALF_SSE, LAYER)
    assert (evidence.status, evidence.summary) == (
        "errored",
        "fit(X, y, learning_rate, epochs=1) raised ValueError: fit is not written yet at "
        f"{Path(__file__).name}:{_raise_line()}.",
    )


def test_a_sign_following_fit_is_read_as_a_sign_step_and_keeps_the_case_s_weights() -> None:
    """A fit whose move follows sign(∇L) is told apart only as a step; the report keeps the case's weights."""
    evidence = evaluate("fit-one-sample", SignFit, CASE, HALF_SSE, LAYER)
    assert evidence.status == "failed"
    assert evidence.where == "layer 2 of 2 (output), W[0, 0]"
    assert [(f.kind, f.sentence) for f in evidence.findings] == [
        ("not-sgd-step", f"the values equal 1 × sign(expected) to 2e-16 of their size in all {n} elements "
         f"that move, while the expected ones differ in size by up to {ratio}: the step follows the "
         "gradient's sign (Adam's or RMSprop's first step, signSGD), not the gradient")
        for n, ratio in ((4, "16×"), (12, "73.3×"))
    ]
    _assert_weights(evidence, _case_weights(SignFit, CASE))


def test_a_failing_second_epoch_keeps_the_case_s_weights() -> None:
    """fit-two-samples' failing evidence carries the case's weights, for the report's reproducer."""
    evidence = evaluate("fit-two-samples", SignFit, CASE, HALF_SSE, LAYER)
    assert evidence.status == "failed"
    _assert_weights(evidence, _case_weights(SignFit, CASE))


def test_an_integer_fit_finding_lists_every_rounded_target_and_keeps_the_case_s_weights() -> None:
    """With two outputs the input-dtype sentence quotes both rounded targets; the case's weights are kept."""
    evidence = evaluate("fit-one-sample", ErrorInTargetDtype, TWO_OUT, HALF_SSE, LAYER)
    assert evidence.status == "failed"
    assert [f.kind for f in evidence.findings] == ["input-dtype"]
    assert evidence.findings[0].sentence == (
        "fit(X, y, learning_rate, epochs=1) on X = [[0, -2]] and y = [[0, 0]] as integer arrays moved the "
        "weights differently from the same values as floats: 16 of 20 weights differ, by up to 0.0334; an "
        "integer input must give what its floats give: cast it (np.asarray(x, dtype=float)) before anything "
        "is written into an array of its dtype"
    )
    _assert_weights(evidence, _case_weights(ErrorInTargetDtype, TWO_OUT))


def test_a_failed_scheme_probe_is_fit_two_samples_verdict_with_its_details_and_the_probe_note() -> None:
    """When probing found fit's scheme wrong, fit-two-samples reports that, located at fit, with the
    probe's numbers followed by the note that they were seen on the probe rows."""
    finding = Finding("fit-scheme", "fit follows no scheme", {})
    failure = ProbeFailure("fit trains by no known scheme", "rows 1 and 2 moved apart", (finding,))
    profile = Profile("layer-level", LAYER.offers, scheme_failure=failure)
    evidence = evaluate("fit-two-samples", NeuralNetwork, CASE, HALF_SSE, profile)
    assert (evidence.status, evidence.where, evidence.summary) == (
        "failed", "fit", "fit trains by no known scheme")
    assert evidence.details == (
        "rows 1 and 2 moved apart\n(seen on the battery's probe rows, once a run, before any case was drawn: "
        "the smallest case below is only where the search stopped)"
    )
    assert evidence.findings == [finding]
