"""The model-level protocol, second version: what code needs to have is what it has.

Each feature is tried on correct code written differently from the battery's reference and on a planted
bug written the way tutorials write it (tests/model_v2/); the bug must fail with its finding's kind.
Every test here fails on a battery without the feature: a step-only model used to get its gradient
compared at one learning rate only (no finding), a factory's `loss=` keyword was never given, reports
named "parameter 2 of 4", batches and L2 penalties were not checked, and findings were never attached.
"""

from __future__ import annotations

import numpy as np
import pytest
from model_v2 import loss_keyword, minibatch, named, regularised, step_only

import backprop
from backprop.battery import BatteryResult
from backprop.subject.driver import Driver

FEW = 4
GRADIENT = ["weight-gradient", "update-is-sgd-step"]


def kinds(result: BatteryResult, check_id: str) -> list[str]:
    return [finding.kind for finding in result.by_id(check_id).findings]


def report(result: BatteryResult) -> str:
    return "\n".join(f"{r.id}: {r.status} {r.where} {r.summary} {r.diagnosis}" for r in result.results)


# --------------------------------------------------------------------------- gradients from the step


def test_a_step_only_model_is_checked_through_its_step_and_the_summary_says_so() -> None:
    result = backprop.check(step_only.make, max_examples=FEW, only=GRADIENT)
    assert result.passed, report(result)
    summary = result.by_id("weight-gradient").summary
    assert "derived from step(x, y, lr)" in summary and "1/8" in summary


def test_a_step_that_updates_inside_backward_is_found_stale() -> None:
    result = backprop.check(step_only.make_eager, max_examples=FEW, only=GRADIENT)
    assert result.failed_ids == GRADIENT, report(result)
    assert kinds(result, "weight-gradient")[0] == "stale-weights"
    found = result.by_id("weight-gradient")
    assert found.diagnosis == found.findings[0].sentence
    assert found.findings[0].params["errors"][0] > found.findings[0].params["errors"][1]
    assert len(found.minimal_case["layers"]) == 3  # it needs a hidden layer, and shrinks to one


def test_a_step_that_adds_parameter_arrays_is_reported_in_one_sentence_naming_the_shapes() -> None:
    """Momentum state listed by parameters() only from the first step changes the arrays' number: each
    check that compares them across calls says so, where numpy's zip() used to speak for it."""
    result = backprop.check(step_only.make_velocity, max_examples=FEW, only=GRADIENT)
    for check_id in GRADIENT:
        outcome = result.by_id(check_id)
        assert outcome.status == "errored"
        assert outcome.summary == (
            "the parameter arrays changed after `step`: 2 of shapes (1, 1), (1,) before, "
            "3 of shapes (1, 1), (1,), (1, 1) now; the battery compares them across calls, "
            "so their number and shapes must stay fixed."
        )


def test_a_step_that_ignores_the_learning_rate_says_so() -> None:
    result = backprop.check(step_only.make_fixed_step, max_examples=FEW, only=["update-is-sgd-step"])
    assert kinds(result, "update-is-sgd-step")[0] == "learning-rate-ignored", report(result)


def test_findings_are_in_the_json_report() -> None:
    result = backprop.check(step_only.make_eager, max_examples=FEW, only=["weight-gradient"])
    data = result.to_json()["results"][0]["findings"]
    assert data[0]["kind"] == "stale-weights"
    assert data[0]["learning_rates"][1] == data[0]["learning_rates"][0] / 8


# --------------------------------------------------------------------------- loss from predict, loss=


def test_a_factory_taking_loss_serves_every_declared_loss() -> None:
    for loss in ("half_sse", "mse", "bce"):
        result = backprop.check(loss_keyword.make, loss=loss, max_examples=FEW,
                                only=["weight-gradient", "descent", "predict-is-forward"])
        assert result.passed, (loss, report(result))
        assert result.by_id("predict-is-forward").status == "passed"  # predict alone: no loss(x, y) needed


def test_the_loss_keyword_goes_only_to_factories_that_take_it() -> None:
    driver = Driver(lambda layers, activation: named.make(layers, activation))
    assert driver.build([2, 2, 1], "tanh", {"loss": "mse"})["protocol"] == "model-level"
    taken: list[str] = []

    def make(layers: list[int], activation: str, **options: str) -> named.TwoLayer:
        taken.append(options["loss"])
        return named.make(layers, activation)

    keyword = Driver(make)
    keyword.build([2, 2, 1], "tanh", {"loss": "mse"})
    assert taken == ["mse"]


# --------------------------------------------------------------------------- named parameters


def test_reports_name_the_parameters_of_a_dict() -> None:
    right = backprop.check(named.make, max_examples=FEW,
                           only=["weight-gradient", "descent", "predict-is-forward"])
    assert right.passed, report(right)
    result = backprop.check(named.make_forgets_prime, max_examples=FEW, only=["weight-gradient"])
    found = result.by_id("weight-gradient")
    assert found.status == "failed", report(result)
    assert found.where.split("[")[0] in {"W1", "b1"} and "parameter" not in found.where
    assert found.details.startswith(found.where)


# --------------------------------------------------------------------------- batches


@pytest.mark.parametrize("make", [minibatch.make, minibatch.make_averaged])
def test_a_batch_that_combines_as_declared_passes(make) -> None:
    result = backprop.check(make, max_examples=FEW, only=["batch-is-sum", "weight-gradient"])
    assert [r.status for r in result.results] == ["passed", "passed"], report(result)


