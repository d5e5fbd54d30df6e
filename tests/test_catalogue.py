"""The battery against the catalogue: every planted bug fails the checks it must fail, and only
the layer it lives in is blamed; every correct variant, however differently written, passes.

The catalogue is `tests/implementations/` (one module per entry, see its __init__).
"""

from __future__ import annotations

import difflib
import json
import os
import re
from pathlib import Path
from types import ModuleType

import pytest
from implementations import catalogue
from mutmut_stats import cache_with_calls

from backprop.battery import CHECK_IDS, BatteryResult, CheckResult, check
from backprop.battery.report import render

MAX_EXAMPLES = 8
"""Cases per check: enough for hypothesis to find every planted bug, few enough for the default suite."""

CATALOGUE = catalogue()
BUGS = sorted(name for name, module in CATALOGUE.items() if module.EXPECTED_FAILED)
CORRECT = sorted(name for name, module in CATALOGUE.items() if not module.EXPECTED_FAILED)


@cache_with_calls
def battery(name: str, loss: str | None = None, only: tuple[str, ...] | None = None) -> BatteryResult:
    """The battery's verdict on one catalogue entry, under its own loss unless another is given.

    A planted bug is run on the checks it must fail only (`only`), which halves the time the
    catalogue takes; a correct variant is run on every check.
    """
    module = CATALOGUE[name]
    if only is None and module.EXPECTED_FAILED:
        only = tuple(module.EXPECTED_FAILED)
    declared = loss if loss is not None else str(getattr(module, "LOSS", "half_sse"))
    checks = list(only) if only else None
    return check(module.make, loss=declared, max_examples=MAX_EXAMPLES, seed=0, only=checks)


def report(result: BatteryResult) -> str:
    """Each check's status, where and summary, for an assertion message."""
    return "\n".join(f"{r.id}: {r.status} {r.where} {r.summary} {r.diagnosis or ''}" for r in result.results)


def must_fail(module: ModuleType) -> list[str]:
    """The check ids the module's docstring says must fail ("Must fail: a, b, c.")."""
    found = re.search(r"Must fail: (.*?)\.\s*$", module.__doc__ or "", re.MULTILINE)
    return [name.strip() for name in found.group(1).split(",")] if found else []


def test_the_catalogue_holds_at_least_15_planted_bugs_and_5_correct_variants() -> None:
    assert len(BUGS) >= 15, BUGS
    assert len(CORRECT) >= 5, CORRECT


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_each_entry_documents_the_checks_that_must_fail(name: str) -> None:
    module = CATALOGUE[name]
    assert set(module.EXPECTED_FAILED) <= set(CHECK_IDS)
    assert must_fail(module) == list(module.EXPECTED_FAILED)


@pytest.mark.parametrize("name", BUGS)
def test_planted_bug_fails_the_checks_it_must_fail(name: str) -> None:
    result = battery(name)
    expected = CATALOGUE[name].EXPECTED_FAILED
    statuses = {check_id: result.by_id(check_id).status for check_id in expected}
    assert statuses == dict.fromkeys(expected, "failed"), report(result)
    assert [r.id for r in result.results] == [i for i in CHECK_IDS if i in expected]


@pytest.mark.parametrize("name", CORRECT)
def test_correct_variant_passes_every_check(name: str) -> None:
    result = battery(name)
    assert result.passed, report(result)
    assert {r.status for r in result.results} <= {"passed", "skipped"}, report(result)


def layer_of(where: str) -> tuple[int, int]:
    """(k, n) from a location such as "layer 2 of 3 (output), W[0, 1]"."""
    found = re.search(r"layer (\d+) of (\d+)", where)
    assert found, f"no layer named in {where!r}"
    return int(found.group(1)), int(found.group(2))


def is_output_layer(where: str) -> bool:
    k, n = layer_of(where)
    return k == n


def is_hidden_layer(where: str) -> bool:
    k, n = layer_of(where)
    return k < n


