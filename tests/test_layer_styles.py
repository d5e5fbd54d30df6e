"""The battery on layer-level code as people write it: the fit's training scheme, per-sample layers,
the bias position, and layers whose activation goes by another name (tests/layer_styles/).

Each of these fails on a battery that assumes the article's conventions: a full-batch fit raised a
false alarm ("a step applied twice"), per-sample layers errored batch-is-sum, a bias-last network
failed three checks, a layer without `activation` errored the delta checks, and a fit training on
the first row's target passed everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from layer_styles import article, bias_last, full_batch_sum, renamed_activation

import backprop
from backprop import numerical
from backprop.battery.cases import make_case
from backprop.battery.conventions import probe
from backprop.battery.profile import Profile
from backprop.battery.protocols import LocalWorker
from backprop.battery.report import render
from backprop.battery.runner import evaluate, protocol_of
from backprop.battery.schemes import epoch_paths, parse_scheme
from backprop.losses import HALF_SSE

STYLES = Path(__file__).parent / "layer_styles"
FIT_CHECKS = ["fit-one-sample", "fit-two-samples"]


def target(name: str) -> str:
    return str(STYLES / name)


def probed(make: object) -> Profile:
    """The profile the battery would run a factory with (driven in this process)."""
    worker = LocalWorker(make)
    found = protocol_of(worker)
    assert not isinstance(found, str), found
    return probe(worker, Profile(found[0], frozenset(found[1])), HALF_SSE)


def findings(result: backprop.battery.BatteryResult, check_id: str) -> list[str]:
    return [f.kind for f in result.by_id(check_id).findings]


# --------------------------------------------------------------------------- the article as published


def test_the_article_as_published_is_probed_as_random_sample_bias_first_and_batch_capable() -> None:
    profile = probed(article.make)
    assert (profile.scheme, profile.bias) == ("random-sample", "first")
    assert "batch" in profile.offers and profile.scheme_failure is None
    assert dict(profile.layouts) == {"fit": "first", "predict": "first"}


@pytest.mark.parametrize("check_id", [*FIT_CHECKS, "predict-is-forward", "batch-is-sum", "hidden-delta"])
def test_the_article_as_published_passes_on_the_networks_it_builds(check_id: str) -> None:
    """Networks with a hidden layer only: without one, its constructor's `i` is unbound."""
    profile = probed(article.make)
    built = (((2, 3, 1), "tanh", 1), ((3, 2, 2, 2), "sigmoid", 2), ((1, 4, 1), "relu", 3))
    for layers, activation, seed in built:
        case = make_case(layers, activation, 0.1, 1.0, seed, HALF_SSE)
        evidence = evaluate(check_id, article.make, case, HALF_SSE, profile)
        assert evidence.status == "passed", (layers, evidence.summary, evidence.details)


# --------------------------------------------------------------------------- training schemes


@pytest.mark.parametrize(
    ("module", "scheme", "words"),
    [
        ("full_batch_sum.py", "full-batch-sum", "fit: the full batch per epoch, gradients summed"),
        ("full_batch_mean.py", "full-batch-mean", "fit: the full batch per epoch, gradients averaged"),
        ("mini_batch.py", "mini-batch-mean-2", "fit: mini-batches of 2 rows, gradients averaged"),
        ("every_row.py", "per-sample", "fit: every sample once per epoch, one step each"),
    ],
)
def test_a_correct_batch_fit_is_characterised_and_passes_the_fit_checks(
    module: str, scheme: str, words: str
) -> None:
    result = backprop.check(target(module) + ":make", max_examples=4, only=FIT_CHECKS)
    assert result.passed, render(result, "test")
    assert result.scheme == scheme
    header = render(result, "test").split("\n\n")[0].splitlines()
    assert any(line.startswith(f"  {words} (") for line in header), header
    data = json.loads(json.dumps(result.to_json()))
    assert data["scheme"] == scheme and data["bias"] == "first"


def test_the_article_fit_is_one_random_sample_per_epoch_in_the_report() -> None:
    result = backprop.check(backprop.NeuralNetwork, max_examples=3, only=["fit-two-samples"])
    assert result.scheme == "random-sample" and result.passed
    assert "fit: one random sample per epoch (random-sample, observed on 2 and 4 distinct rows)" in render(
        result, "test"
    )


