"""The conformance battery: stable checks any backprop implementation can be run against."""

from __future__ import annotations

from typing import Any

from .registry import CHECK_IDS
from .results import BatteryResult, CheckResult


def __getattr__(name: str) -> Any:
    """`check` is imported on first use, so that `import backprop.battery` (for the result types)
    does not pay for hypothesis and the numerical engine."""
    if name == "check":
        from .runner import check

        return check
    raise AttributeError(f"module 'backprop.battery' has no attribute {name!r}")


__all__ = ["CHECK_IDS", "BatteryResult", "CheckResult", "check"]
