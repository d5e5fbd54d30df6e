"""A declared L2 penalty λ/2·‖W‖² added to the loss: which elements it covers, its value and gradient,
and what a gradient that penalises differently shows.

Which elements are weights: in the model-level protocol, every array with two or more dimensions (a
1-D array is a bias); in the layer-level protocol, every row of a layer's weight matrix except its bias
row, the one fed by the constant 1 (row 0 when the profile puts the 1 first, the last row when it puts
it last).  With `l2_biases` the biases are penalised too.  The penalty's gradient λ·W is exact, so it is
added to the numerical estimate of the data loss's gradient rather than differentiated numerically.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ...findings import Finding
from .. import diagnosis
from ..interfaces import declare
from ..profile import Profile


def weight_masks(arrays: Sequence[NDArray], profile: Profile, model: bool) -> list[NDArray]:
    """Per array, True where an element is a weight (not a bias)."""
    masks = []
    for array in arrays:
        if model:
            masks.append(np.full(array.shape, array.ndim >= 2))
            continue
        mask = np.ones(array.shape, dtype=bool)
        if array.ndim == 2 and array.shape[0] > 0:
            mask[0 if profile.bias == "first" else -1] = False
        masks.append(mask)
    return masks


def penalised(arrays: Sequence[NDArray], profile: Profile, model: bool) -> list[NDArray]:
    """Per array, the elements the declared penalty covers (as floats, 1 or 0)."""
    masks = weight_masks(arrays, profile, model)
    return [np.ones(m.shape) if profile.l2_biases else m.astype(float) for m in masks]


def penalty_gradients(arrays: Sequence[NDArray], profile: Profile, model: bool) -> list[NDArray]:
    """λ·W on the penalised elements, 0 elsewhere."""
    return [profile.l2 * np.asarray(a, dtype=float) * m
            for a, m in zip(arrays, penalised(arrays, profile, model), strict=True)]


def penalty_value(arrays: Sequence[NDArray], profile: Profile, model: bool) -> float:
    """λ/2·‖W‖² over the penalised elements."""
    if not profile.l2:
        return 0.0
    masks = penalised(arrays, profile, model)
    return 0.5 * profile.l2 * sum(float(np.sum((np.asarray(a, dtype=float) * m) ** 2))
                                  for a, m in zip(arrays, masks, strict=True))


def with_penalty(
    estimates: Sequence[Any], arrays: Sequence[NDArray], profile: Profile, model: bool
) -> list[Any]:
    """The estimates of ∂C/∂W made estimates of ∂(C + λ/2·‖W‖²)/∂W."""
    if not profile.l2:
        return list(estimates)
    return [dataclasses.replace(e, value=np.asarray(e.value, dtype=float) + g,
                                lower=None if e.lower is None else e.lower + g,
                                upper=None if e.upper is None else e.upper + g)
            for e, g in zip(estimates, penalty_gradients(arrays, profile, model), strict=True)]


def regularisation_finding(
    samples: Sequence[tuple[Sequence[NDArray], Sequence[Any]]],
    arrays: Sequence[NDArray],
    profile: Profile,
    model: bool,
    what: str,
) -> Finding | None:
    """What penalty a wrong gradient carries, measured: `samples` are (the implementation's gradient,
    the estimates of the data loss's gradient) at one or more samples, all at the weights `arrays`.

    The residual g − ∂C/∂W of a penalty depends on the weights only, never on the sample, so it is
    fitted over every sample given: λ of the weights by least squares, and the biases are tested for
    the declared λ (or the fitted one, when none is declared).
    """
    masks = weight_masks(arrays, profile, model)
    parts: dict[bool, list[tuple[NDArray, NDArray, NDArray]]] = {True: [], False: []}
    for grads, estimates in samples:
        for g, e, w, m in zip(grads, estimates, arrays, masks, strict=True):
            r = np.asarray(g, dtype=float) - np.asarray(e.value, dtype=float)
            budget = np.broadcast_to(np.asarray(e.budget, dtype=float), r.shape)
            for weight, where in ((True, m), (False, ~m)):
                parts[weight].append((r[where], np.asarray(w, dtype=float)[where], budget[where]))
    rw, ww, bw = (np.concatenate([p[k] for p in parts[True]]) for k in range(3))
    rb, wb, bb = (np.concatenate([p[k] for p in parts[False]]) for k in range(3))
    # weights all 0 carry no λ·W to measure, but a declared λ can still be looked for on the biases
    weighed = bool(np.any(ww))
    fitted = float(rw @ ww / (ww @ ww)) if weighed else 0.0
    fits = diagnosis.agreement(rw, fitted * ww, bw) if weighed else None
    declared = profile.l2
    significant = weighed and (
        abs(fitted) * float(np.max(np.abs(ww))) > 10 * float(np.max(bw, initial=0.0)) + 1e-12
    )
    lam = declared or (fitted if fits is not None and significant else 0.0)
    if lam and rb.size and np.any(wb):
        on_biases = diagnosis.agreement(rb, lam * wb, bb)
        clean = diagnosis.agreement(rb, np.zeros_like(rb), bb)
        if not profile.l2_biases and on_biases is not None and clean is None:
            return Finding(
                "regularisation",
                f"{what} penalises the biases too: their gradient equals ∂C/∂b + λ·b with λ = {lam:.6g} "
                f"{diagnosis.within(on_biases)}; declare {declare('l2_biases', True, profile.interface)} "
                "if that is meant, or leave the biases out of the penalty",
                {"l2": lam, "biases": True},
            )
        if profile.l2_biases and declared and clean is not None and on_biases is None:
            return Finding(
                "regularisation",
                f"{what} does not penalise the biases, though "
                f"{declare('l2_biases', True, profile.interface)} is declared: their gradient is "
                f"∂C/∂b {diagnosis.within(clean)}, without λ·b",
                {"l2": 0.0, "biases": True},
            )
    if fits is None or abs(fitted - declared) <= 1e-6 * max(abs(fitted), declared):
        return None
    if not declared:
        if not significant:
            return None
        return Finding(
            "regularisation",
            f"{what} equals ∂C/∂W + λ·W with λ = {fitted:.6g} (least squares) {diagnosis.within(fits)} in "
            f"{rw.size} weight values: an L2 penalty that is not declared; declare it with "
            f"{declare('l2', float(f'{fitted:.6g}'), profile.interface)}",
            {"l2": fitted, "declared": 0.0},
        )
    if not significant:
        return Finding(
            "regularisation",
            f"{what} equals ∂C/∂W {diagnosis.within(fits)}, without the declared penalty's λ·W "
            f"(λ = {declared:g}): the penalty is missing",
            {"l2": 0.0, "declared": declared, "factor": 0.0},
        )
    factor = fitted / declared
    return Finding(
        "regularisation",
        f"{what} equals ∂C/∂W + {factor:.6g} × λ·W (λ = {declared:g} declared) {diagnosis.within(fits)}: "
        f"the penalty's gradient has a wrong factor{PENALTY_HINTS.get(round(factor, 6), '')}",
        {"l2": fitted, "declared": declared, "factor": factor},
    )


PENALTY_HINTS = {
    2.0: " (λ·‖W‖² differentiated as 2λ·W: the ½ of λ/2·‖W‖² dropped)",
    0.5: " (λ/2·W: the 2 of ‖W‖²'s derivative dropped)",
}
