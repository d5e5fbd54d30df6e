"""What the battery knows of a target before it draws a case: its protocol, what it offers, and the
conventions it follows (where the constant 1 of the bias goes, how fit trains, how a batch combines,
a declared penalty).  Each is discovered by probing the target or declared by the user, and every
check reads them here instead of assuming the article's."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..findings import Finding
from .interfaces import PYTHON
from .registry import LAYER_LEVEL, PROTOCOLS

BIAS_POSITIONS = ("first", "last")


@dataclass(frozen=True)
class ProbeFailure:
    """What probing found wrong with a convention of the target (its fit's scheme), for the check
    that reports it: a summary, the numbers, and the findings."""

    summary: str
    details: str = ""
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Profile:
    """The target's protocol and conventions, as probed or declared."""

    protocol: str = LAYER_LEVEL
    offers: frozenset[str] = frozenset()
    bias: str = "first"
    """Where the layers expect the constant 1 of the input: before the inputs (the article) or after them."""
    scheme: str | None = None
    """How fit trains (a name of backprop.battery.schemes), observed or declared; None when unknown."""
    scheme_failure: ProbeFailure | None = None
    """Set when fit trains by no known scheme, or by another than the declared one."""
    reduction: str | None = None
    """How a model-level batch combines its samples' gradients: "mean" or "sum" (None: batches not taken)."""
    l2: float = 0.0
    """A declared L2 penalty λ/2·‖W‖² added to the loss (weights only unless `l2_biases`)."""
    l2_biases: bool = False
    loss: str = "half_sse"
    """The declared loss's name: a factory that takes a `loss=` keyword is built with it."""
    interface: str = PYTHON
    """Where the battery runs from ("cli", "pytest", "python"): a hint names an option as it is declared
    there (`interfaces.declare`)."""
    foreign_loss: bool = False
    """The model's `loss` is not the protocol's loss(x, y) → one number (CS231n's loss(X, y) returns the
    loss and the gradients): it is not called, and predict is judged under the declared loss."""
    notes: tuple[str, ...] = field(default=())
    """What was discovered about the target, said once at the top of the report."""
    missing: tuple[tuple[str, str], ...] = ()
    """(need, why it is not offered) for optional parts found missing by probing (a batch, ...)."""
    layouts: tuple[tuple[str, str], ...] = ()
    """(method, bias position) for what predict and fit were each seen to use."""

    def why_missing(self) -> dict[str, str]:
        return dict(self.missing)

    def layout_of(self, method: str) -> str | None:
        """Where `method` ("fit" or "predict") was seen to put the constant 1, or None."""
        return dict(self.layouts).get(method)

    def with_one(self, x: NDArray) -> NDArray:
        """x with the constant 1 of the bias where the layers expect it (a batch: on every row)."""
        one = np.ones(x.shape[:-1] + (1,))
        return np.concatenate((one, x) if self.bias == "first" else (x, one), axis=-1)

    def but(self, **changes: Any) -> Profile:
        return replace(self, **changes)


def as_profile(protocol_or_profile: str | Profile) -> Profile:
    """A profile as it is; a bare protocol name as the article's conventions under that protocol."""
    if isinstance(protocol_or_profile, Profile):
        return protocol_or_profile
    if protocol_or_profile not in PROTOCOLS:
        raise ValueError(
            f"unknown protocol {protocol_or_profile!r}: expected one of {', '.join(PROTOCOLS)}, or a Profile"
        )
    return Profile(protocol=protocol_or_profile)
