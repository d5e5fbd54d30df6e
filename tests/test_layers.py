"""check-layer on the layer catalogue: correct layers pass, every planted bug fails the check it breaks,
shrunk to the smallest shapes that show it, with the finding kind that names its cause."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import backprop
from backprop.findings import KINDS

sys.path.insert(0, str(Path(__file__).parent / "layer_implementations"))
from catalogue import BUGS, CORRECT, Entry  # noqa: E402

FEW = 5
"""Cases per check for correct layers in the default run (the slow run uses the default)."""


@pytest.mark.parametrize("entry", CORRECT, ids=lambda e: e.id)
def test_a_correct_layer_passes_every_check(entry: Entry) -> None:
    result = backprop.check_layer(entry.target, kind=entry.kind, max_examples=FEW)
    assert result.passed, [(r.id, r.summary) for r in result.results if not r.ok]
    assert all(not r.findings for r in result.results)


SHOWS_ON = {
    "batch > 1": lambda case: case["batch"] > 1,
    "more than 1 output": lambda case: case["n_features"] > 1,
    "4-D inputs": lambda case: len(case["input_shape"]) == 3,
    "non-square layers": lambda case: case["n_inputs"] != case["n_outputs"],
    "stride 2": lambda case: case["stride"] == 2,
    "padding >= 1": lambda case: case["pad"] >= 1,
    "ties": lambda case: case["ties"],
    "pools that are not square": lambda case: case["pool_height"] != case["pool_width"],
}


@pytest.mark.parametrize("entry", BUGS, ids=lambda e: e.id)
def test_a_planted_bug_fails_with_its_finding_on_the_shapes_it_needs(entry: Entry) -> None:
    first = entry.fails[0]
    result = backprop.check_layer(entry.target, kind=entry.kind, only=[first])
    checked = result.by_id(first)
    assert checked.status == "failed", checked.summary
    kinds = [finding.kind for finding in checked.findings]
    if entry.finding is None:
        assert kinds == [] and checked.diagnosis is None  # nothing measured, nothing said
    else:
        assert kinds[:1] == [entry.finding], (checked.summary, checked.diagnosis)
        assert entry.finding in KINDS
    if entry.shows_on:
        assert SHOWS_ON[entry.shows_on](checked.minimal_case), checked.minimal_case
    assert checked.where.startswith(first) or not checked.where or checked.id == "untouched"
    assert checked.reproduce and f"--only {first}" in checked.reproduce


@pytest.mark.slow
@pytest.mark.parametrize("entry", BUGS, ids=lambda e: e.id)
def test_a_planted_bug_fails_only_the_checks_it_breaks(entry: Entry) -> None:
    result = backprop.check_layer(entry.target, kind=entry.kind)
    assert result.failed_ids == list(entry.fails)


@pytest.mark.slow
@pytest.mark.parametrize("entry", CORRECT, ids=lambda e: e.id)
def test_a_correct_layer_passes_with_many_cases(entry: Entry) -> None:
    result = backprop.check_layer(entry.target, kind=entry.kind, max_examples=60)
    assert result.passed, [(r.id, r.summary) for r in result.results if not r.ok]


def test_every_required_finding_kind_is_planted_in_the_catalogue() -> None:
    required = {
        "wrong-axis",
        "transposed",
        "scaled",
        "wrong-derivative",
        "kernel-not-flipped",
        "stride-ignored",
        "padding-wrong",
        "pool-routing",
        "mean-term-missing",
        "variance-mismatch",
        "mask-not-rescaled",
        "stale-weights",
        "in-place",
    }
    assert required <= {entry.finding for entry in BUGS}
    assert (
        {entry.file for entry in BUGS}
        == {entry.file for entry in CORRECT}
        == {"nnfs_layers.py", "medium_layers.py", "cs231n_layers.py"}
    )


def by_name(name: str) -> Entry:
    return next(entry for entry in BUGS + CORRECT if entry.name == name)


def test_a_diagnosis_states_its_evidence_and_names_the_batch_size() -> None:
    entry = by_name("softmax_loss_not_averaged")
    checked = backprop.check_layer(entry.target, kind="softmax-ce", only=["dx"]).by_id("dx")
    finding = checked.findings[0]
    assert finding.params["follows"] == "batch" and finding.params["batch"] == checked.minimal_case["batch"]
    assert "the factor is the batch size" in finding.sentence
    assert "2 × the numerical gradient at batch size 2 and 3 × at 3" in finding.sentence


def test_the_failure_says_which_gradient_where_and_by_how_much_against_what_budget() -> None:
    entry = by_name("conv_padding_forward")
    checked = backprop.check_layer(entry.target, only=["dx"]).by_id("dx")
    assert checked.where.startswith("dx[")
    assert "against a budget of" in checked.summary and "off by" in checked.summary
    assert "equals the padded gradient cropped at offset (0, 0) to" in checked.diagnosis
    assert checked.worst_rel_error is not None and checked.worst_rel_error > 0.1


def test_stale_weights_are_read_at_two_learning_rates() -> None:
    entry = by_name("FCLayerStaleWeights")
    checked = backprop.check_layer(entry.target, kind="dense", only=["dx"]).by_id("dx")
    assert checked.findings[0].params["learning_rates"] == [0.1, 0.3]
    assert "already updated" in checked.findings[0].sentence


def test_a_medium_layer_that_takes_one_sample_is_checked_on_batches_of_one_and_says_so() -> None:
    result = backprop.check_layer(by_name("FCLayer").target, max_examples=3, only=["db"])
    assert "handles one sample at a time" in result.note and "medium_layers.py, line" in result.note
    assert result.by_id("db").status == "passed"
