"""What the battery tells the user to type works where they are: the command line, the pytest plugin, or
Python.  The hints name the option as that interface takes it, and each reproduce line, run as it is
printed, fails the same check again."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
from implementations import bce_sigmoid, output_error_sign

import backprop
from backprop.battery.interfaces import CLI, PYTEST, PYTHON, declare, option_name, reproduce
from backprop.cli import main

pytest_plugins = ["pytester"]

IMPLEMENTATIONS = Path(__file__).parent / "implementations"
SIGN_BUG = f"{IMPLEMENTATIONS / 'output_error_sign.py'}:make"
BCE = f"{IMPLEMENTATIONS / 'bce_sigmoid.py'}:make"
"""A correct network for cross-entropy on sigmoid outputs: under half-SSE its output delta lacks f'(z),
and the battery's hint is to declare the loss."""


@pytest.mark.parametrize(
    ("option", "value", "cli", "pytest_", "python"),
    [
        ("loss", "bce", "--loss bce", "--backprop-loss bce", "loss='bce'"),
        ("l2", 0.01, "--l2 0.01", "--backprop-l2 0.01", "l2=0.01"),
        ("l2_biases", True, "--l2-biases", "--backprop-l2-biases", "l2_biases=True"),
        ("scheme", "full-batch", "--fit-scheme full-batch", "--backprop-fit-scheme full-batch",
         "scheme='full-batch'"),
        ("layers", ["2,3,1", "4,1"], "--layers 2,3,1 --layers 4,1",
         "--backprop-layers 2,3,1 --backprop-layers 4,1", "layers=['2,3,1', '4,1']"),
        ("max_examples", 4, "--max-examples 4", "--backprop-max-examples 4", "max_examples=4"),
        ("only", ["output-delta"], "--only output-delta", "-k output-delta", "only=['output-delta']"),
        ("only", ["output-delta", "descent"], "--only output-delta descent", "-k 'output-delta or descent'",
         "only=['output-delta', 'descent']"),
    ],
)
def test_declare_writes_an_option_as_each_interface_takes_it(
    option: str, value: Any, cli: str, pytest_: str, python: str
) -> None:
    assert [declare(option, value, i) for i in (CLI, PYTEST, PYTHON)] == [cli, pytest_, python]


def test_a_whole_float_is_written_on_a_command_line_as_an_integer() -> None:
    """`--l2 1`, not `--l2 1.0`: the command line reads it back as the same float; Python keeps its repr."""
    assert [declare("l2", 1.0, i) for i in (CLI, PYTEST, PYTHON)] == ["--l2 1", "--backprop-l2 1", "l2=1.0"]


def test_a_float_that_six_digits_cannot_hold_is_written_in_full() -> None:
    """A reproduce line reruns the check with the value declared: l2 = 1.23456789e-3 written `--l2 0.00123457`
    would rerun it with another penalty."""
    assert [declare("l2", 1.23456789e-3, i) for i in (CLI, PYTEST, PYTHON)] == [
        "--l2 0.00123456789", "--backprop-l2 0.00123456789", "l2=0.00123456789"]
    assert declare("learning_rate", 0.1, CLI) == "--learning-rate 0.1"


def test_option_names() -> None:
    assert [option_name("max_examples", i) for i in (CLI, PYTEST, PYTHON)] == [
        "--max-examples", "--backprop-max-examples", "max_examples"]


def test_a_factory_object_gets_a_python_reproduce_line_and_no_command_line() -> None:
    declared = [("seed", 0), ("only", ["output-delta"])]
    assert reproduce(PYTHON, None, "make", declared) == "backprop.check(make, seed=0, only=['output-delta'])"
    assert reproduce(PYTHON, "net.py:make", None, declared) == (
        "backprop.check('net.py:make', seed=0, only=['output-delta'])")
    assert reproduce(CLI, None, "make", declared) is None


def test_the_loss_hint_names_the_option_of_each_interface(
    capsys: pytest.CaptureFixture[str], pytester: pytest.Pytester
) -> None:
    python = backprop.check(bce_sigmoid.make, only=["output-delta"], max_examples=3)
    hint = python.by_id("output-delta").diagnosis or ""
    assert "declare it with loss='bce'" in hint and "--loss" not in hint
    assert main(["check", BCE, "--only", "output-delta", "--max-examples", "3"]) == 1
    out = capsys.readouterr().out
    assert "declare it with --loss bce" in out
    plugin = pytester.runpytest("--backprop-impl", BCE, "--backprop-max-examples", "3", "-k", "output-delta")
    plugin.assert_outcomes(failed=1)
    text = plugin.stdout.str()
    assert "declare it with --backprop-loss bce" in text and "with --loss" not in text


def test_each_reproduce_line_fails_the_same_check_where_it_was_given(
    capsys: pytest.CaptureFixture[str], pytester: pytest.Pytester
) -> None:
    python = backprop.check(output_error_sign.make, only=["output-delta"], max_examples=3, seed=2)
    line = python.by_id("output-delta").reproduce or ""
    assert line == "backprop.check(make, seed=2, max_examples=3, only=['output-delta'])"
    again = eval(line, {"backprop": backprop, "make": output_error_sign.make})  # noqa: S307 (our own line)
    assert again.failed_ids == ["output-delta"]

    assert main(["check", SIGN_BUG, "--only", "output-delta", "--max-examples", "3", "--seed", "2"]) == 1
    command = next(x.split("reproduce: ", 1)[1] for x in capsys.readouterr().out.splitlines()
                   if "reproduce: " in x)
    assert command.startswith(f"backprop check {SIGN_BUG} --seed 2 --max-examples 3")
    assert main(shlex.split(command)[1:]) == 1

    plugin = pytester.runpytest("--backprop-impl", SIGN_BUG, "--backprop-max-examples", "3",
                                "--backprop-seed", "2", "-k", "output-delta")
    plugin.assert_outcomes(failed=1)
    command = next(x.split("reproduce: ", 1)[1] for x in plugin.outlines if "reproduce: " in x)
    words = shlex.split(command)
    assert words[:4] == ["python", "-m", "pytest", "--backprop-impl"] and "--seed" not in words
    pytester.runpytest(*words[3:]).assert_outcomes(failed=1)


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"max_examples": 0}, "max_examples must be a positive integer"),
        ({"layers": "2,x"}, "layers takes sizes separated by commas"),
        ({"l2_biases": True}, "l2_biases needs a penalty: give l2 a positive value too"),
    ],
)
def test_a_refused_argument_is_named_as_python_takes_it(options: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=words) as refused:
        backprop.check(SIGN_BUG, **options)
    assert "--" not in str(refused.value)


def test_a_refused_argument_is_named_as_the_command_line_and_the_plugin_take_it(
    capsys: pytest.CaptureFixture[str], pytester: pytest.Pytester
) -> None:
    assert main(["check", SIGN_BUG, "--max-examples", "0"]) == 2
    assert "--max-examples must be a positive integer, not 0" in capsys.readouterr().err
    plugin = pytester.runpytest("--backprop-impl", SIGN_BUG, "--backprop-layers", "2,x", "-k", "output-delta")
    plugin.assert_outcomes(failed=1)
    plugin.stdout.fnmatch_lines(["*--backprop-layers takes sizes separated by commas*"])


def test_an_unknown_interface_is_refused() -> None:
    with pytest.raises(ValueError, match="interface must be one of cli, pytest, python"):
        backprop.check(SIGN_BUG, interface="gui")
