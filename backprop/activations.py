"""The article's activation functions and their derivatives, kept in a registry by name.

Every function accepts real arrays of any float dtype (and keeps that dtype) and complex
arrays (so that the complex-step checker can differentiate through them).  None of them
warns or returns NaN for large |z|.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

ArrayFunction = Callable[[NDArray], NDArray]


def _exp_minus_abs(z: ArrayLike, scale: float = 1.0) -> tuple[NDArray, NDArray]:
    """e^(-scale·|z|) (|z| meaning z with the sign of its real part dropped), and where z ≥ 0.

    It never overflows, and an underflow to 0 is the right answer, so it is not reported.
    """
    z = np.asarray(z)
    if not np.issubdtype(z.dtype, np.inexact):
        z = z.astype(float)
    positive = z.real >= 0
    with np.errstate(under="ignore"):
        return np.exp(scale * np.where(positive, -z, z)), positive


def sigmoid(z: ArrayLike) -> NDArray:
    """1 / (1 + e^-z), computed from e^-|z| so it never overflows."""
    e, positive = _exp_minus_abs(z)
    return np.where(positive, 1 / (1 + e), e / (1 + e))


def sigmoid_prime(z: ArrayLike) -> NDArray:
    """σ(z)(1 − σ(z)), written as e^-|z| / (1 + e^-|z|)² to keep full relative accuracy for large |z|."""
    e, _ = _exp_minus_abs(z)
    with np.errstate(under="ignore"):
        return e / (1 + e) ** 2


def tanh(z: ArrayLike) -> NDArray:
    return np.tanh(z)


def tanh_prime(z: ArrayLike) -> NDArray:
    """1 − tanh(z)², written as 4e^-2|z| / (1 + e^-2|z|)² to avoid its cancellation for large |z|."""
    e, _ = _exp_minus_abs(z, 2.0)
    with np.errstate(under="ignore"):
        return 4 * e / (1 + e) ** 2


def relu(z: ArrayLike) -> NDArray:
    """max(z, 0); np.maximum keeps the imaginary part of a complex z with a positive real part."""
    z = np.asarray(z)
    return np.maximum(z, np.zeros((), dtype=z.dtype))


def relu_prime(z: ArrayLike) -> NDArray:
    """1 where z > 0 and 0 where z <= 0 (the derivative at the kink is taken as 0)."""
    z = np.asarray(z)
    dtype = z.real.dtype if np.issubdtype(z.dtype, np.inexact) else np.dtype(float)
    return (z.real > 0).astype(dtype)


@dataclass(frozen=True)
class Activation:
    """An activation function, its derivative, and the name it is registered under."""

    name: str
    function: ArrayFunction
    derivative: ArrayFunction
    has_kink: bool = False


_REGISTRY: dict[str, Activation] = {}


def register_activation(
    name: str, function: ArrayFunction, derivative: ArrayFunction, *, has_kink: bool = False
) -> Activation:
    """Make `name` usable as `NeuralNetwork(..., activation=name)`.

    `has_kink` marks a function whose derivative jumps (relu); gradient checks then look
    for perturbations that cross the kink instead of reporting them as failures.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"an activation name must be a non-empty string, not {name!r}")
    if not callable(function) or not callable(derivative):
        raise TypeError(f"activation {name!r} needs a callable function and a callable derivative")
    activation = Activation(name, function, derivative, has_kink)
    _REGISTRY[name] = activation
    return activation


def get_activation(name: str) -> Activation:
    """The registered activation called `name`; a ValueError listing the known ones otherwise."""
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        known = ", ".join(sorted(_REGISTRY))
        raise ValueError(f"unknown activation {name!r}; known activations: {known}") from None


def activation_names() -> list[str]:
    return sorted(_REGISTRY)


register_activation("sigmoid", sigmoid, sigmoid_prime)
register_activation("tanh", tanh, tanh_prime)
register_activation("relu", relu, relu_prime, has_kink=True)


KNOWN_WRONG_DERIVATIVES: dict[str, tuple[tuple[str, ArrayFunction], ...]] = {
    "tanh": (
        ("1 − z²", lambda z: 1 - z**2),
        ("1 − tanh z", lambda z: 1 - np.tanh(z)),
        ("tanh z (1 − tanh z)", lambda z: np.tanh(z) * (1 - np.tanh(z))),
        ("1 + tanh² z", lambda z: 1 + np.tanh(z) ** 2),
    ),
    "sigmoid": (
        ("z(1 − z)", lambda z: z * (1 - z)),
        ("s(1 + s)", lambda z: sigmoid(z) * (1 + sigmoid(z))),
        ("1 − s", lambda z: 1 - sigmoid(z)),
        ("s", sigmoid),
        ("1 − s²", lambda z: 1 - sigmoid(z) ** 2),
    ),
    "relu": (
        ("1 everywhere", lambda z: np.ones_like(np.asarray(z, dtype=float))),
        ("relu(z)", relu),
        ("1 where z < 0 (the mask inverted)", lambda z: (np.asarray(z) < 0).astype(float)),
    ),
}
"""Per activation, derivatives people write by mistake, each with the formula as written (s = σ(z)):
what a wrong activation_prime, and a whole backprop (backprop.battery.suspects), is compared with, so
that its finding names it."""

KNOWN_WRONG_DERIVATIVES_WHY: dict[str, str] = {
    "1 − z²": "tanh's derivative written in terms of its output A (1 − A²), given z: it expects A",
    "z(1 − z)": "the sigmoid's derivative written in terms of its output A (A(1 − A)), given z: it expects A",
    "1 − tanh z": "the square is missing: tanh' is 1 − tanh² z",
    "tanh z (1 − tanh z)": "the sigmoid's formula s(1 − s) applied to tanh",
    "s(1 + s)": "a sign slip: σ' is s(1 − s)",
    "1 − s": "the factor s is missing: σ' is s(1 − s)",
    "s": "the function, not its derivative: σ' is s(1 − s)",
    "1 − s²": "tanh's formula 1 − A² applied to the sigmoid",
    "1 everywhere": "the mask is missing: relu' is 1 where z > 0 and 0 where z < 0",
    "relu(z)": "the function, not its derivative: relu' is 1 where z > 0 and 0 where z < 0",
    "1 + tanh² z": "a sign slip: tanh' is 1 − tanh² z",
    "1 where z < 0 (the mask inverted)": "relu' is 1 where z > 0 and 0 where z < 0",
}
"""Why each known wrong formula is wrong, said after the evidence."""
