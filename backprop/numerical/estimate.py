"""What a numerical derivative is worth: its value, an error budget per element, and the kinks it met."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class Kink:
    """A perturbation that moved a pre-activation across (or onto) a kink of its activation.

    `layer` and `unit` locate the pre-activation (None when the function is not a network),
    `z` is its unperturbed value, `where` names the perturbed quantity in words.  `side` is
    +1 or −1 for a pre-activation within rounding of the kink, differentiated on the piece the
    implementation took (right: z > 0, left: z < 0); 0 for a kink crossed by a perturbation.
    """

    layer: int | None
    unit: int | tuple[int, ...] | None
    z: float | None
    where: str
    side: int = 0

    def describe(self) -> str:
        if self.layer is None:
            return f"a kink met while perturbing {self.where}"
        z = "" if self.z is None else f" (z = {self.z:.3g})"
        if self.side:
            piece = "right (z > 0)" if self.side > 0 else "left (z < 0)"
            return (f"layer {self.layer}, unit {self.unit}{z} lies on its kink to rounding: "
                    f"{self.where} differentiated on its {piece} piece, the one the implementation took")
        return f"layer {self.layer}, unit {self.unit}{z} crossed its kink when perturbing {self.where}"


@dataclass(frozen=True, eq=False)
class Estimate:
    """A numerical derivative with an absolute error bound per element.

    Where `kink_mask` is set, the function is not differentiable within the step, and the
    true one-sided derivatives lie in [lower, upper] (widened by the budget); elsewhere
    lower == upper == value.  `note` says why a requested method was replaced by another.
    `term_scale`, where known, sizes the analytic side's rounding (see compare).
    """

    value: NDArray
    budget: NDArray
    method: str
    kinks: list[Kink] = field(default_factory=list)
    kink_mask: NDArray = None  # type: ignore[assignment]  # filled in __post_init__
    lower: NDArray = None  # type: ignore[assignment]
    upper: NDArray = None  # type: ignore[assignment]
    step: NDArray | None = None
    note: str = ""
    term_scale: NDArray | None = None
    """The size of the terms the analytic value is a sum of, where known (layered networks):
    what rounding in the analytic code's own precision can do scales with it."""

    def __post_init__(self) -> None:
        value = np.asarray(self.value, dtype=float)
        object.__setattr__(self, "value", value)
        budget = np.asarray(self.budget, dtype=float)
        if budget.shape != value.shape:
            budget = np.broadcast_to(budget, value.shape).copy()
        object.__setattr__(self, "budget", budget)
        mask = np.zeros(value.shape, bool) if self.kink_mask is None else np.asarray(self.kink_mask, bool)
        object.__setattr__(self, "kink_mask", mask)
        if not mask.any():
            object.__setattr__(self, "lower", value)
            object.__setattr__(self, "upper", value)
            return
        lower = value if self.lower is None else np.where(mask, self.lower, value)
        upper = value if self.upper is None else np.where(mask, self.upper, value)
        object.__setattr__(self, "lower", np.minimum(lower, upper))
        object.__setattr__(self, "upper", np.maximum(lower, upper))

    @property
    def shape(self) -> tuple[int, ...]:
        return self.value.shape
