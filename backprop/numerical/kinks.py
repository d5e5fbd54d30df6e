"""Activations whose derivative jumps at 0 (relu): finding them, their one-sided slopes there, and the
piece of each unit that the network engine differentiates on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..activations import Activation, activation_names, get_activation


def has_kink(function: Callable) -> bool:
    """True when the activation's derivative jumps at z = 0 (relu and its relatives).

    A registered activation says so itself; any other is probed: its one-sided slopes at 0.
    """
    activation = registered(function)
    if activation is not None:
        return activation.has_kink
    h = 1e-6
    try:
        with np.errstate(all="ignore"):
            left, middle, right = np.asarray(function(np.array([-h, 0.0, h])), dtype=float)
    except Exception:
        return False
    slopes = np.array([(middle - left) / h, (right - middle) / h])
    jump = abs(slopes[1] - slopes[0])
    return bool(np.all(np.isfinite(slopes)) and jump > 1e-3 * (1 + np.abs(slopes).max()))


ONE_SIDED_STEP = 2.0 ** -17
"""The step of the one-sided differences that measure a kinked activation's slopes at 0."""
SIDE_TOLERANCE = 1e-3
"""How close (relative to the jump) a stored f'(z) must be to a one-sided slope to name that side."""


@dataclass(frozen=True)
class Pieces:
    """A kinked activation near 0, and the piece each unit of one layer is differentiated on.

    `value` is f(0), `left` and `right` its one-sided slopes there; `sides[j]` is +1 or −1, the
    piece unit j is on; `ambiguous[j]` says unit j's pre-activation lies within rounding of 0,
    so that its side is the one the implementation itself took.
    """

    value: float
    left: float
    right: float
    sides: NDArray
    ambiguous: NDArray

    def apply(self, function: Callable[[NDArray], NDArray], z: NDArray) -> NDArray:
        """f(z), except that a unit moved across 0 stays on its own piece, extended linearly.

        On the piece of z0 the loss is differentiable, and its derivative is exactly what
        the analytic gradient must equal: no crossing, no mixture of one-sided slopes.
        """
        out = function(z)
        across = np.where(self.sides > 0, z.real <= 0, z.real >= 0)
        if not across.any():
            return out
        slope = np.where(self.sides > 0, self.right, self.left)
        return np.where(across, self.value + slope * z, out)

    def term_size(self, size: NDArray) -> NDArray:
        """How large the terms of f(z) are, as rounding sees them: the size of z's terms times the
        slope of the unit's piece, or the larger slope within the rounding band (either piece)."""
        slopes = np.where(self.sides > 0, abs(self.right), abs(self.left))
        return np.where(self.ambiguous, max(abs(self.left), abs(self.right)), slopes) * size


def one_sided_slopes(function: Callable) -> tuple[float, float, float]:
    """f(0) and f's left and right slopes at 0, by one-sided differences (exact for relu).

    2·D(δ) − D(2δ) cancels the first-order error of the one-sided difference D(δ), so a
    curved piece (an ELU's) is measured to O(δ²) as well.
    """
    steps = np.array([-2.0, -1.0, 0.0, 1.0, 2.0]) * ONE_SIDED_STEP
    with np.errstate(all="ignore"):
        v = np.asarray(function(steps), dtype=float)
    d = ONE_SIDED_STEP
    right = 2 * (v[3] - v[2]) / d - (v[4] - v[2]) / (2 * d)
    left = 2 * (v[2] - v[1]) / d - (v[2] - v[0]) / (2 * d)
    return float(v[2]), float(left), float(right)


def side_taken(derivative: NDArray, left: float, right: float) -> NDArray:
    """+1 where a value of f'(z) is the right slope at 0, −1 where it is the left one, 0 where neither."""
    tolerance = SIDE_TOLERANCE * max(abs(right - left), 1e-300)
    derivative = np.asarray(derivative, dtype=float)
    on_left = np.where(np.abs(derivative - left) <= tolerance, -1, 0)
    return np.where(np.abs(derivative - right) <= tolerance, 1, on_left)


def registered(function: Callable) -> Activation | None:
    """The registry's entry whose function is `function` (None for any other callable)."""
    for name in activation_names():
        activation = get_activation(name)
        if activation.function is function:
            return activation
    return None
