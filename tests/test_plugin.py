"""The pytest side: `pytest --backprop-impl TARGET` and `backprop.testing.parametrize_with_checks`."""

from __future__ import annotations

from pathlib import Path

import pytest

from backprop.battery import CHECK_IDS
from backprop.testing import BatteryCheck, BatteryCheckFailed, parametrize_with_checks

pytest_plugins = ["pytester"]

SIGN_BUG = Path(__file__).parent / "implementations" / "output_error_sign.py"
"""The catalogue's output error y − A: fails output-delta, passes dz-is-fprime-of-z and predict-is-forward."""

FAST = ["--backprop-max-examples", "3", "-k", "dz or predict or output"]
"""Three quick checks, selected with -k (which must filter the battery's items too)."""


def test_the_option_adds_one_item_per_check_in_battery_order(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--backprop-impl", "backprop:NeuralNetwork", "--collect-only", "-q")
    names = [line.strip() for line in result.outlines if line.strip().startswith("backprop::")]
    assert names == [f"backprop::{check_id}" for check_id in CHECK_IDS]
    result.stdout.fnmatch_lines([f"{len(CHECK_IDS)} tests collected*"])


def test_without_the_option_nothing_is_added(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_own="def test_own():\n    assert True\n")
    result = pytester.runpytest("--collect-only", "-q")
    assert not any("backprop::" in line for line in result.outlines)


def test_the_reference_passes_as_pytest_items(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--backprop-impl", "backprop:NeuralNetwork", *FAST)
    result.assert_outcomes(passed=3)


def test_a_failing_check_fails_its_item_with_the_battery_explanation(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--backprop-impl", f"{SIGN_BUG}:make", *FAST)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        ["*FAILED output-delta*layer 1 of 1, unit 0*", "*diagnosis ?sign-flipped?: the values equal −1*"]
    )
    assert "Traceback" not in result.stdout.str()


def test_an_unloadable_target_fails_every_item_with_one_line(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--backprop-impl", "nowhere.py:make", *FAST)
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(["*cannot load nowhere.py:make: no such file: nowhere.py*"])


@pytest.mark.slow  # two worker interpreters start in a subprocess: about 20 s
def test_the_items_are_the_same_under_xdist(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    result = pytester.runpytest_subprocess("--backprop-impl", "backprop:NeuralNetwork", "-n", "2", *FAST)
    result.assert_outcomes(passed=3)


def test_parametrize_with_checks_gives_one_test_per_check(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(signnet=SIGN_BUG.read_text())
    pytester.makepyfile(
        test_mine="""
        from backprop.testing import parametrize_with_checks
        from signnet import make

        @parametrize_with_checks(make, max_examples=3, expected_failed_checks={
            "output-delta": "the sign of the error is being fixed",
            "predict-is-forward": "a wrong expectation, to see strict xfail turn red",
        })
        def test_backprop(check):
            check()
        """
    )
    result = pytester.runpytest("-k", "dz or predict or output", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, xfailed=1, failed=1)
    result.stdout.fnmatch_lines(["*test_backprop?predict-is-forward?*XPASS(strict)*"])


def test_parametrize_with_checks_rejects_unknown_ids() -> None:
    with pytest.raises(ValueError, match="unknown check id 'no-such-check'"):
        parametrize_with_checks(lambda layers, activation: None, expected_failed_checks=["no-such-check"])
    with pytest.raises(TypeError, match="not one string"):
        parametrize_with_checks(lambda layers, activation: None, expected_failed_checks="output-delta")


def test_parametrize_with_checks_covers_every_check_id() -> None:
    mark = parametrize_with_checks("backprop:NeuralNetwork")
    argnames, params = mark.args
    assert argnames == "check"
    assert [p.id for p in params] == list(CHECK_IDS)


def test_a_battery_check_skips_when_it_does_not_apply() -> None:
    def make(layers, activation):
        from backprop import NeuralNetwork

        return type("Bare", (), {"layers": NeuralNetwork(layers, activation).layers})()

    with pytest.raises(pytest.skip.Exception, match="offers no predict"):
        BatteryCheck(make, "predict-is-forward", max_examples=2)()


def test_a_battery_check_raises_an_assertion_with_the_explanation() -> None:
    with pytest.raises(BatteryCheckFailed, match="FAILED output-delta"):
        BatteryCheck(f"{SIGN_BUG}:make", "output-delta", max_examples=3)()
    assert issubclass(BatteryCheckFailed, AssertionError)


def documented_examples() -> list[str]:
    """The python blocks of docs/battery.md that use parametrize_with_checks, with absolute target paths."""
    root = Path(__file__).resolve().parents[1]
    text = (root / "docs" / "battery.md").read_text(encoding="utf-8")
    blocks = [block.split("```", 1)[0] for block in text.split("```python\n")[1:]]
    return [
        block.replace('"examples/', f'"{root}/examples/')
        for block in blocks
        if "@parametrize_with_checks(" in block
    ]


@pytest.mark.parametrize(
    ("index", "outcomes"),
    [(0, {"passed": 13}), (1, {"passed": 6, "xfailed": 7})],
    ids=["student", "known-bug"],
)
def test_the_documented_parametrize_with_checks_examples_hold(
    pytester: pytest.Pytester, index: int, outcomes: dict[str, int]
) -> None:
    examples = documented_examples()
    assert len(examples) == 2, "docs/battery.md should show the two parametrize_with_checks examples"
    pytester.makepyfile(test_documented=examples[index])
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(**outcomes)


CORRECT = Path(__file__).resolve().parents[1] / "examples" / "submissions" / "article_network.py"


def test_several_targets_give_one_item_per_check_each_in_the_order_given(pytester: pytest.Pytester) -> None:
    given = [f"{SIGN_BUG}:make", f"{CORRECT}:make", f"{SIGN_BUG}:make"]  # the repeated one counts once
    arguments = [arg for target in given for arg in ("--backprop-impl", target)]
    result = pytester.runpytest(*arguments, "--collect-only", "-q")
    names = [line.strip() for line in result.outlines if line.strip().startswith("backprop::")]
    assert names == [f"backprop::{target}::{check_id}" for target in given[:2] for check_id in CHECK_IDS]


def test_several_targets_are_graded_each_on_its_own(pytester: pytest.Pytester) -> None:
    junit = pytester.path / "grades.xml"
    result = pytester.runpytest("--backprop-impl", f"{SIGN_BUG}:make", "--backprop-impl", f"{CORRECT}:make",
                                "--backprop-max-examples", "3", "-k", "output-delta or predict",
                                f"--junitxml={junit}")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines([f"FAILED backprop::{SIGN_BUG}:make::output-delta*"])
    import xml.etree.ElementTree as ET

    cases = ET.parse(junit).getroot().iter("testcase")
    failed = [case.get("name") for case in cases if case.find("failure") is not None]
    assert failed == ["output-delta"]


def test_the_declared_space_and_conventions_reach_the_battery_from_pytest(pytester: pytest.Pytester) -> None:
    """--backprop-layers, --backprop-bias and --backprop-l2 declare what the CLI's options declare: a
    declared L2 penalty that the reference does not apply fails its update, and the failure's reproduce
    line repeats every declaration."""
    result = pytester.runpytest("--backprop-impl", "backprop:NeuralNetwork", "--backprop-layers", "2,3,1",
                                "--backprop-bias", "first", "--backprop-l2", "0.1", "--backprop-max-examples",
                                "2", "-k", "update-is-sgd-step")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*--backprop-layers 2,3,1*--backprop-bias first*"])
    assert "--backprop-l2 0.1" in result.stdout.str()