def test_a_fit_that_trains_on_the_first_rows_target_fails_with_wrong_target() -> None:
    result = backprop.check(target("first_row_target.py:make"), max_examples=3, only=FIT_CHECKS)
    assert result.by_id("fit-one-sample").status == "passed"  # one row cannot show it
    failed = result.by_id("fit-two-samples")
    assert failed.status == "failed" and findings(result, "fit-two-samples") == ["wrong-target"]
    assert "first row's target for every row" in (failed.diagnosis or "")
    assert result.scheme is None


def test_a_declared_scheme_that_fit_does_not_follow_is_a_failure_saying_so() -> None:
    result = backprop.check(
        target("full_batch_sum.py:make"), max_examples=3, only=FIT_CHECKS, scheme="full-batch-mean"
    )
    failed = result.by_id("fit-two-samples")
    assert failed.status == "failed" and findings(result, "fit-two-samples") == ["fit-scheme"]
    assert failed.summary.startswith("fit was declared to train by full-batch-mean")
    assert "but it trains by full-batch-sum" in failed.summary
    assert result.by_id("fit-one-sample").status == "passed"


def test_a_declared_scheme_that_fit_follows_passes_and_is_reported_as_declared() -> None:
    """Mini-batches of 8 rows are a full batch on the probe's 4 rows: consistent with it."""
    result = backprop.check(
        target("full_batch_sum.py:make"), max_examples=3, only=FIT_CHECKS, scheme="mini-batch-sum-8"
    )
    assert result.passed and result.scheme == "mini-batch-sum-8"
    assert "declared, and observed" in render(result, "test")


def test_a_summed_full_batch_judged_as_one_random_sample_would_be_a_step_applied_twice() -> None:
    """The check is not vacuous: told the article's scheme, the summed batch's second epoch fails."""
    make = full_batch_sum.make
    profile = probed(make)
    assert profile.scheme == "full-batch-sum"
    case = make_case((2, 3, 1), "tanh", 0.1, 1.0, 5, HALF_SSE)
    assert evaluate("fit-two-samples", make, case, HALF_SSE, profile).status == "passed"
    wrong = evaluate("fit-two-samples", make, case, HALF_SSE, profile.but(scheme="random-sample"))
    assert wrong.status == "failed" and "2 ×" in (wrong.diagnosis or "")


@pytest.mark.parametrize(
    ("name", "n", "count"),
    [("random-sample", 4, 4), ("per-sample", 4, 24), ("full-batch-mean", 4, 1), ("mini-batch-sum-2", 4, 6),
     ("mini-batch-mean-3", 4, 8), ("mini-batch-sum-8", 4, 1), ("per-sample", 2, 2)],
)
def test_each_scheme_has_the_paths_an_epoch_may_take(name: str, n: int, count: int) -> None:
    paths = epoch_paths(parse_scheme(name), n)
    assert len(paths) == len(set(paths)) == count
    every_row = [p for p in paths if sorted(i for batch in p for i in batch) == list(range(n))]
    expected = {"random-sample": 0, "mini-batch-mean-3": 4}.get(name, count)  # 4 of 8 drop the last row
    assert len(every_row) == expected


