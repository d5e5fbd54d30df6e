"""What probing a layer-level fit's training scheme reports, word for word and number for number, when
the fit follows no known scheme: the fit-scheme finding naming the nearest scheme's path and how far
away it landed, the wrong-target finding for a fit trained on the first row's target (seen through the
layers' own step or through the numerical gradient), and the note of a fit that cannot be run.

Each test probes a small network class defined here (or in tests/layer_styles/) in this process, as
the battery does before its checks, and compares the whole failure it reports."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from layer_styles import first_row_target
from layer_styles.every_row import EveryRowNetwork
from test_layer_styles import probed

from backprop.battery.conventions import probe, probe_in_worker
from backprop.battery.profile import ProbeFailure, Profile
from backprop.battery.protocols import LocalWorker
from backprop.battery.runner import protocol_of
from backprop.findings import Finding
from backprop.losses import HALF_SSE
from backprop.network import Layer, NeuralNetwork
from backprop.subject import SubjectEnded

TRIED = (
    "the schemes tried: random-sample, per-sample, full-batch-sum, full-batch-mean, mini-batch-sum-2, "
    "mini-batch-mean-2, mini-batch-sum-3, mini-batch-mean-3"
)


def no_scheme(nearest: str, path: str, percent: str) -> str:
    return (
        f"one epoch of fit on 2 distinct rows moved the weights as no training scheme does (the nearest "
        f"is {nearest}, {path}, {percent} of the move away)"
    )


def moved_by(size: str) -> str:
    return (
        f"fit(X, y, learning_rate, epochs=1) on 2 rows moved the weights by {size} (÷ learning rate, "
        f"largest element); {TRIED}"
    )


def wrong_target(scheme: str) -> str:
    return (
        f"fit moved the weights as {scheme} does with the first row's target for every row (on 2 and 4 "
        "distinct rows): each row must be trained on its own target y[i]"
    )


# --------------------------------------------------------------------------- fits of no scheme


class StillNetwork(NeuralNetwork):
    """fit returns without moving a weight."""

    def fit(self, X: Any, y: Any, learning_rate: float = 0.1, epochs: int = 10000) -> None:
        return None


class ScaledBatchNetwork(NeuralNetwork):
    """One step an epoch on the full batch, the rows' gradients summed and scaled by 0.3: between the
    mean (0.5 on 2 rows) and no step at all, nearest the mean on 2 rows."""

    SCALE = 0.3

    def fit(self, X: Any, y: Any, learning_rate: float = 0.1, epochs: int = 10000) -> None:
        X1 = np.concatenate((np.ones((len(X), 1)), X), axis=1)
        for _ in range(epochs):
            start = [layer.weight.copy() for layer in self.layers]
            total = [np.zeros_like(w) for w in start]
            for x, target in zip(X1, y, strict=True):
                for layer, w in zip(self.layers, start, strict=True):
                    layer.weight = w.copy()
                inputs = [x]
                for layer in self.layers:
                    inputs.append(layer.forward(inputs[-1]))
                right = None
                for layer in self.layers[::-1]:
                    layer.backward(target if right is None else right.delta, right)
                    right = layer
                for layer, a in zip(self.layers, inputs, strict=False):
                    layer.update(learning_rate, a)
                total = [
                    t + (w - layer.weight) for t, w, layer in zip(total, start, self.layers, strict=True)
                ]
            for layer, w, t in zip(self.layers, start, total, strict=True):
                layer.weight = w - self.SCALE * t


def test_a_fit_that_moves_no_weight_is_nearest_the_first_scheme_tried_a_whole_move_away() -> None:
    """Every scheme is then exactly 100% of the move away: the tie goes to the first tried, random-sample."""
    profile = probed(StillNetwork)
    assert profile.scheme is None
    assert profile.scheme_failure == ProbeFailure(
        no_scheme("random-sample", "one step on row 1", "100%"),
        moved_by("0"),
        (
            Finding(
                "fit-scheme",
                no_scheme("random-sample", "one step on row 1", "100%"),
                {"nearest": "random-sample", "gap": 1.0, "rows": 2},
            ),
        ),
    )
    assert profile.notes[-1] == "fit: no known scheme (see fit-two-samples)"


def test_a_fit_of_no_scheme_names_the_nearest_path_and_how_far_it_landed_from_it() -> None:
    """A summed full-batch step scaled by 0.3 lands 40% of its move from the mean's (0.5), the nearest."""
    profile = probed(ScaledBatchNetwork)
    failure = profile.scheme_failure
    assert failure is not None and profile.scheme is None
    summary = no_scheme("full-batch-mean", "one step on the mean of rows 1, 2", "40%")
    assert (failure.summary, failure.details) == (summary, moved_by("0.2306"))
    [finding] = failure.findings
    assert (finding.kind, finding.sentence) == ("fit-scheme", summary)
    assert (
        set(finding.params) == {"nearest", "gap", "rows"}
        and finding.params["rows"] == 2
        and finding.params["nearest"] == "full-batch-mean"
    )
    assert finding.params["gap"] == pytest.approx(0.4, rel=1e-9)


