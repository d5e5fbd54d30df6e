"""`backprop check`: the report, the JSON, and the exit codes 0 (passed), 1 (failed) and 2 (unusable)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import backprop
from backprop.cli import main

FEW = ["--max-examples", "4"]

SIGN_BUG = str(Path(__file__).parent / "implementations" / "output_error_sign.py")
"""The catalogue's output error y − A: fails output-delta, passes dz-is-fprime-of-z and predict-is-forward."""

RAISES = textwrap.dedent(
    """
    from backprop.network import NeuralNetwork

    def make(layers, activation):
        net = NeuralNetwork(layers, activation)
        def backward(y, rightLayer):
            raise ValueError("shapes (3,) and (4,2) not aligned")
        net.layers[-1].backward = backward
        return net
    """
)

HANGS = textwrap.dedent(
    """
    import time
    from backprop.network import NeuralNetwork

    def make(layers, activation):
        net = NeuralNetwork(layers, activation)
        def predict(x):
            while True:
                time.sleep(1)
        net.predict = predict
        return net
    """
)


@pytest.fixture
def script(tmp_path: Path):
    def write(source: str, name: str = "mynet.py") -> str:
        path = tmp_path / name
        path.write_text(source)
        return str(path)

    return write


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(["check", *args])
    except SystemExit as exit:  # argparse's own errors
        code = int(exit.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_the_default_target_is_the_reference_and_passes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *FEW, "--only", "output-delta", "hidden-delta")
    assert code == 0, out + err
    header = out.splitlines()[0]
    for words in (
        f"backprop {backprop.__version__}",
        "target backprop:NeuralNetwork",
        "protocol layer-level",
        "loss half_sse",
        "4 cases per check",
        "seed 0",
    ):
        assert words in header
    assert any(line.split()[:2] == ["output-delta", "passed"] for line in out.splitlines())
    assert "2 passed · 0 failed · 0 errored · 0 skipped" in out
    assert err == ""


def test_a_failing_script_exits_1_and_explains_the_failure(capsys: pytest.CaptureFixture[str]) -> None:
    path = SIGN_BUG
    code, out, _ = run(capsys, f"{path}:make", *FEW, "--only", "output-delta", "dz-is-fprime-of-z")
    assert code == 1
    table = {
        line.split()[0]: line.split()[1]
        for line in out.splitlines()
        if line.startswith("  ")
        and len(line.split()) > 1
        and line.split()[0] in ("output-delta", "dz-is-fprime-of-z")
    }
    assert table == {"output-delta": "FAILED", "dz-is-fprime-of-z": "passed"}
    assert "FAILED output-delta — layer 1 of 1, unit 0" in out
    assert "diagnosis [sign-flipped]: the values equal −1 × the expected ones" in out
    assert "smallest case: layers [1, 1], tanh" in out
    assert f"reproduce: backprop check {path}:make --seed 0 --max-examples 4 --only output-delta" in out
    assert "1 passed · 1 failed · 0 errored · 0 skipped" in out


def test_the_json_report_holds_every_result_and_the_minimal_case(capsys, tmp_path: Path) -> None:
    path = SIGN_BUG
    report = tmp_path / "report.json"
    code, _, _ = run(
        capsys, f"{path}:make", *FEW, "--only", "output-delta", "predict-is-forward", "--json", str(report)
    )
    assert code == 1
    data = json.loads(report.read_text())
    assert data["version"] == backprop.__version__
    assert data["target"] == f"{path}:make" and data["protocol"] == "layer-level" and data["passed"] is False
    assert [r["id"] for r in data["results"]] == ["output-delta", "predict-is-forward"]
    failed = data["results"][0]
    assert failed["status"] == "failed" and failed["worst_rel_error"] > 1
    case = failed["minimal_case"]
    assert case["layers"] == [1, 1] and len(case["weights"]) == 1 and np_shape(case["weights"][0]) == (2, 1)
    assert data["counts"] == {"passed": 1, "failed": 1, "errored": 0, "skipped": 0}


def np_shape(nested: list) -> tuple[int, ...]:
    return (len(nested), len(nested[0]))


def test_the_same_seed_gives_the_same_report_and_the_seed_is_honoured(capsys, tmp_path: Path) -> None:
    path = SIGN_BUG
    reports = []
    for seed in ("5", "5"):
        report = tmp_path / f"report{len(reports)}.json"
        run(capsys, f"{path}:make", *FEW, "--only", "weight-gradient", "--seed", seed, "--json", str(report))
        reports.append(json.loads(report.read_text()))
    assert reports[0] == reports[1]
    assert reports[0]["seed"] == 5
    assert "--seed 5" in reports[0]["results"][0]["reproduce"]


