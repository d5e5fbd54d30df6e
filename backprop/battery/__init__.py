"""The conformance battery: stable checks any backprop implementation can be run against."""

from __future__ import annotations

from typing import Any

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


def check(factory_or_target: Any, **kwargs: Any) -> BatteryResult:
    """Run the battery on a factory `make(layers, activation)` or a "module:attr" target."""
    from .runner import check as _check

    return _check(factory_or_target, **kwargs)


__all__ = ["CHECK_IDS", "BatteryResult", "CheckResult", "check"]