class FirstStepNetwork(NeuralNetwork):
    """On 2 rows, fit lands exactly where the probe computes one step on row 1 to land (the step's
    change of the weights, divided by the learning rate and multiplied back), moved by OFF on the first
    element of 0.5 to 1 in size; on 4 rows, it steps 1.3 times as far as one step on row 1."""

    OFF = 0.0

    def fit(self, X: Any, y: Any, learning_rate: float = 0.1, epochs: int = 10000) -> None:
        start = [layer.weight.copy() for layer in self.layers]
        inputs = [np.append(1.0, X[0])]
        for layer in self.layers:
            inputs.append(layer.forward(inputs[-1]))
        right = None
        for layer in self.layers[::-1]:
            layer.backward(y[0] if right is None else right.delta, right)
            right = layer
        for layer, a in zip(self.layers, inputs, strict=False):
            layer.update(learning_rate, a)
        landed = [
            w - learning_rate * ((w - layer.weight) / learning_rate)
            for w, layer in zip(start, self.layers, strict=True)
        ]
        if len(X) != 2:
            landed = [w + 1.3 * (moved - w) for w, moved in zip(start, landed, strict=True)]
        elif self.OFF:
            flat = next(w.reshape(-1) for w in landed if np.any((np.abs(w) >= 0.5) & (np.abs(w) < 1)))
            k = int(np.flatnonzero((np.abs(flat) >= 0.5) & (np.abs(flat) < 1))[0])
            flat[k] -= np.sign(flat[k]) * self.OFF
        for layer, w in zip(self.layers, landed, strict=True):
            layer.weight = w


class OneOffNetwork(FirstStepNetwork):
    """On 2 rows, exactly 1 away from one step on row 1, in one element (a difference rounding keeps)."""

    OFF = 1.0


def test_a_fit_exactly_one_away_from_a_path_in_one_element_is_that_far_from_it() -> None:
    """A difference of exactly 1 is a difference like any other: the nearest is then another path."""
    profile = probed(OneOffNetwork)
    failure = profile.scheme_failure
    assert failure is not None and profile.scheme is None
    summary = no_scheme("random-sample", "one step on row 2", "100%")
    assert (failure.summary, failure.details) == (summary, moved_by("9.711"))
    [finding] = failure.findings
    assert (finding.kind, finding.sentence) == ("fit-scheme", summary)
    assert (
        set(finding.params) == {"nearest", "gap", "rows"}
        and finding.params["rows"] == 2
        and finding.params["nearest"] == "random-sample"
    )
    assert finding.params["gap"] == pytest.approx(0.9987277436244398, rel=1e-9)


def test_a_fit_that_departs_from_every_scheme_only_on_4_rows_is_described_on_4_rows() -> None:
    """The epoch described is the one farthest from every scheme: the 2-row epoch landed exactly on a
    path, and saying it moved as no scheme does would contradict its own 0%."""
    failure = probed(FirstStepNetwork).scheme_failure
    assert failure is not None
    summary = (
        "one epoch of fit on 4 distinct rows moved the weights as no training scheme does (the nearest "
        "is mini-batch-mean-3, steps on the mean of rows 2, 3, 4, then row 1, 19% of the move away)"
    )
    details = (
        f"fit(X, y, learning_rate, epochs=1) on 4 rows moved the weights by 0.982 (÷ learning rate, "
        f"largest element); {TRIED}"
    )
    assert (failure.summary, failure.details) == (summary, details)
    [finding] = failure.findings
    assert (finding.kind, finding.sentence) == ("fit-scheme", summary)
    assert finding.params["nearest"] == "mini-batch-mean-3" and finding.params["rows"] == 4
    assert finding.params["gap"] == pytest.approx(0.1941424280693575, rel=1e-9)


class SplitSchemeNetwork(ScaledBatchNetwork):
    """On 2 rows, one step on row 1 (random-sample's path); on 4, one step on the summed batch."""

    SCALE = 1.0
    OFF = 0.0

    def fit(self, X: Any, y: Any, learning_rate: float = 0.1, epochs: int = 10000) -> None:
        if len(X) == 2:
            FirstStepNetwork.fit(self, X, y, learning_rate, epochs)  # type: ignore[arg-type]
        else:
            super().fit(X, y, learning_rate, epochs)


def test_a_fit_that_follows_one_scheme_on_2_rows_and_another_on_4_is_said_to_follow_no_one_scheme() -> None:
    """Each epoch alone follows a scheme, so no epoch is "as no scheme does": the finding names both."""
    profile = probed(SplitSchemeNetwork)
    failure = profile.scheme_failure
    assert failure is not None and profile.scheme is None
    summary = (
        "one epoch of fit moved the weights as random-sample does on 2 distinct rows (one step on row 1) "
        "and as full-batch-sum does on 4 (one step on the sum of rows 1, 2, 3, 4): no one training scheme "
        "does both"
    )
    assert (failure.summary, failure.details) == (summary, moved_by("0.7554"))
    assert failure.findings == (
        Finding("fit-scheme", summary, {"schemes": ["random-sample", "full-batch-sum"], "rows": [2, 4]}),
    )