def test_a_plug_in_that_raises_errors_that_check_only(capsys, script) -> None:
    path = script(RAISES)
    code, out, _ = run(capsys, f"{path}:make", *FEW, "--only", "output-delta", "predict-is-forward")
    assert code == 1
    assert "ERRORED output-delta" in out
    said = "layer 1's backward (output layer) raised ValueError: shapes (3,) and (4,2) not aligned at mynet"
    assert said in out
    assert "1 passed · 0 failed · 1 errored · 0 skipped" in out


def test_a_plug_in_that_hangs_is_stopped_at_the_timeout(capsys, script) -> None:
    path = script(HANGS)
    code, out, _ = run(
        capsys, f"{path}:make", *FEW, "--only", "dz-is-fprime-of-z", "predict-is-forward", "--timeout", "3"
    )
    assert code == 1
    assert "ERRORED predict-is-forward" in out and "did not finish within 3 s" in out
    assert "1 passed · 0 failed · 1 errored" in out


@pytest.mark.parametrize(
    ("target", "extra", "words"),
    [
        ("no_such_module_anywhere:make", [], "no module named 'no_such_module_anywhere'"),
        ("missing/net.py:make", [], "no such file: missing/net.py"),
        ("SCRIPT:nothing_here", [], "has no attribute 'nothing_here'"),
        ("SCRIPT:EXPECTED_FAILED", [], "is a tuple, not a callable"),
        ("BROKEN:make", [], "syntax error in"),
        ("SCRIPT:make", ["--loss", "hinge"], "unknown loss 'hinge'"),
        ("SCRIPT:make", ["--max-examples", "0"], "--max-examples must be a positive integer"),
        ("SCRIPT:make", ["--timeout", "-1"], "--timeout must be a positive number"),
        ("SCRIPT:make", ["--only", "no-such-check"], "invalid choice: 'no-such-check'"),
        ("SCRIPT:make", ["--seed", "x"], "invalid int value: 'x'"),
    ],
)
def test_an_unusable_target_or_argument_exits_2_with_one_line(capsys, script, target, extra, words) -> None:
    target = target.replace("SCRIPT", SIGN_BUG).replace("BROKEN", script("def make(:\n", "broken.py"))
    code, out, err = run(capsys, target, *extra)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert words in err
    assert "Traceback" not in err


def test_python_dash_m_backprop_check_is_the_same_command() -> None:
    path = SIGN_BUG
    done = subprocess.run(
        [sys.executable, "-m", "backprop", "check", f"{path}:make", *FEW, "--only", "output-delta"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "FAILED output-delta" in done.stdout
    missing = subprocess.run(
        [sys.executable, "-m", "backprop", "check", "nowhere.py:make"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert missing.returncode == 2 and missing.stderr.strip().count("\n") == 0


def test_plot_without_matplotlib_says_how_to_install_it(capsys, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "backprop.plots", None)
    code, _, err = run(capsys, *FEW, "--only", "output-delta", "--plot", "check.png")
    assert code == 2
    assert "pip install 'backprop-check[plot]'" in err


def test_plot_draws_the_smallest_failing_case(capsys, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    picture = tmp_path / "check.png"
    code, _, _ = run(capsys, f"{SIGN_BUG}:make", *FEW, "--only", "output-delta", "--plot", str(picture))
    assert code == 1
    assert picture.stat().st_size > 1000


def test_the_plot_of_a_failed_battery_says_it_failed(capsys, tmp_path: Path) -> None:
    """update_lr_twice's gradients are right, its update is not: the picture's title must not read
    as a pass when the battery failed."""
    pytest.importorskip("matplotlib")
    from PIL import Image

    picture = tmp_path / "check.png"
    target = str(Path(__file__).parent / "implementations" / "update_lr_twice.py") + ":make"
    code, _, _ = run(capsys, target, *FEW, "--only", "weight-gradient", "update-is-sgd-step",
                     "fit-one-sample", "--plot", str(picture))
    assert code == 1
    with Image.open(picture) as image:
        title = image.info["Title"]
    assert "weight gradients agree within the error budget at this case" in title
    assert "the smallest failing case of update-is-sgd-step" in title
    assert "the battery failed: update-is-sgd-step, fit-one-sample" in title


def test_plot_draws_a_model_level_target_too(capsys, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    picture = tmp_path / "model.png"
    target = str(Path(__file__).resolve().parents[1] / "examples" / "nielsen_adapter.py") + ":make"
    code, _, err = run(capsys, target, *FEW, "--only", "weight-gradient", "--plot", str(picture))
    assert (code, err) == (0, "")
    assert picture.read_bytes()[:4] == b"\x89PNG"
