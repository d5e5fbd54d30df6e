"""The battery checks what a target can build: probed, declared, and what was left out said once.

Each implementation in tests/architectures builds only some networks; before the space was probed,
every one of them got all its checks ERRORED (the battery drew networks they cannot build), and the
bad factories got the same sentence 13 times with exit 1 instead of one line with exit 2.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from mutmut_stats import cache_with_calls

import backprop
from backprop.battery import BatteryResult
from backprop.battery.space import declared_space, parse_hidden, parse_layers
from backprop.battery.targets import TargetError
from backprop.losses import get_loss

HERE = Path(__file__).resolve().parent / "architectures"


def target(name: str) -> str:
    return f"{HERE / name}.py:make"


@cache_with_calls
def battery(name: str, **options: object) -> BatteryResult:
    return backprop.check(target(name), max_examples=4, **options)  # type: ignore[arg-type]


def kinds(result: BatteryResult) -> set[str]:
    return {finding.kind for finding in result.left_out}


def test_the_article_s_constructor_is_checked_on_the_networks_it_builds() -> None:
    result = battery("article_no_hidden_crash")
    assert result.passed, [(r.id, r.status, r.summary) for r in result.results]
    assert result.space["hidden_layers"] == [1, 2, 3]
    (finding,) = result.left_out
    assert finding.kind == "left-out" and finding.params["hidden_layers"] == 0
    assert "networks without a hidden layer" in finding.sentence
    assert "UnboundLocalError" in finding.sentence and "article_no_hidden_crash.py:15" in finding.sentence


def test_a_network_with_exactly_one_hidden_layer_and_one_activation() -> None:
    result = battery("two_layer_net")
    assert result.passed
    assert result.space["hidden_layers"] == [1] and result.space["activations"] == ["tanh"]
    said = " ".join(f.sentence for f in result.left_out)
    for words in ("without a hidden layer", "2 hidden layers", "3 hidden layers", "sigmoid", "relu"):
        assert words in said
    assert result.by_id("weight-gradient").status == "passed"


def test_a_bug_in_a_network_of_fixed_depth_is_still_found() -> None:
    result = battery("two_layer_net_sign_bug")
    gradient = result.by_id("weight-gradient")
    assert gradient.status == "failed" and gradient.findings[0].kind == "sign-flipped", gradient.findings
    assert result.by_id("descent").status == "failed"


def test_a_network_without_relu_is_checked_with_the_others() -> None:
    result = battery("no_relu")
    assert result.passed
    assert result.space["activations"] == ["tanh", "sigmoid"]
    (finding,) = result.left_out
    assert finding.params["activation"] == "relu" and "KeyError: 'relu' at no_relu.py:11" in finding.sentence


def test_a_fixed_real_size_network_is_checked_as_it_is() -> None:
    result = battery("fixed_mnist", only=("weight-gradient", "predict-is-forward"))
    assert result.passed, [(r.id, r.status, r.summary) for r in result.results]
    (built,) = result.space["fixed"]
    assert built[0] == 784 and built[-1] == 10
    assert "ignores the sizes it is given" in result.left_out[0].sentence
    assert result.by_id("weight-gradient").minimal_case is None  # nothing failed: no case is kept


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("wrong_signature", "make() takes 1 positional argument but 2 were given (make is defined at "
                            "wrong_signature.py:6)"),
        ("returns_none", "returned None"),
    ],
)
def test_a_target_that_builds_nothing_is_one_sentence_and_exit_2(name: str, words: str) -> None:
    with pytest.raises(TargetError, match="it builds no network") as raised:
        backprop.check(target(name), max_examples=2)
    assert words in str(raised.value)
    ran = subprocess.run([sys.executable, "-m", "backprop", "check", target(name)], capture_output=True,
                         text=True, stdin=subprocess.DEVNULL, timeout=300)
    assert ran.returncode == 2 and ran.stdout == ""
    assert len(ran.stderr.strip().splitlines()) == 1 and words in ran.stderr


def test_a_declared_architecture_is_the_only_one_drawn() -> None:
    result = backprop.check(target("no_relu"), layers=["3,4,2"], activation="sigmoid", max_examples=3,
                            only=["output-delta"])
    assert result.passed and result.space["fixed"] == [[3, 4, 2]]
    assert result.space["activations"] == ["sigmoid"]
    assert result.by_id("output-delta").summary == "passed on 3 cases"


def test_a_declared_range_of_hidden_layers_narrows_the_drawn_networks() -> None:
    result = backprop.check(target("article_no_hidden_crash"), hidden="2", max_examples=2,
                            only=["hidden-delta"])
    assert result.space["hidden_layers"] == [2] and result.left_out == []


def test_the_report_and_the_json_say_what_was_checked_and_left_out(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    ran = subprocess.run(
        [sys.executable, "-m", "backprop", "check", target("two_layer_net"), "--only", "weight-gradient",
         "--max-examples", "2", "--json", str(path)],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300,
    )
    assert ran.returncode == 0, ran.stderr
    assert "checked: 1 hidden layer, widths 1 to 8, 1 to 4 outputs; tanh" in ran.stdout
    assert "left out: networks without a hidden layer: make([3, 2], 'tanh') raised ValueError" in ran.stdout
    data = json.loads(path.read_text())
    assert data["space"]["hidden_layers"] == [1]
    assert {f["kind"] for f in data["left_out"]} == {"left-out"} and len(data["left_out"]) == 5


def test_a_failure_s_reproduce_line_declares_the_same_space() -> None:
    result = backprop.check(target("two_layer_net_sign_bug"), layers=["2,3,1"], max_examples=2,
                            only=["weight-gradient"])
    assert result.by_id("weight-gradient").reproduce == (
        f"backprop.check({target('two_layer_net_sign_bug')!r}, layers=['2,3,1'], seed=0, max_examples=2, "
        "only=['weight-gradient'])"
    )


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"layers": ["2,x,1"]}, "--layers takes sizes"),
        ({"layers": ["3"]}, "at least two positive sizes"),
        ({"layers": ["2,0,1"]}, "at least two positive sizes"),
        ({"hidden": "3-1"}, "hidden layers must be a range"),
        ({"hidden": "many"}, "--hidden takes"),
        ({"hidden": "1", "layers": ["2,3,1"]}, "does not go with fixed --layers"),
        ({"activation": ""}, "--activation takes"),
    ],
)
def test_a_bad_declaration_is_one_sentence(options: dict, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        declared_space(get_loss("half_sse"), **options)


def test_declarations_parse_as_documented() -> None:
    assert parse_layers("784, 128,10") == (784, 128, 10)
    assert parse_hidden("1-2") == (1, 2) and parse_hidden("0") == (0, 0)
    space = declared_space(get_loss("softmax_ce"), hidden="1-2")
    assert space.depths == (1, 2) and space.min_outputs == 2
    with pytest.raises(ValueError, match="needs at least 2 outputs"):
        declared_space(get_loss("softmax_ce"), layers=["2,3,1"])
    with pytest.raises(ValueError, match="sigmoid outputs only"):
        declared_space(get_loss("bce"), activation="tanh")


def test_a_large_fixed_network_gets_fewer_default_cases_and_an_explicit_number_is_kept() -> None:
    from backprop.battery.runner import DEFAULT_MAX_EXAMPLES, MIN_LARGE_EXAMPLES, examples_for

    assert examples_for([(784, 128, 10)], DEFAULT_MAX_EXAMPLES) == MIN_LARGE_EXAMPLES
    assert examples_for([(3, 5, 4, 1)], DEFAULT_MAX_EXAMPLES) == DEFAULT_MAX_EXAMPLES
    assert examples_for([(100, 100, 10)], DEFAULT_MAX_EXAMPLES) == 22
    declared = backprop.check(target("no_relu"), layers=["3,4,2"], only=["descent"])
    assert declared.max_examples == DEFAULT_MAX_EXAMPLES
    asked = backprop.check(target("fixed_mnist"), max_examples=4, only=["predict-is-forward"])
    assert asked.max_examples == 4


def test_a_network_that_knows_relu_only_is_probed_with_relu() -> None:
    """The CS231n TwoLayerNet of tests/styles builds only [n, h, m] with relu; probing each depth with tanh
    alone found nothing it builds, and the target was refused."""
    two_layer = HERE.parent / "styles" / "two_layer_net.py"
    result = backprop.check(f"{two_layer}:make", max_examples=2, only=["weight-gradient"])
    assert result.space["activations"] == ["relu"] and result.space["hidden_layers"] == [1]
    assert result.by_id("weight-gradient").status == "passed"


def test_a_loss_method_of_another_meaning_is_not_taken_for_the_protocol_s() -> None:
    """CS231n's TwoLayerNet.loss(X, y) returns (loss, grads) for class labels: calling it as loss(x, y) made
    predict-is-forward and inputs-unmodified error on a correct network."""
    two_layer = HERE.parent / "styles" / "two_layer_net.py"
    only = ["predict-is-forward", "inputs-unmodified"]
    result = backprop.check(f"{two_layer}:make", max_examples=2, only=only)
    assert result.by_id("inputs-unmodified").status == "passed"
    assert result.by_id("predict-is-forward").status == "passed"  # predict is checked, its loss not called
    assert any(line.startswith("loss(x, y) is not one number") for line in result.conventions)