# --------------------------------------------------------------------------- fits on the first row's target


class DoubleStepLayer(Layer):
    """A layer whose update steps twice as far as its learning rate says."""

    def update(self, learning_rate: float, left_a: Any) -> None:
        super().update(2 * learning_rate, left_a)


class DoubleStepNetwork(NeuralNetwork):
    """The article's network, its layers DoubleStepLayers."""

    def __init__(self, layers: list[int], activation: str) -> None:
        super().__init__(layers, activation)
        for layer in self.layers:
            layer.__class__ = DoubleStepLayer


class DoubleStepFirstRowTarget(first_row_target.FirstTargetNetwork, DoubleStepNetwork):
    """The layers' step is twice the gradient's, and fit trains a random row on y[0] with it: only the
    layers' own step, not the numerical gradient, shows the first row's target."""


class HalvedFirstTarget(EveryRowNetwork, DoubleStepNetwork):
    """Every row in order on y[0], at half the learning rate of layers that step twice as far: the true
    gradient's step on the first row's target, which only the numerical gradient shows."""

    def fit(self, X: Any, y: Any, learning_rate: float = 0.1, epochs: int = 10000) -> None:
        first = np.repeat(np.asarray(y, dtype=float).reshape(len(X), -1)[:1], len(X), axis=0)
        super().fit(X, first, learning_rate / 2, epochs)


@pytest.mark.parametrize(
    ("make", "nearest", "size", "scheme"),
    [
        (first_row_target.make, ("random-sample", "one step on row 2", "78%"), "0.2792", "random-sample"),
        (DoubleStepFirstRowTarget, ("random-sample", "one step on row 2", "78%"), "0.5583", "random-sample"),
        (
            HalvedFirstTarget,
            ("full-batch-mean", "one step on the mean of rows 1, 2", "29%"),
            "0.8163",
            "per-sample",
        ),
    ],
)
def test_a_fit_on_the_first_rows_target_is_a_wrong_target_failure_naming_its_scheme(
    make: Any, nearest: tuple[str, str, str], size: str, scheme: str
) -> None:
    """Seen through the layers' own step or through the numerical gradient alone, the report names the
    scheme fit follows on y[0], and says each row must be trained on its own target."""
    profile = probed(make)
    assert profile.scheme is None
    finding = Finding("wrong-target", wrong_target(scheme), {"scheme": scheme})
    assert profile.scheme_failure == ProbeFailure(no_scheme(*nearest), moved_by(size), (finding,))


# --------------------------------------------------------------------------- fits that cannot be probed


class FailingFitNetwork(NeuralNetwork):
    """fit raises whatever it is given (on its first line)."""

    def fit(self, X: Any, y: Any, learning_rate: float = 0.1, epochs: int = 10000) -> None:
        raise ValueError("no fit here.")


def run(make: Any, scheme: str | None) -> Profile:
    worker = LocalWorker(make)
    found = protocol_of(worker)
    assert not isinstance(found, str), found
    return probe(worker, Profile(found[0], frozenset(found[1])), HALF_SSE, scheme=scheme)


@pytest.mark.parametrize(("scheme", "tail"), [(None, ""), ("per-sample", "; per-sample declared")])
def test_a_fit_that_raises_is_not_characterised_and_keeps_the_declared_scheme(
    scheme: str | None, tail: str
) -> None:
    """The note gives fit's error, then the scheme declared (if any), which the profile keeps."""
    line = FailingFitNetwork.fit.__code__.co_firstlineno + 1
    profile = run(FailingFitNetwork, scheme)
    assert (profile.scheme, profile.scheme_failure) == (scheme, None)
    assert profile.notes[-1] == (
        "fit: not characterised (fit(X, y, learning_rate, epochs) raised ValueError: no fit here. "
        f"at test_mutants_conventions.py:{line}){tail}"
    )


class _EndedSubject:
    """A subject whose worker's process ends before it answers, its sentence ending in a capital X."""

    def worker(self, seconds: float) -> LocalWorker:
        raise SubjectEnded("the implementation's process ended while building layer X.")


def test_a_worker_that_ends_is_noted_in_its_own_words_without_the_final_stop() -> None:
    """Only the closing full stop is taken off the worker's sentence: its last word stays whole."""
    profile = probe_in_worker(_EndedSubject(), Profile("layer-level"), HALF_SSE, 5.0)  # type: ignore[arg-type]
    assert profile.notes == (
        "conventions not probed (the implementation's process ended while building layer X)",
    )
