"""Networks of layer objects, as tutorials have people write them, checked with no adapter: `make` returns
the list of nnfs layers (Layer_Dense, Activation_ReLU, ...) or a Medium `Network` of FCLayer and
ActivationLayer objects, and the battery drives their forward and backward itself. Before, every one of
them was refused: "the factory returned a list, which follows neither protocol"."""

from __future__ import annotations

from pathlib import Path

import pytest

import backprop

STYLES = Path(__file__).resolve().parent / "styles"


def battery(name: str, only: list[str] | None = None, **declared: object) -> backprop.BatteryResult:
    return backprop.check(f"{STYLES / name}.py:make", max_examples=4, only=only, **declared)  # type: ignore[arg-type]


def test_an_nnfs_list_of_layers_passes_with_its_gradients_read_from_dweights() -> None:
    result = battery("nnfs_objects")
    assert result.passed, [(r.id, r.status, r.summary) for r in result.results]
    assert result.protocol == "model-level"
    assert result.by_id("weight-gradient").status == "passed" and result.by_id("descent").status == "passed"


def test_a_medium_network_that_updates_inside_backward_passes_through_its_step() -> None:
    result = battery("medium_fclayer", loss="mse")
    assert result.passed, [(r.id, r.status, r.summary) for r in result.results]
    assert "derived from step" in result.by_id("weight-gradient").summary


@pytest.mark.parametrize(
    ("name", "declared", "failing"),
    [
        ("nnfs_relu_unmasked", {"activation": "relu"}, "weight-gradient"),
        ("nnfs_sigmoid_s_one_plus_s", {"activation": "sigmoid"}, "weight-gradient"),
        ("medium_lr_applied_twice", {"loss": "mse"}, "update-is-sgd-step"),
        ("medium_tanh_one_minus_tanh", {"loss": "mse", "activation": "tanh"}, "weight-gradient"),
    ],
)
def test_a_planted_bug_in_layer_objects_fails(name: str, declared: dict, failing: str) -> None:
    result = battery(name, only=[failing], **declared)
    assert result.by_id(failing).status == "failed", result.by_id(failing).summary