def test_a_declared_mean_that_forgets_one_over_n_fails_scaled_by_the_batch_size() -> None:
    result = backprop.check(minibatch.make_forgets, max_examples=FEW, only=["batch-is-sum"])
    found = result.by_id("batch-is-sum")
    assert found.status == "failed", report(result)
    assert {f.kind for f in found.findings} == {"scaled"}
    assert found.findings[0].params["factor"] == 3.0 and found.findings[0].params["got"] == "sum"


def test_an_undeclared_mean_fails_and_is_told_to_declare_it() -> None:
    result = backprop.check(minibatch.make_quiet_mean, max_examples=FEW, only=["batch-is-sum"])
    found = result.by_id("batch-is-sum")
    assert found.status == "failed" and kinds(result, "batch-is-sum")[0] == "scaled", report(result)
    assert found.findings[0].params["factor"] == pytest.approx(1 / 3)
    assert 'reduction = "mean"' in (found.diagnosis or "")


def test_per_sample_models_have_the_batch_check_skipped_with_the_reason() -> None:
    result = backprop.check(step_only.make, max_examples=FEW, only=["batch-is-sum"])
    found = result.by_id("batch-is-sum")
    assert found.status == "skipped" and "a batch of 2 rows was refused" in found.summary


# --------------------------------------------------------------------------- L2


def test_a_declared_weight_decay_passes_and_the_same_code_undeclared_is_named() -> None:
    declared = backprop.check(regularised.make, l2=regularised.LAMBDA, max_examples=FEW,
                              only=GRADIENT + ["descent"])
    assert declared.passed, report(declared)
    undeclared = backprop.check(regularised.make, max_examples=FEW, only=["update-is-sgd-step"])
    finding = undeclared.by_id("update-is-sgd-step").findings[0]
    assert finding.kind == "regularisation" and finding.params["l2"] == pytest.approx(regularised.LAMBDA)
    assert "declare it with l2=0.05" in finding.sentence


def test_a_penalty_on_the_biases_too_is_found_unless_declared() -> None:
    result = backprop.check(regularised.make_decay_everything, l2=regularised.LAMBDA, max_examples=FEW,
                            only=["update-is-sgd-step"])
    finding = result.by_id("update-is-sgd-step").findings[0]
    assert finding.kind == "regularisation" and finding.params["biases"] is True, report(result)
    declared = backprop.check(regularised.make_decay_everything, l2=regularised.LAMBDA, l2_biases=True,
                              max_examples=FEW, only=["update-is-sgd-step"])
    assert declared.passed, report(declared)


@pytest.mark.parametrize(("make", "factor"), [(regularised.make_double, 2.0), (step_only.make, 0.0)])
def test_a_wrong_or_missing_penalty_factor_is_measured(make, factor: float) -> None:
    result = backprop.check(make, l2=regularised.LAMBDA, max_examples=FEW, only=["update-is-sgd-step"])
    finding = result.by_id("update-is-sgd-step").findings[0]
    assert finding.kind == "regularisation" and finding.params["factor"] == pytest.approx(factor, abs=1e-9)


def test_the_layer_level_penalty_leaves_the_bias_row_out() -> None:
    """The reference with weight decay written into its update: row 0 (the constant 1's) is not decayed."""

    result = backprop.check("model_v2.layer_decay:make", l2=regularised.LAMBDA, max_examples=FEW,
                            only=["update-is-sgd-step", "weight-gradient"])
    assert result.passed, report(result)
    plain = backprop.check("model_v2.layer_decay:make", max_examples=FEW, only=["update-is-sgd-step"])
    assert plain.by_id("update-is-sgd-step").findings[0].kind == "regularisation", report(plain)


def test_l2_biases_without_l2_is_a_usage_error() -> None:
    with pytest.raises(ValueError, match="l2_biases needs a penalty"):
        backprop.check(step_only.make, l2_biases=True)
    with pytest.raises(ValueError, match="l2 must be a non-negative number"):
        backprop.check(step_only.make, l2=-1.0)


def test_the_command_line_takes_l2(capsys: pytest.CaptureFixture[str]) -> None:
    from backprop.cli import main

    code = main(["check", "model_v2.regularised:make", "--l2", "0.05", "--max-examples", "3",
                 "--only", "update-is-sgd-step"])
    assert code == 0, capsys.readouterr().out
    code = main(["check", "model_v2.regularised:make_decay_everything", "--l2", "0.05", "--max-examples", "3",
                 "--only", "update-is-sgd-step"])
    out = capsys.readouterr().out
    assert code == 1 and "penalises the biases too" in out
    assert "make_decay_everything --l2 0.05 --seed 0" in out


def test_the_penalty_masks() -> None:
    from backprop.battery.checks.penalty import penalised
    from backprop.battery.profile import Profile

    arrays = [np.ones((3, 2)), np.ones(2)]
    model = penalised(arrays, Profile(l2=0.1), model=True)
    assert model[0].all() and not model[1].any()
    layer_first = penalised([np.ones((3, 2))], Profile(l2=0.1), model=False)[0]
    layer_last = penalised([np.ones((3, 2))], Profile(l2=0.1, bias="last"), model=False)[0]
    assert layer_first[0].sum() == 0 and layer_first[1:].all()
    assert layer_last[-1].sum() == 0 and layer_last[:-1].all()


@pytest.mark.parametrize("options", [["--l2", "-1"], ["--l2-biases"]])
def test_a_bad_penalty_on_the_command_line_exits_2_in_one_line(options: list[str],
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    from backprop.cli import main

    code = main(["check", "model_v2.regularised:make", *options, "--only", "update-is-sgd-step"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "l2" in err
