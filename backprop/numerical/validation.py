"""One clear error for each bad argument, raised before any work is done."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

METHODS = ("auto", "central", "richardson", "complex", "loop")


def check_method(method: str, allowed: tuple[str, ...]) -> str:
    if method not in allowed:
        raise ValueError(f"unknown method {method!r}; use one of {', '.join(allowed)}")
    return method


def finite_point(name: str, value: ArrayLike) -> NDArray:
    """A real float array copy of `value`, keeping float32 and float16; a ValueError for NaN or inf."""
    try:
        array = np.array(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers, not {type(value).__name__}") from None
    if array.dtype.kind in "biu":
        array = array.astype(float)
    if array.dtype.kind != "f":
        raise TypeError(f"{name} must hold real numbers, not {array.dtype}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} holds {array.size - np.count_nonzero(np.isfinite(array))} "
                         "non-finite value(s) (NaN or inf)")
    return array


def check_callable(name: str, fn: object) -> Callable:
    if not callable(fn):
        raise TypeError(f"{name} must be callable, not {type(fn).__name__}")
    return fn


def live_arrays(params: object) -> list[NDArray]:
    """The parameter arrays to perturb in place: writable real float numpy arrays, checked."""
    if isinstance(params, np.ndarray) or not isinstance(params, (list, tuple)):
        raise TypeError("params must be a list of numpy arrays (the live parameters, perturbed in place)")
    for i, p in enumerate(params):
        if not isinstance(p, np.ndarray):
            raise TypeError(f"params[{i}] must be a numpy array, not {type(p).__name__}")
        if p.dtype.kind != "f":
            raise TypeError(f"params[{i}] must hold real floats to be perturbed, not {p.dtype}")
        if not p.flags.writeable:
            raise ValueError(f"params[{i}] is read-only, so it cannot be perturbed in place")
        if not np.all(np.isfinite(p)):
            raise ValueError(f"params[{i}] holds non-finite value(s) (NaN or inf)")
    return list(params)


def scalar_value(name: str, value: object) -> float:
    """A function value as a float; a TypeError naming the function when it is not a scalar."""
    array = np.asarray(value)
    if array.size != 1:
        raise TypeError(f"{name} must return a scalar, got an array of shape {array.shape}")
    if np.iscomplexobj(array):
        raise TypeError(f"{name} returned a complex value; central differences need a real one")
    return float(array.reshape(()))
