"""The checks, one module a family: each check takes a worker of the subject, one case and the declared
loss, and returns its Evidence.

A check has the worker build a fresh network from the user's factory, writes the case's weights
into it, and compares what the implementation computes with what it should compute: a
finite-difference estimate from `backprop.numerical` (with its error budget) for derivatives, or
an exact identity (predict against forward, batch against the sum of samples) otherwise.
Numerical estimates are taken before the implementation's own forward and backward run, since the
estimator is free to overwrite A and dZ.  Which checks exist, in which order, and what each needs
is `backprop.battery.registry`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from ..cases import Case
from ..profile import Profile
from ..registry import REGISTRY, skip_reason
from .common import Evidence, prepare

Check = Callable[[Any, Case, Any, Profile], Evidence]


def _load(function: str) -> Check:
    module, _, name = function.partition(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


CHECKS: dict[str, Check] = {spec.id: _load(spec.function) for spec in REGISTRY}

__all__ = ["CHECKS", "Check", "Evidence", "prepare", "skip_reason"]
