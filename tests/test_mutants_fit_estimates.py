"""What fit-one-sample says of a fit that trains differently on integer arrays (X of small integers and
y rounded, as XOR is written) than on the same values as floats: the input-dtype finding's sentence,
where the difference is located, the per-layer detail lines, and the name of the call when the integer
fit cannot be run; and what a summed batch's epoch estimate is made of: each step's numerical estimate
scaled by the batch's weight (value, budget, one-sided bounds, and the size of the analytic terms).

The check is driven in this process on one fixed case; the scaling is called on a literal estimate."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from backprop.battery.cases import make_case
from backprop.battery.checks.fit import _scaled
from backprop.battery.profile import Profile
from backprop.battery.protocols import LocalWorker
from backprop.battery.runner import evaluate
from backprop.losses import HALF_SSE
from backprop.network import NeuralNetwork
from backprop.numerical.estimate import Estimate, Kink

LAYER = Profile("layer-level", frozenset({"fit", "predict", "activation", "activation_prime"}))
CASE = make_case((2, 3, 1), "tanh", 0.1, 1.0, 1, HALF_SSE)  # y = −0.16: rounded, −0; integer x = [0, −2]


class ErrorInTargetDtype(NeuralNetwork):
    """fit casts X to floats but writes each row's output error into an array of y's dtype: integer
    targets truncate the error (to 0 here, where |A − y| < 1), so the output layer's delta vanishes."""

    def fit(self, X: Any, y: Any, learning_rate: float = 0.1, epochs: int = 10000) -> None:
        X = np.asarray(X, dtype=float)
        X = np.concatenate((np.ones((X.shape[0], 1)), X), axis=1)
        for _ in range(epochs):
            for x, target in zip(X, np.asarray(y), strict=True):
                a = x
                for layer in self.layers:
                    a = layer.forward(a)
                error = np.zeros_like(target)
                error[...] = a - target  # the mistake when y holds integers
                delta = self.layers[-1].backward(a - error, None)
                for index in range(len(self.layers) - 2, -1, -1):
                    delta = self.layers[index].backward(delta, self.layers[index + 1])
                a = x
                for layer in self.layers:
                    layer.update(learning_rate, a)
                    a = layer.A


class FitLostOnIntegers(LocalWorker):
    """A worker whose transport fails (not the code under test) when fit is sent integer arrays."""

    def request(self, name: str, *args: Any) -> Any:
        if name == "method" and args[0] == "fit" and np.asarray(args[1]).dtype.kind == "i":
            raise RuntimeError("the integer arrays could not be sent")
        return super().request(name, *args)


def test_a_fit_that_truncates_integer_targets_is_reported_with_its_rows_and_the_layers_it_moved() -> None:
    """The input-dtype finding quotes the integer row and rounded target (0, never −0) fit was given,
    counts the weights that moved differently and locates the worst at the output layer's W."""
    evidence = evaluate("fit-one-sample", ErrorInTargetDtype, CASE, HALF_SSE, LAYER)
    assert evidence.status == "failed"
    assert evidence.summary == "fit on integer arrays moves the weights differently from fit on their floats"
    assert evidence.where == "layer 2 of 2 (output), W[1, 0]"
    assert evidence.details.splitlines() == [
        "layer 2 of 2 (output), W[1, 0]: 0.538311 against 0.502305 (error 0.036, budget 1e-09); "
        "4 of 4 elements differ; relative error of the array 0.072",
        "layer 1 of 2, W[2, 0]: 0.0968689 against 0.0725565 (error 0.024, budget 1e-09); "
        "8 of 12 elements differ; relative error of the array 0.026",
    ]
    assert [(f.kind, f.sentence, f.params) for f in evidence.findings] == [(
        "input-dtype",
        "fit(X, y, learning_rate, epochs=1) on X = [[0, -2]] and y = [[0]] as integer arrays moved the "
        "weights differently from the same values as floats: 12 of 16 weights differ, by up to 0.036; an "
        "integer input must give what its floats give: cast it (np.asarray(x, dtype=float)) before anything "
        "is written into an array of its dtype",
        {"x": [0, -2]},
    )]


def _raise_line() -> int:
    """The line of FitLostOnIntegers.request that raises (where the errored sentence locates it)."""
    lines, start = inspect.getsourcelines(FitLostOnIntegers.request)
    return start + next(i for i, line in enumerate(lines) if "raise" in line)


def test_an_integer_fit_that_cannot_be_run_is_named_by_its_call() -> None:
    """When the fit on integer arrays fails, the errored sentence names the call that failed, as the
    code under test's author would write it."""
    evidence = evaluate("fit-one-sample", FitLostOnIntegers(NeuralNetwork), CASE, HALF_SSE, LAYER)
    assert (evidence.status, evidence.summary) == (
        "errored",
        "fit(X, y, learning_rate, epochs=1) raised RuntimeError: the integer arrays could not be sent at "
        f"{Path(__file__).name}:{_raise_line()}.",
    )


def _kinked(term_scale: list[float] | None) -> Estimate:
    return Estimate(
        np.array([1.0, -2.0]),
        np.array([1e-9, 3e-9]),
        "central",
        kinks=[Kink(1, 0, 0.0, "W[0, 0]")],
        kink_mask=np.array([True, False]),
        lower=np.array([0.5, -2.0]),
        upper=np.array([4.0, -2.0]),
        term_scale=None if term_scale is None else np.array(term_scale),
    )


def test_a_summed_batch_s_step_estimate_scales_value_budget_bounds_and_term_sizes() -> None:
    """A batch of two rows summed moves by twice one row's gradient: its estimate's value, error budget,
    one-sided bounds at a kink and the size of the analytic terms all double."""
    scaled = _scaled(_kinked([0.5, 8.0]), 2.0)
    np.testing.assert_array_equal(scaled.value, [2.0, -4.0])
    np.testing.assert_array_equal(scaled.budget, [2e-9, 6e-9])
    np.testing.assert_array_equal(scaled.kink_mask, [True, False])
    np.testing.assert_array_equal(scaled.lower, [1.0, -4.0])
    np.testing.assert_array_equal(scaled.upper, [8.0, -4.0])
    assert scaled.term_scale is not None
    np.testing.assert_array_equal(scaled.term_scale, [1.0, 16.0])


@pytest.mark.parametrize("factor", [2.0, 0.5])
def test_a_scaled_step_estimate_without_a_term_size_still_has_none(factor: float) -> None:
    """An estimate whose analytic terms are not sized (model-level) stays unsized when scaled."""
    scaled = _scaled(_kinked(None), factor)
    assert scaled.term_scale is None
    np.testing.assert_array_equal(scaled.value, [factor, -2.0 * factor])
