"""The conformance battery: stable checks any backprop implementation can be run against."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..losses import Loss
from .results import BatteryResult, CheckResult

CHECK_IDS = (
    "activation-derivative",
    "dz-is-fprime-of-z",
    "output-delta",
    "hidden-delta",
    "weight-gradient",
    "update-is-sgd-step",
    "fit-one-sample",
    "fit-two-samples",
    "predict-is-forward",
    "batch-is-sum",
    "inputs-unmodified",
    "deterministic",
    "descent",
)


def check(
    factory_or_target: Callable[..., Any] | str = "backprop:NeuralNetwork",
    *,
    loss: str | Loss = "half_sse",
    max_examples: int | None = None,
    seed: int = 0,
    only: Iterable[str] | str | None = None,
    timeout: float = 60.0,
) -> BatteryResult:
    """Run the battery on a factory `make(layers, activation)` or a "module:attr" / "file.py:attr" target.

    Imported on first call, so that `import backprop.battery` (for the result types) stays light.
    """
    from .runner import check as run_battery

    return run_battery(
        factory_or_target, loss=loss, max_examples=max_examples, seed=seed, only=only, timeout=timeout
    )


__all__ = ["CHECK_IDS", "BatteryResult", "CheckResult", "check"]
