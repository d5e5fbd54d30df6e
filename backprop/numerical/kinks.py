"""Where a perturbation meets a kink: activations whose derivative jumps (relu at 0)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from ..activations import activation_names, get_activation
from .estimate import Kink


def has_kink(function: Callable) -> bool:
    """True when the activation's derivative jumps at z = 0 (relu and its relatives).

    A registered activation says so itself; any other is probed: its one-sided slopes at 0.
    """
    for name in activation_names():
        activation = get_activation(name)
        if activation.function is function:
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


def crossed(z_moved: NDArray, z: NDArray) -> NDArray:
    """True where a pre-activation changed sign, or left or reached 0 exactly."""
    return np.sign(z_moved) != np.sign(z)


class KinkLog:
    """Collects, per perturbed layer, which (layer, unit) pre-activations crossed 0 and for which weight."""

    def __init__(self, perturbed: str) -> None:
        self.perturbed = perturbed
        self.first: dict[tuple[int, int], tuple[tuple[int, ...], int, float]] = {}

    def add(self, layer: int, z: NDArray, hits: NDArray, row_ids: NDArray, *, own: bool = False) -> None:
        """hits has shape (rows, perturbed units, units of `layer`), or (rows, units) when the
        perturbed units are the layer's own (`own`); row_ids numbers the rows."""
        units = np.flatnonzero(hits.any(axis=tuple(range(hits.ndim - 1))))
        for unit in units:
            where = np.argwhere(hits[:, unit]) if own else np.argwhere(hits[..., unit])
            if own:
                where = np.column_stack([where[:, 0], np.full(len(where), unit)])
            key = (layer, int(unit))
            first, count, _ = self.first.get(key, ((), 0, 0.0))
            if not first:
                first = (int(row_ids[where[0][0]]),) + tuple(int(i) for i in where[0][1:])
            self.first[key] = (first, count + len(where), float(z[unit]))

    def kinks(self) -> list[Kink]:
        found = []
        for (layer, unit), (first, count, z) in sorted(self.first.items()):
            index = ", ".join(str(i) for i in first)
            more = f" (and {count - 1} other perturbation(s))" if count > 1 else ""
            found.append(Kink(layer, unit, z, f"{self.perturbed}[{index}]{more}"))
        return found
