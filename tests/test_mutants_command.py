"""Behaviours of the `backprop check` front end that its other tests leave unchecked: the TARGET
argument's name in the help, the error lines of `--user`, `--subject-python`, `--json` and `--plot`
(each sentence in full), the layout of the JSON file, and which case `--plot` draws and within which
time."""

from __future__ import annotations

import importlib.util
import json
import sys
import textwrap
from pathlib import Path

import pytest
from test_cli_check import FEW, SIGN_BUG, run

from backprop.cli import main

INSTALL = "backprop check: error: plotting needs matplotlib: pip install 'backprop-check[plot]'\n"

SLOW_DEFAULT_NETWORK = textwrap.dedent(
    """
    import time
    from backprop.network import NeuralNetwork

    def make(layers, activation):
        if list(layers) == [2, 2, 1]:  # the default case --plot draws when nothing failed
            time.sleep(8)
        return NeuralNetwork(layers, activation)
    """
)
"""The reference network, slow to build only for the [2, 2, 1] network of the default plotted case."""


def test_the_help_names_the_positional_argument_target(capsys: pytest.CaptureFixture[str]) -> None:
    """The help and usage call the argument TARGET, the word the docs and error lines use."""
    with pytest.raises(SystemExit) as exit:
        main(["check", "--help"])
    assert exit.value.code == 0
    out = capsys.readouterr().out
    assert "[TARGET]" in out.split("\n\n")[0]
    assert "\npositional arguments:\n  TARGET " in out


def test_an_unknown_user_exits_2_naming_the_user(capsys: pytest.CaptureFixture[str]) -> None:
    """--user reaches run_as: a user the machine does not have is a usage error, not ignored."""
    code, out, err = run(capsys, *FEW, "--only", "output-delta", "--user", "no-such-user-here")
    assert (code, out) == (2, "")
    assert err == "backprop check: error: no user named 'no-such-user-here' on this machine\n"


def test_a_missing_subject_interpreter_exits_2_naming_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--subject-python reaches run_as as the interpreter: one that is not there is a usage error."""
    python = tmp_path / "no-python"
    code, out, err = run(capsys, *FEW, "--only", "output-delta", "--subject-python", str(python))
    assert (code, out) == (2, "")
    assert err == f"backprop check: error: there is no interpreter {python}\n"


def test_a_json_file_that_cannot_be_written_exits_2_saying_why(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The error line names the path and the reason, after the report was printed."""
    report = tmp_path / "missing" / "report.json"
    code, out, err = run(capsys, *FEW, "--only", "output-delta", "--json", str(report))
    assert code == 2
    assert out.endswith("  1 passed · 0 failed · 0 errored · 0 skipped\n")
    assert err == f"backprop check: error: cannot write {report}: No such file or directory\n"


def test_the_json_file_is_indented_by_two_spaces(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The JSON is laid out for people to read and diff: two spaces a level, the version first."""
    report = tmp_path / "report.json"
    code, _, _ = run(capsys, *FEW, "--only", "output-delta", "--json", str(report))
    assert code == 0
    text = report.read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, indent=2)
    assert text.startswith('{\n  "version": ')


def test_plot_says_how_to_install_matplotlib_when_it_cannot_be_found(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """backprop.plots importable but no matplotlib to be found: the same install sentence, in full."""
    pytest.importorskip("matplotlib")
    import backprop.plots  # noqa: F401 (imported before matplotlib goes missing)

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *rest: None if name == "matplotlib" else find_spec(name, *rest),
    )
    code, _, err = run(capsys, *FEW, "--only", "output-delta", "--plot", str(tmp_path / "check.png"))
    assert (code, err) == (2, INSTALL)
    assert not (tmp_path / "check.png").exists()


def test_plot_without_the_plots_module_says_how_to_install_matplotlib(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No backprop.plots (matplotlib missing): the install sentence, in full, as the one error line."""
    monkeypatch.setitem(sys.modules, "backprop.plots", None)
    code, _, err = run(capsys, *FEW, "--only", "output-delta", "--plot", "check.png")
    assert (code, err) == (2, INSTALL)


def test_plot_draws_the_smallest_failing_case_not_a_default_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The picture is of the case the report calls smallest ([1, 1], tanh), not of the default [2, 2, 1]."""
    pytest.importorskip("matplotlib")
    from PIL import Image

    picture = tmp_path / "check.png"
    code, out, _ = run(capsys, f"{SIGN_BUG}:make", *FEW, "--only", "output-delta", "--plot", str(picture))
    assert code == 1
    assert "smallest case: layers [1, 1], tanh" in out
    with Image.open(picture) as image:
        title = image.info["Title"]
    assert title.startswith(
        "Analytic vs numerical weight gradients at the smallest failing case of "
        "output-delta: layers [1, 1], tanh, loss half_sse "
    )


def test_plot_that_does_not_finish_within_the_timeout_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--timeout bounds the drawing too: a factory that takes longer stops it, with one error line."""
    pytest.importorskip("matplotlib")
    target = tmp_path / "slownet.py"
    target.write_text(SLOW_DEFAULT_NETWORK)
    picture = tmp_path / "check.png"
    code, out, err = run(
        capsys,
        f"{target}:make",
        *FEW,
        "--only",
        "output-delta",
        "--layers",
        "1,1",
        "--timeout",
        "2",
        "--plot",
        str(picture),
    )
    assert code == 2
    assert out.endswith("  1 passed · 0 failed · 0 errored · 0 skipped\n")
    said = f"backprop check: error: cannot draw {picture}: the implementation did not finish within 2 s\n"
    assert err == said
    assert not picture.exists()
