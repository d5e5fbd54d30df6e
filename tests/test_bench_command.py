"""`backprop bench`: what it prints and writes, how it alternates, and how it refuses bad input.

No assertion here is about speed: the timings only have to be positive and consistent with
the ratio and the floor printed beside them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from backprop import NeuralNetwork
from backprop.bench import (
    GATE_CHECKS,
    BenchError,
    MemoryFloor,
    compare,
    memory_floor,
    parse_arch,
    render,
    trainer,
    weight_count,
)
from backprop.cli import main

QUICK = ["--arch", "2,2,1", "--samples", "20", "--rounds", "2"]

MODEL_LEVEL = '''
import numpy as np

class Model:
    """A one-layer linear model in the model-level protocol; it counts its steps."""

    def __init__(self, layers, activation):
        self.w = np.zeros((layers[0], layers[-1]))
        self.steps = 0

    def parameters(self):
        return [self.w]

    def loss(self, x, y):
        return 0.5 * float(np.sum((x @ self.w - y) ** 2))

    def gradients(self, x, y):
        return [np.outer(x, x @ self.w - y)]

    def step(self, x, y, learning_rate):
        self.steps += 1
        self.w -= learning_rate * self.gradients(x, y)[0]

def make(layers, activation):
    return Model(layers, activation)

def broken(layers, activation):
    class Broken:
        layers = []
        def fit(self, X, y, learning_rate, epochs):
            raise ArithmeticError("diverged")
    return Broken()

def inert(layers, activation):
    return object()
'''


@pytest.fixture
def plugins(tmp_path: Path) -> Path:
    path = tmp_path / "models.py"
    path.write_text(MODEL_LEVEL)
    return path


def test_prints_both_medians_the_speedup_and_the_floor(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", *QUICK]) == 0
    out = capsys.readouterr().out
    assert "2-2-1 tanh" in out and "2 rounds of 20 samples" in out
    assert "target    backprop.fast:make" in out
    assert "baseline  backprop:NeuralNetwork" in out
    assert "speedup" in out and "memory floor" in out


def test_json_holds_every_round_and_a_consistent_ratio(tmp_path: Path) -> None:
    path = tmp_path / "bench.json"
    assert main(["bench", *QUICK, "--rounds", "3", "--json", str(path)]) == 0
    data = json.loads(path.read_text())
    assert data["layers"] == [2, 2, 1] and data["activation"] == "tanh" and data["samples_per_round"] == 20
    target, baseline = data["target_seconds_per_sample"], data["baseline_seconds_per_sample"]
    assert len(target["rounds"]) == len(baseline["rounds"]) == data["rounds"] == 3
    assert target["median"] == pytest.approx(np.median(target["rounds"]))
    assert data["speedup"] == pytest.approx(baseline["median"] / target["median"])
    floor = data["memory_floor"]
    assert floor["weight_bytes"] == 8 * 12
    assert data["target_over_floor"] == pytest.approx(target["median"] / floor["seconds_per_sample"])
    assert {"cpu", "cores", "numpy", "blas", "python"} <= set(data["machine"])
    assert data["clock"] == "wall"


def test_the_cpu_clock_is_recorded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bench.json"
    assert main(["bench", *QUICK, "--clock", "cpu", "--json", str(path)]) == 0
    assert "cpu clock" in capsys.readouterr().out
    data = json.loads(path.read_text())
    assert data["clock"] == "cpu" and data["target_seconds_per_sample"]["median"] > 0


def test_a_model_level_target_is_timed_through_its_step(plugins: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", f"{plugins}:make", *QUICK]) == 0
    assert f"{plugins}:make" in capsys.readouterr().out


def test_rounds_alternate_and_every_round_trains_the_same_number_of_samples() -> None:
    log: list[tuple[str, int]] = []

    def recording(name: str):
        def make(layers: list[int], activation: str) -> object:
            class Net:
                layers: list = []

                def fit(self, X: np.ndarray, y: np.ndarray, learning_rate: float, epochs: int) -> None:
                    log.append((name, epochs))

            return Net()

        return make

    result = compare(recording("t"), recording("b"), [3, 2], samples=7, rounds=4)
    timed = log[2:]  # after one warm-up call each
    assert [name for name, _ in log[:2]] == ["t", "b"]
    assert [name for name, _ in timed] == ["t", "b", "b", "t", "t", "b", "b", "t"]
    assert {epochs for _, epochs in timed} == {7}
    assert len(result.target_seconds) == len(result.baseline_seconds) == len(result.copy_seconds) == 4
    assert all(seconds > 0 for seconds in result.target_seconds + result.baseline_seconds)


def test_the_step_trainer_uses_every_requested_sample(plugins: Path) -> None:
    from backprop.battery.targets import load_target

    model = load_target(f"{plugins}:make")([3, 1], "tanh")
    X, y = np.ones((5, 3)), np.zeros((5, 1))
    trainer(model, X, y, 0.1)(13)
    assert model.steps == 13


def test_both_sides_start_from_the_same_weights() -> None:
    initial = []

    def make(layers: list[int], activation: str) -> NeuralNetwork:
        net = NeuralNetwork(layers, activation)  # weights from the global np.random
        initial.append([layer.weight.copy() for layer in net.layers])
        np.random.random(5)  # a factory that draws more must not shift the other's weights
        return net

    compare(make, make, [2, 2, 1], samples=1, rounds=1)
    for left, right in zip(*initial, strict=True):
        np.testing.assert_array_equal(left, right)


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["--arch", "2"], "at least two"),
        (["--arch", "2,x"], "separated by commas"),
        (["--arch", "2,0,1"], "positive"),
        (["--samples", "0"], "--samples"),
        (["--rounds", "0"], "--rounds"),
        (["--learning-rate", "-1"], "--learning-rate"),
        (["--activation", "softplus"], "unknown activation"),
        (["no_such_module_here:make"], "no module named"),
        (["backprop:no_such_factory"], "no attribute"),
        (["--baseline", "backprop:__version__"], "not a callable"),
        (["--json", "/no/such/folder/out.json"], "folder does not exist"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(arguments: list[str], words: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", *QUICK, *arguments]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and words in captured.err


@pytest.mark.parametrize("gate", [[], ["--no-gate"]])
def test_a_target_with_no_way_to_train_exits_2(plugins: Path, capsys: pytest.CaptureFixture[str],
                                               gate: list[str]) -> None:
    """The battery cannot check it (the gate), and bench cannot time it (without the gate)."""
    assert main(["bench", f"{plugins}:inert", *QUICK, *gate]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "neither" in err


def test_a_target_that_raises_while_training_exits_1(plugins: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", f"{plugins}:broken", *QUICK, "--no-gate"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ArithmeticError: diverged" in err


BUGGY = str(Path(__file__).parent / "implementations" / "update_lr_twice.py") + ":make"
"""Right gradients, an update that applies the learning rate twice: fails update-is-sgd-step and fit."""


def test_a_target_that_fails_the_battery_gate_is_not_timed(capsys: pytest.CaptureFixture[str],
                                                           tmp_path: Path) -> None:
    path = tmp_path / "bench.json"
    assert main(["bench", BUGGY, *QUICK, "--json", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and not path.exists()
    assert captured.err.count("\n") == 1
    assert (f"{BUGGY} fails the battery's gate (update-is-sgd-step, fit-one-sample failed on 3 cases of "
            "2-2-1 tanh)") in captured.err
    command = captured.err.split("`")[1]
    assert command == (f"backprop check {BUGGY} --layers 2,2,1 --activation tanh --seed 0 --max-examples 3 "
                       "--only update-is-sgd-step fit-one-sample")
    assert main(command.split()[1:]) == 1  # the command it gives shows the same failures
    assert "2 failed" in capsys.readouterr().out


def test_no_gate_times_a_failing_target_with_a_warning(capsys: pytest.CaptureFixture[str],
                                                       tmp_path: Path) -> None:
    path = tmp_path / "bench.json"
    assert main(["bench", BUGGY, *QUICK, "--no-gate", "--json", str(path)]) == 0
    out = capsys.readouterr().out
    assert "warning: the battery gate was not run" in out.splitlines()[2]
    assert json.loads(path.read_text())["gate"] is None


def test_a_correct_target_passes_the_gate_and_the_report_says_so(capsys: pytest.CaptureFixture[str],
                                                                  tmp_path: Path) -> None:
    path = tmp_path / "bench.json"
    assert main(["bench", *QUICK, "--json", str(path)]) == 0
    out = capsys.readouterr().out
    assert ("the target passed the battery gate: weight-gradient, update-is-sgd-step, fit-one-sample on 3 "
            "cases of 2-2-1 tanh") in out
    gate = json.loads(path.read_text())["gate"]
    assert gate["failed"] == [] and gate["passed"] == list(GATE_CHECKS)


def test_a_model_level_target_passes_the_gate_without_fit(plugins: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", f"{plugins}:make", *QUICK]) == 0
    assert "update-is-sgd-step on 3 cases of 2-2-1 tanh (fit-one-sample skipped" in capsys.readouterr().out


@pytest.mark.parametrize("arguments", [["--samples", "many"], ["--clock", "sundial"]])
def test_an_argument_of_the_wrong_type_is_an_argparse_error(arguments: list[str],
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["bench", *arguments])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_parse_arch() -> None:
    assert parse_arch("784,128,10") == [784, 128, 10]
    assert parse_arch(" 2, 2 ,1") == [2, 2, 1]
    with pytest.raises(BenchError):
        parse_arch("")


@given(st.lists(st.integers(1, 40), min_size=2, max_size=5))
def test_weight_count_is_the_reference_networks(layers: list[int]) -> None:
    assert weight_count(layers) == sum(layer.weight.size for layer in NeuralNetwork(layers, rng=0).layers)


def test_the_floor_is_three_passes_over_the_weights_at_the_copy_bandwidth() -> None:
    floor = memory_floor([784, 128, 10], copy_time=40e-6)
    assert floor.weight_bytes == 8 * (785 * 129 + 129 * 10)
    assert floor.copy_bandwidth == pytest.approx(2 * floor.weight_bytes / 40e-6)
    assert floor.seconds_per_sample == pytest.approx(60e-6)  # 3 passes, a copy being 2
    assert MemoryFloor(1000, 1e9, passes=1).seconds_per_sample == pytest.approx(1e-6)


def test_render_names_the_architecture_and_the_ratio() -> None:
    result = compare(NeuralNetwork, NeuralNetwork, [3, 4, 2], "sigmoid", samples=5, rounds=1,
                     names=("mine", "theirs"))
    text = render(result)
    assert "3-4-2 sigmoid" in text and "mine" in text and "theirs" in text
    assert f"{result.speedup:.2f}x" in text


def test_the_benchmarks_skip_with_the_reason_without_pytest_benchmark() -> None:
    """With pytest-benchmark disabled (as when it is not installed), every benchmark under benchmarks/ is
    skipped, saying why, instead of erroring on its missing `benchmark` fixture."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    ran = subprocess.run(
        [sys.executable, "-m", "pytest", "benchmarks", "-p", "no:benchmark", "-p", "no:cacheprovider", "-q",
         "-rs", "-m", ""],
        cwd=root, capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL,
    )
    assert ran.returncode == 0, ran.stdout[-2000:]
    summary = ran.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ skipped in [\d.]+s( \(.*\))?", summary), summary  # nothing ran, nothing erred
    assert "needs pytest-benchmark, which is not installed (pip install -e '.[bench]')" in ran.stdout