LOCATIONS = {
    # a bug in one layer: the report must point at that layer (and at the row or column when frozen)
    "output_error_sign": ("output-delta", is_output_layer),
    "output_delta_missing_fprime": ("output-delta", is_output_layer),
    "output_delta_averaged": ("output-delta", is_output_layer),
    "output_error_summed": ("output-delta", is_output_layer),
    "hidden_delta_reshaped_weights": ("weight-gradient", is_hidden_layer),
    "deep_delta_missing_fprime": ("hidden-delta", lambda where: layer_of(where)[0] < layer_of(where)[1] - 1),
    "update_hidden_column_frozen": (
        "update-is-sgd-step", lambda where: is_hidden_layer(where) and re.search(r"W\[\d+, 0\]", where)),
    "update_bias_row_frozen": ("update-is-sgd-step", lambda where: re.search(r"W\[0, \d+\]", where)),
    "predict_bias_last": ("predict-is-forward", lambda where: "output unit" in where),
    # fit bugs: the layer whose step is wrong
    "update_during_backward": ("fit-one-sample", is_hidden_layer),
    "update_with_refreshed_activations": ("fit-one-sample", is_output_layer),
}


@pytest.mark.parametrize("name", sorted(LOCATIONS))
def test_the_report_names_the_layer_the_bug_is_in(name: str) -> None:
    check_id, located = LOCATIONS[name]
    where = battery(name).by_id(check_id).where
    assert located(where), where


DIAGNOSES = [
    # what the battery must recognise: (entry, check id, words its diagnosis must contain)
    ("dz_of_a", "dz-is-fprime-of-z", "f'(A)"),
    ("output_delta_missing_fprime", "output-delta", "f'(z)"),
    ("deep_delta_missing_fprime", "hidden-delta", "f'(z)"),
    ("batch_update_averaged", "batch-is-sum", "mean"),
    ("hidden_delta_reshaped_weights", "hidden-delta", "several outputs"),
    ("hidden_delta_reshaped_weights", "hidden-delta", "where its transpose belongs"),
    ("hidden_returns_error", "hidden-delta", "returns something other than the delta it stores"),
    ("cached_transposed_weights", "fit-two-samples", "stale"),
    ("update_with_refreshed_activations", "fit-one-sample", "already-updated layer"),
    ("output_error_sign", "output-delta", "sign"),
    ("output_error_summed", "output-delta", "summed over the outputs"),
    ("update_factor_two", "update-is-sgd-step", "2"),
    ("update_lr_twice", "update-is-sgd-step", "learning rate"),
    ("update_bias_row_frozen", "update-is-sgd-step", "row"),
    ("update_hidden_column_frozen", "update-is-sgd-step", "column"),
    ("update_gradient_clipped", "update-is-sgd-step", "was not seen with 1 output"),
    ("output_delta_averaged", "output-delta", "outputs"),
    ("update_during_backward", "fit-one-sample", "already-updated"),
    ("unseeded_initial_weights", "deterministic", "np.random.seed"),
    ("fit_shuffles_in_place", "inputs-unmodified", "in place"),
    ("predict_bias_last", "predict-is-forward", "constant 1 appended after the inputs"),
    ("sigmoid_prime_small_z", "activation-derivative", "drift away as |z| grows"),
    ("sigmoid_prime_small_z", "output-delta", "the layer's own activation_prime(z)"),
]


@pytest.mark.parametrize("name", BUGS)
def test_each_bug_s_failures_carry_the_kinds_of_its_mistake(name: str) -> None:
    """Graders and tests select on kinds: every planted bug names the kinds its failures must carry."""
    module = CATALOGUE[name]
    assert module.EXPECTED_KINDS and set(module.EXPECTED_KINDS) <= set(module.EXPECTED_FAILED)
    result = battery(name)
    for check_id, kinds in module.EXPECTED_KINDS.items():
        found = [f.kind for f in result.by_id(check_id).findings]
        assert set(kinds) <= set(found), (check_id, kinds, found, said(result.by_id(check_id)))


def test_no_correct_variant_names_kinds() -> None:
    assert all(not CATALOGUE[name].EXPECTED_KINDS for name in CORRECT)


@pytest.mark.parametrize(("name", "check_id", "words"), DIAGNOSES,
                         ids=[f"{name}-{check_id}" for name, check_id, _ in DIAGNOSES])
def test_the_diagnosis_names_the_mistake(name: str, check_id: str, words: str) -> None:
    found = battery(name).by_id(check_id)
    assert words in said(found), f"{said(found)!r}\n{found.details}"


def said(found: CheckResult) -> str:
    """Every finding's sentence of a check, in order."""
    return " / ".join(finding.sentence for finding in found.findings)


def test_a_size_note_says_only_what_was_seen() -> None:
    diagnosis = said(battery("update_gradient_clipped").by_id("update-is-sgd-step"))
    assert "not seen with 1 output" in diagnosis and "shows only" not in diagnosis, diagnosis


