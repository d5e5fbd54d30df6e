"""Large pre-activations, where tanh, sigmoid and relu are finite: code that overflows there to NaN or inf
(sigmoid as exp(z)/(1 + exp(z)), tanh from exponentials) breaks on the inputs a trained network meets.

activation-derivative probes a layer's own `activation` and `activation_prime` at |z| up to 1000;
predict-is-forward, where the activation is not exposed, runs predict with every weight large enough
that a first layer computing x·W (+ b) from x = (1, …, 1) sees |z| of at least 1000.  A warning numpy
emits on the way (an overflow in exp that ends in a finite 0 or 1) is no finding: only the values are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ...findings import Finding
from ..protocols import PluginError

LARGE_Z = np.arange(10.0, 1001.0, 10.0)
"""|z| probed: exp overflows in float64 above 709.78 (in float32 above 88.7), exp(2z) above 354.9."""
PROBE_Z = np.concatenate([LARGE_Z, -LARGE_Z])
WEIGHTED_Z = 1000.0
"""The |z| at least that a first layer sees in the forward probe (its weights are WEIGHTED_Z / inputs)."""
ADVICE = "compute it in a form that does not overflow (np.tanh; a sigmoid from exp(−|z|))"


def numbers(what: str, value: Any) -> NDArray:
    """value as a float array, NaN and inf kept (they are what is being looked for)."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise PluginError(f"{what} is not an array of real numbers ({type(value).__name__})") from None
    return array


def _named(values: NDArray) -> str:
    nan, inf = bool(np.isnan(values).any()), bool(np.isinf(values).any())
    return "NaN and inf" if nan and inf else "NaN" if nan else "inf"


def activation_finding(label: str, z: NDArray, values: NDArray) -> Finding | None:
    """A non-finite finding when `label`(z) (a layer's activation or activation_prime, evaluated at
    PROBE_Z) is NaN or inf anywhere, naming the probed z of smallest |z| where it is."""
    values = np.ravel(values)
    bad = ~np.isfinite(values)
    if values.shape != z.shape or not bad.any():
        return None
    order = np.argsort(np.abs(z), kind="stable")
    first = int(order[np.argmax(bad[order])])
    at = float(z[first])
    closer = " (and finite at every probed z closer to 0)" if (np.abs(z) < abs(at)).any() else ""
    sentence = (
        f"{label}(z) is {_named(values[first:first + 1])} at z = {at:g}, where the mathematics is finite"
        f"{closer}; it is NaN or inf at {int(bad.sum())} of the {z.size} points probed, z = ±{LARGE_Z[0]:g}, "
        f"±{LARGE_Z[1]:g}, …, ±{LARGE_Z[-1]:g}: {ADVICE}"
    )
    return Finding("non-finite", sentence, {"function": label, "z": at, "count": int(bad.sum())})


def large_weights(
    shapes: Sequence[tuple[int, ...]], n_inputs: int, sign: float
) -> tuple[float, list[NDArray]]:
    """(the value, every array filled with it): with x = (1, …, 1), a first layer computing x·W (+ b)
    has pre-activations of magnitude at least WEIGHTED_Z."""
    value = sign * WEIGHTED_Z / max(n_inputs, 1)
    return value, [np.full(shape, value) for shape in shapes]


def forward_finding(call: str, kind: str, value: float, n_inputs: int, out: NDArray) -> Finding | None:
    """A non-finite finding when the output of `call` with every `kind` set to `value` holds NaN or inf."""
    out = np.ravel(out)
    bad = ~np.isfinite(out)
    if not bad.any():
        return None
    sentence = (
        f"{call} at x = (1, …, 1) with every {kind} set to {value:g} holds {_named(out[bad])} in "
        f"{int(bad.sum())} of {out.size} output(s): a first layer computing x·W (+ b) then has "
        f"pre-activations of magnitude at least {abs(value) * n_inputs:g} ({n_inputs} input(s) × "
        f"{abs(value):g}), where the mathematics is finite; {ADVICE.replace('it', 'the activations', 1)}"
    )
    return Finding("non-finite", sentence, {"call": call, "weight": value, "count": int(bad.sum())})