@pytest.mark.parametrize("bad", ["full-batch", "mini-batch-sum-0", "sgd", 3])
def test_an_unknown_scheme_is_one_sentence_listing_the_schemes(bad: object) -> None:
    with pytest.raises(ValueError, match="unknown fit scheme .*; the schemes are: random-sample, per-sample"):
        backprop.check(backprop.NeuralNetwork, scheme=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "words"),
    [(["--fit-scheme", "sgd"], "unknown fit scheme 'sgd'"),
     (["--bias", "middle"], "invalid choice: 'middle'")],
)
def test_bad_convention_options_exit_2_in_one_line(args: list[str], words: str) -> None:
    done = subprocess.run([sys.executable, "-m", "backprop", "check", *args], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert words in done.stderr and "Traceback" not in done.stderr


# --------------------------------------------------------------------------- per-sample code


def test_per_sample_layers_skip_the_batch_check_with_the_reason_and_pass_the_rest() -> None:
    result = backprop.check(
        target("per_sample_only.py:make"),
        max_examples=3,
        only=["update-is-sgd-step", *FIT_CHECKS, "batch-is-sum"],
    )
    skipped = result.by_id("batch-is-sum")
    assert skipped.status == "skipped" and result.passed
    assert skipped.summary.startswith(
        "forward rejects a batch of 2 rows (layer 1's forward raised AssertionError"
    )
    assert "per_sample_only.py:" in skipped.summary
    assert any(line.startswith("batches: forward rejects") for line in result.conventions)


# --------------------------------------------------------------------------- the bias position


def test_a_bias_last_network_is_detected_and_passes() -> None:
    result = backprop.check(
        target("bias_last.py:make"), max_examples=4, only=[*FIT_CHECKS, "predict-is-forward", "output-delta"]
    )
    assert result.passed, render(result, "test")
    assert result.bias == "last" and "bias: the constant 1 goes last (detected from fit and predict)" in (
        result.conventions
    )


def test_a_declared_bias_is_used_and_a_wrong_one_fails() -> None:
    right = backprop.check(target("bias_last.py:make"), max_examples=3, only=["fit-one-sample"], bias="last")
    assert right.passed and "bias: the constant 1 goes last (declared)" in right.conventions
    wrong = backprop.check(target("bias_last.py:make"), max_examples=3, only=["fit-one-sample"], bias="first")
    failed = wrong.by_id("fit-one-sample")
    assert failed.status == "failed"
    assert "with the constant 1 last does" in (failed.diagnosis or "") and "bias='last'" in failed.diagnosis


@pytest.mark.parametrize(
    ("where", "fit", "predict"),
    [(str(STYLES / "bias_last.py") + ":make_mixed", "last", "first"),
     (str(Path(__file__).parent / "implementations" / "predict_bias_last.py") + ":make", "first", "last")],
)
def test_predict_and_fit_disagreeing_on_the_bias_is_a_bias_layout_finding(
    where: str, fit: str, predict: str
) -> None:
    result = backprop.check(where, max_examples=3, only=["fit-one-sample", "predict-is-forward"])
    assert result.bias == fit and result.by_id("fit-one-sample").status == "passed"
    failed = result.by_id("predict-is-forward")
    assert failed.status == "failed" and findings(result, "predict-is-forward") == ["bias-layout"]
    assert failed.findings[0].params == {"predict": predict, "fit": fit}


def test_a_bias_last_predict_without_fit_is_taken_as_the_layout() -> None:
    """No fit to disagree with: predict's layout is the network's, and predict-is-forward passes."""
    class PredictOnly:
        def __init__(self, layers: list[int], activation: str) -> None:
            self._net = bias_last.make(layers, activation)
            self.layers = self._net.layers

        def predict(self, x: np.ndarray) -> np.ndarray:
            return self._net.predict(x)

    profile = probed(PredictOnly)
    assert profile.bias == "last" and dict(profile.layouts) == {"predict": "last"}
    case = make_case((2, 2, 1), "tanh", 0.1, 1.0, 0, HALF_SSE)
    assert evaluate("predict-is-forward", PredictOnly, case, HALF_SSE, profile).status == "passed"
    wrong = evaluate("predict-is-forward", PredictOnly, case, HALF_SSE, profile.but(bias="first"))
    assert wrong.status == "failed" and [f.kind for f in wrong.findings] == ["bias-layout"]
    assert wrong.findings[0].params == {"predict": "last", "assumed": "first"}
    assert "bias='last'" in (wrong.diagnosis or "")


# --------------------------------------------------------------------------- what the layer protocol needs


def test_a_layer_whose_activation_has_another_name_skips_only_the_activation_checks() -> None:
    checks = ["activation-derivative", "dz-is-fprime-of-z", "output-delta", "hidden-delta", "weight-gradient",
              "update-is-sgd-step"]
    result = backprop.check(target("renamed_activation.py:make"), max_examples=4, only=checks)
    statuses = {r.id: r.status for r in result.results}
    assert statuses == {"activation-derivative": "skipped", "dz-is-fprime-of-z": "skipped",
                        "output-delta": "passed", "hidden-delta": "passed", "weight-gradient": "passed",
                        "update-is-sgd-step": "passed"}
    assert "no `activation` attribute" in result.by_id("activation-derivative").summary
    assert "stores no dZ" in result.by_id("dz-is-fprime-of-z").summary


def test_without_an_activation_a_planted_bug_still_fails_the_delta_checks() -> None:
    result = backprop.check(target("renamed_activation.py:make_flipped"), max_examples=4,
                            only=["output-delta", "weight-gradient"])
    assert result.by_id("output-delta").status == "failed"
    assert result.by_id("output-delta").findings[0].kind == "sign-flipped", result.by_id("output-delta")
    assert result.by_id("weight-gradient").status == "failed"


def test_deltas_are_estimated_through_the_weights_when_the_activation_cannot_be_read() -> None:
    net = renamed_activation.make([3, 4, 2], "tanh")
    x1, y = np.array([1.0, 0.3, -0.2, 0.8]), np.array([0.5, -0.1])
    seen = [x1]
    for layer in net.layers:
        seen.append(layer.forward(seen[-1]))
    deltas = [None, net.layers[1].backward(y, None)]
    deltas[0] = net.layers[0].backward(deltas[1], net.layers[1])
    estimates = numerical.preactivation_gradient_estimates(net, x1, y)
    assert all("through the weights" in e.method for e in estimates)
    for delta, estimate in zip(deltas, estimates, strict=True):
        assert numerical.compare(np.ravel(delta), estimate).passed
        assert not numerical.compare(np.ravel(delta) * 1.001, estimate).passed


@pytest.mark.parametrize("module", ["full_batch_sum", "every_row"])
def test_a_stale_cached_weight_is_still_caught_in_the_second_epoch_of_any_scheme(module: str) -> None:
    """The scheme changes what the second epoch should be, not whether a stale copy of Wᵀ is seen."""
    from implementations.cached_transposed_weights import CachingLayer

    style = __import__(f"layer_styles.{module}", fromlist=["make"])

    def make(layers: list[int], activation: str) -> object:
        net = style.make(layers, activation)
        for layer in net.layers:
            layer.__class__ = CachingLayer
        return net

    profile = probed(make)  # fit is compared with its own layers, stale copy and all
    assert profile.scheme == {"full_batch_sum": "full-batch-sum", "every_row": "per-sample"}[module]
    case = make_case((2, 3, 1), "tanh", 0.3, 1.0, 4, HALF_SSE)
    assert evaluate("fit-two-samples", style.make, case, HALF_SSE, profile).status == "passed"
    assert evaluate("fit-two-samples", make, case, HALF_SSE, profile).status == "failed"


def test_the_conventions_are_probed_on_whatever_network_the_target_builds() -> None:
    from layer_styles import full_batch_mean

    worker = LocalWorker(bias_last.make)
    found = protocol_of(worker)
    assert not isinstance(found, str)
    profile = probe(worker, Profile(found[0], frozenset(found[1])), HALF_SSE, layers=(3, 4, 4, 2),
                    activation="sigmoid")
    assert (profile.bias, profile.scheme) == ("last", "random-sample")
    worker = LocalWorker(full_batch_mean.make)
    profile = probe(worker, Profile(found[0], frozenset(found[1])), HALF_SSE, layers=(1, 1),
                    activation="relu")
    assert profile.scheme == "full-batch-mean"


def test_a_relu_case_whose_hidden_units_are_all_dead_is_not_judged_but_the_check_is() -> None:
    """Layers with no `activation` attribute have their z moved through their weights; a layer whose
    input is all zeros (every relu unit to its left dead, and no bias there) cannot be, so that case is
    no evidence, and the check is judged on the others instead of erroring."""
    worker = LocalWorker(renamed_activation.make)
    dead = None
    for seed in range(200):
        case = make_case([1, 1, 1], "relu", 0.1, 1.0, seed, HALF_SSE)
        evidence = evaluate("output-delta", worker, case, HALF_SSE, "layer-level")
        if evidence.status == "skipped":
            dead = evidence
            break
    assert dead is not None and "input is 0" in dead.summary, "no case with a dead hidden layer found"
    result = backprop.check(target("renamed_activation.py:make"), only=["output-delta", "hidden-delta"])
    assert [r.status for r in result.results] == ["passed", "passed"], result