def test_failures_come_with_a_minimal_case_and_a_command_to_reproduce() -> None:
    failed = battery("output_error_sign").by_id("output-delta")
    assert failed.minimal_case is not None and failed.minimal_case["layers"]
    assert failed.reproduce and "only=['output-delta']" in failed.reproduce


def test_bugs_that_need_several_outputs_shrink_to_two_outputs() -> None:
    for name in ("output_delta_averaged", "output_error_summed"):
        case = battery(name).by_id("output-delta").minimal_case
        assert case is not None and case["layers"][-1] == 2, (name, case)


def test_a_bug_that_needs_two_hidden_layers_is_caught_only_with_two() -> None:
    found = battery("hidden_returns_error").by_id("hidden-delta")
    assert found.minimal_case is not None and len(found.minimal_case["layers"]) - 2 == 2, found.minimal_case
    assert "needs-size" in [f.kind for f in found.findings] and "deep networks" in said(found)


def test_cross_entropy_network_fails_under_half_sse() -> None:
    module = CATALOGUE["bce_sigmoid"]
    expected = module.EXPECTED_FAILED_UNDER_HALF_SSE
    result = battery("bce_sigmoid", "half_sse", expected)
    statuses = {check_id: result.by_id(check_id).status for check_id in expected}
    assert statuses == dict.fromkeys(expected, "failed"), report(result)
    assert "loss='bce'" in (result.by_id("output-delta").diagnosis or "")  # the hint, as Python declares it


# ------------------------------------------------------------------------------------- the whole report
# Every word and number the battery gives on each entry, pinned: the report a user reads and the JSON a
# tool reads, against tests/golden/catalogue/<entry>.txt. The tests above ask for a kind, a layer or a
# phrase; these fail on any change to a sentence, a finding's parameters, a minimal case or the layout
# of the report. Numbers are compared to 3 significant digits, and those below 1e-4 in size only as
# "small": a passing check's error, the agreement of an exact relation and a rounding budget are the
# size of rounding and truncation errors, whose digits move with numpy's order of summation (5.7e-06
# on one install is 5.8e-06 on another, an agreement of 0, "exactly", is 1e-17 on another), so such a
# change is not a difference. After an
# intended change, write the files anew with BACKPROP_REGENERATE_GOLDEN=1 and read their diff before
# committing it.

GOLDEN = Path(__file__).parent / "golden" / "catalogue"
REGENERATE = os.environ.get("BACKPROP_REGENERATE_GOLDEN") == "1"
NUMBER = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?|-?\d+e[-+]?\d+")


SMALL = 1e-4
EXACT = ((" exactly ", " to small "), ('"agreement": 0,', '"agreement": small,'))


def rounded(text: str) -> str:
    """``text`` with each decimal number written to 3 significant digits, or as "small" below 1e-4,
    and an exact agreement written as a small one."""

    def write(found: re.Match[str]) -> str:
        value = float(found.group())
        return "small" if 0 < abs(value) < SMALL else f"{value:.3g}"

    text = NUMBER.sub(write, text)  # first, so that an agreement of 0.0 is read as the exact 0 it is
    for exact, small in EXACT:
        text = text.replace(exact, small)
    return text


def whole_report(result: BatteryResult) -> str:
    """What the battery says of one entry: the rendered report, then its JSON, numbers rounded."""
    data = json.dumps(result.to_json(), indent=1, sort_keys=True, ensure_ascii=False)
    return rounded(render(result, "VERSION") + "\n----- JSON -----\n" + data + "\n")


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_the_whole_report_on_each_entry_is_as_recorded(name: str) -> None:
    said_now = whole_report(battery(name))
    path = GOLDEN / f"{name}.txt"
    if REGENERATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(said_now, encoding="utf-8")
    assert path.exists(), f"{path} is missing: write it with BACKPROP_REGENERATE_GOLDEN=1 and review it"
    recorded = path.read_text(encoding="utf-8")
    if said_now != recorded:
        changed = list(difflib.unified_diff(recorded.splitlines(), said_now.splitlines(), "recorded", "now",
                                            lineterm=""))
        differing = sum(1 for line in changed[2:] if line[:1] in "+-")
        pytest.fail(f"the report on {name} differs from {path.name} in {differing} lines "
                    "(− recorded, + now):\n" + "\n".join(changed[:60]))
