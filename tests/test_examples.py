"""The worked examples: each adapter passes the battery when the code behind it is right, and a
planted bug behind each adapter fails it; the scripts run as their docstrings say."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from backprop.battery import BatteryResult, check
from backprop.cli import main as backprop_main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
sys.path.insert(0, str(EXAMPLES))

import nielsen_adapter  # noqa: E402
import nielsen_network  # noqa: E402
import student_net  # noqa: E402

MAX_EXAMPLES = 8
MODEL_LEVEL_SKIPPED = {"activation-derivative", "dz-is-fprime-of-z", "fit-one-sample", "fit-two-samples",
                       "batch-is-sum"}
"""What a step-only adapter without batches cannot be checked on (its gradient is derived from the step,
its loss from predict)."""


def target(script: str) -> str:
    return f"{EXAMPLES / script}:make"


def statuses(result: BatteryResult) -> dict[str, str]:
    return {r.id: r.status for r in result.results}


def report(result: BatteryResult) -> str:
    return "\n".join(f"{r.id}: {r.status} {r.where} {r.summary} {r.diagnosis or ''}" for r in result.results)


def test_student_script_passes_through_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = backprop_main(["check", target("student_net.py"), "--max-examples", str(MAX_EXAMPLES)])
    assert code == 0, capsys.readouterr().out


def test_student_script_trains_xor() -> None:
    np.random.seed(0)
    net = student_net.make([2, 2, 1], "tanh")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    net.fit(X, np.array([0, 1, 1, 0]), learning_rate=0.1, epochs=10000)
    predictions = np.array([net.predict(x)[0] for x in X])
    assert np.array_equal(predictions.round(), [0, 1, 1, 0]), predictions


def test_nielsen_adapter_passes_as_a_model_level_implementation() -> None:
    result = check(target("nielsen_adapter.py"), max_examples=MAX_EXAMPLES)
    assert result.protocol == "model-level"
    assert result.passed, report(result)
    assert {i for i, s in statuses(result).items() if s == "skipped"} == MODEL_LEVEL_SKIPPED, report(result)


class FlippedCostNetwork(nielsen_network.Network):
    """The planted bug: ∂C/∂a written as y − a."""

    def cost_derivative(self, output_activations: np.ndarray, y: np.ndarray) -> np.ndarray:
        return y - output_activations


def test_a_planted_bug_behind_the_nielsen_adapter_fails() -> None:
    def make(layers: list[int], activation: str) -> nielsen_adapter.NielsenAdapter:
        return nielsen_adapter.adapt(FlippedCostNetwork, layers, activation)

    expected = ("output-delta", "hidden-delta", "weight-gradient", "update-is-sgd-step", "descent")
    result = check(make, max_examples=MAX_EXAMPLES, only=expected)
    found = statuses(result)
    assert {i: found[i] for i in expected} == dict.fromkeys(expected, "failed"), report(result)
    assert "sign" in (result.by_id("output-delta").diagnosis or "")


def test_nielsen_adapter_hands_out_live_parameters() -> None:
    adapter = nielsen_adapter.make([2, 3, 1], "tanh")
    x = np.array([0.5, -0.5])
    before = adapter.predict(x)
    adapter.parameters()["b1"][...] += 1.0  # the first layer's bias, a view of its (3, 1) column
    assert adapter.network.biases[0].ravel().tolist() == adapter.parameters()["b1"].tolist()
    assert not np.array_equal(adapter.predict(x), before)


def test_nielsen_network_learns_xor(capsys: pytest.CaptureFixture[str]) -> None:
    nielsen_network.main()
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4
    for line in lines:
        inputs, target_value, output = (np.array(part.strip("[] ").split(), dtype=float)
                                        for part in line.split("] ["))
        assert abs(output[0] - target_value[0]) < 0.1, line


def test_torch_adapter_passes_as_a_model_level_implementation() -> None:
    pytest.importorskip("torch")
    result = check(target("torch_adapter.py"), max_examples=MAX_EXAMPLES)
    assert result.protocol == "model-level"
    assert result.passed, report(result)


def test_a_hand_written_backward_behind_the_torch_adapter_fails() -> None:
    torch = pytest.importorskip("torch")
    import torch_adapter

    Function: Any = torch.autograd.Function
    Module: Any = torch.nn.Module

    class TanhWithWrongBackward(Function):
        """The planted bug: tanh'(z) written as 1 − tanh(z) instead of 1 − tanh(z)²."""

        @staticmethod
        def forward(ctx: Any, z: Any) -> Any:
            out = torch.tanh(z)
            ctx.save_for_backward(out)
            return out

        @staticmethod
        def backward(ctx: Any, grad: Any) -> Any:
            (out,) = ctx.saved_tensors
            return grad * (1 - out)

    class HandWrittenTanh(Module):
        def forward(self, z: Any) -> Any:
            return TanhWithWrongBackward.apply(z)

    def make(layers: list[int], activation: str) -> torch_adapter.TorchAdapter:
        return torch_adapter.TorchAdapter(torch_adapter.sequential(layers, HandWrittenTanh))

    expected = ("output-delta", "weight-gradient", "update-is-sgd-step")
    result = check(make, max_examples=MAX_EXAMPLES, only=expected)
    found = statuses(result)
    assert {i: found[i] for i in expected} == dict.fromkeys(expected, "failed"), report(result)


SCRIPTS = ["student_net.py", "nielsen_network.py", "nielsen_adapter.py", "torch_adapter.py"]


@pytest.mark.parametrize("script", SCRIPTS)
def test_each_example_says_how_to_run_it(script: str) -> None:
    source = (EXAMPLES / script).read_text(encoding="utf-8")
    docstring = source.split('"""')[1]
    commands = [line.split(":", 1)[1].strip() for line in docstring.splitlines()
                if line.startswith(("Run it:", "Check it:"))]
    assert commands, docstring
    assert all(f"examples/{script}" in command for command in commands), commands
