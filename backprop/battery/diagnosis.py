"""Recognise the usual backprop mistakes from the numbers, and say so as evidence.

Each function takes what the implementation produced (`analytic`) and what it should have
produced (`expected`, usually a finite-difference estimate) and returns a Finding: a kind of the
vocabulary (backprop.findings.KINDS), the parameters it was measured with, and one sentence
stating the relation the numbers satisfy with its accuracy ("equals −1 × ... to 3e-12 in all 6
elements"); or None when the relation does not hold.  `diagnose` tries the generic ones in order
of specificity and returns the first that holds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..findings import Finding

RELATIVE_TOLERANCE = 1e-6
"""How closely a relation must hold, relative to the largest value, to be stated as evidence."""


def _arrays(analytic: ArrayLike, expected: ArrayLike) -> tuple[NDArray, NDArray]:
    return np.asarray(analytic, dtype=float), np.asarray(expected, dtype=float)


def _tolerance(reference: NDArray, budget: ArrayLike | float = 0.0) -> float:
    scale = float(np.max(np.abs(reference))) if reference.size else 0.0
    return RELATIVE_TOLERANCE * scale + float(np.max(budget)) + 1e-300


def agreement(a: ArrayLike, b: ArrayLike, budget: ArrayLike | float = 0.0) -> float | None:
    """The largest |a − b| when a and b agree (within the tolerance), None when they do not."""
    a_arr, b_arr = _arrays(a, b)
    if a_arr.shape != b_arr.shape or a_arr.size == 0:
        return None
    gap = float(np.max(np.abs(a_arr - b_arr)))
    # an infinite gap agrees with nothing, though an infinite b makes the tolerance infinite too
    return gap if np.isfinite(gap) and gap <= _tolerance(b_arr, budget) else None


def within(gap: float) -> str:
    """How closely a relation holds, in words: "exactly" or "to 3e-12"."""
    return "exactly" if gap == 0 else f"to {gap:.0e}"


def elements(array: NDArray) -> str:
    """How many values a relation was found in, in words ("all 6 elements")."""
    return "the only element" if array.size == 1 else f"all {array.size} elements"


def _significant(expected: NDArray) -> bool:
    """Whether the expected values are large enough for a relation between them to mean anything."""
    return bool(expected.size) and float(np.max(np.abs(expected))) > 1e-9


def sign_flipped(
    analytic: ArrayLike, expected: ArrayLike, budget: ArrayLike | float = 0.0
) -> Finding | None:
    a, e = _arrays(analytic, expected)
    if not _significant(e):
        return None
    gap = agreement(a, -e, budget)
    if gap is None:
        return None
    return Finding(
        "sign-flipped",
        f"the values equal −1 × the expected ones {within(gap)} in {elements(a)}: the sign is "
        "flipped (A − y written y − A, or a gradient added instead of subtracted)",
        {"factor": -1.0, "agreement": gap},
    )


def _factor_names(
    learning_rate: float | None, n_outputs: int | None, batch: int | None = None
) -> list[tuple[float, str]]:
    names = [(2.0, "2"), (0.5, "1/2")]
    if learning_rate is not None:
        names += [
            (learning_rate, "the learning rate"),
            (1 / learning_rate, "1 / the learning rate"),
            (learning_rate**2, "the learning rate squared"),
        ]
    if n_outputs is not None and n_outputs > 1:
        names += [
            (float(n_outputs), "the number of outputs"),
            (1 / n_outputs, "1 / the number of outputs"),
            (2 / n_outputs, "2 / the number of outputs (mean squared error against half-SSE)"),
            (n_outputs / 2, "the number of outputs / 2 (half-SSE against mean squared error)"),
        ]
    if batch is not None and batch > 1:
        names += [(float(batch), "the batch size"), (1 / batch, "1 / the batch size")]
    return names


NOT_A_FACTOR = 1e-3
"""A factor this close to 1 is rounding, not a mistake: backprop's constant factors are 2, the learning
rate, the number of outputs or the batch size, never 1.00002."""


def scaled(
    analytic: ArrayLike,
    expected: ArrayLike,
    budget: ArrayLike | float = 0.0,
    *,
    learning_rate: float | None = None,
    n_outputs: int | None = None,
    batch: int | None = None,
) -> Finding | None:
    """The analytic values are one constant times the expected ones (a constant other than 1).

    The factor is named when it equals one of the constants backprop code gets wrong (2, the learning
    rate, the number of outputs, the batch size); every name it equals is given, and a cause only when
    the name is unique.  An unnamed factor is stated only where it means something: over at least three
    elements of a network with several outputs (with one output unit, any error in its one delta scales
    the whole gradient, so a factor says nothing of the cause).
    """
    a, e = _arrays(analytic, expected)
    if a.shape != e.shape or not _significant(e) or not _significant(a):
        return None
    factor = float(np.sum(a * e) / np.sum(e * e))
    if abs(factor - 1) < NOT_A_FACTOR or abs(factor) < 1e-12:
        return None
    gap = agreement(a, factor * e, np.asarray(budget, dtype=float) * abs(factor))
    if gap is None:
        return None
    if abs(factor + 1) < 1e-6:
        return sign_flipped(a, e, budget)
    # the factor is known as well as the expected values are: to their budget (float32's is ~1e-5)
    known = RELATIVE_TOLERANCE + float(np.max(budget, initial=0.0)) / float(np.max(np.abs(e)))
    matching = [
        (value, name)
        for value, name in _factor_names(learning_rate, n_outputs, batch)
        if abs(abs(factor) - value) <= known * value
    ]
    named = [name for _, name in matching]
    if not named and (a.size < 3 or not (n_outputs or 0) > 1):
        return None
    sign = "−" if factor < 0 else ""
    if named:
        what = f"{sign}{_number(matching[0][0])}"
        which = named[0] if len(named) == 1 else " and ".join(named)
        meaning = f": a constant factor, {which}" + (FACTOR_HINTS.get(named[0], "") if len(named) == 1 else
                                                      " (these are equal here, so the cause is ambiguous)")
    else:
        what, meaning = f"{factor:.6g}", ""
    return Finding(
        "scaled",
        f"the values equal {what} × the expected ones {within(gap)} in {elements(a)}{meaning}",
        {"factor": factor, "matches": named, "agreement": gap},
    )


def _number(value: float) -> str:
    """A factor as people write it: 2, 1/2, 0.1."""
    if value <= 0.5 and round(1 / value) <= 8 and abs(1 / value - round(1 / value)) < 1e-9:
        return f"1/{round(1 / value)}"
    return f"{value:.6g}"


FACTOR_HINTS = {
    "2": " (the ½ of ½‖A − y‖² dropped, a mean squared error with one output, or a step applied twice)",
    "1/2": " (a ½ too many, or an average over two terms that should be summed)",
    "the learning rate": " (the learning rate applied twice)",
    "1 / the learning rate": " (the learning rate left out of the step)",
    "the number of outputs": " (a gradient summed over the outputs where the loss averages them)",
    "1 / the number of outputs": " (a gradient averaged over the outputs where the loss sums them)",
    "the batch size": " (the batch summed where its mean is the loss)",
    "1 / the batch size": " (the batch averaged where its sum is the loss)",
}
"""What a named factor most often comes from, said after the evidence."""


def transposed(
    analytic: ArrayLike, expected: ArrayLike, budget: ArrayLike | float = 0.0
) -> Finding | None:
    a, e = _arrays(analytic, expected)
    if a.ndim != 2 or e.ndim != 2 or a.shape != e.T.shape or a.shape[0] == a.shape[1] == 1:
        return None
    if not _significant(e) or (a.shape == e.shape and agreement(a, e, budget) is not None):
        return None
    gap = agreement(a.T, e, np.asarray(budget).T if np.ndim(budget) == 2 else budget)
    if gap is None:
        return None
    return Finding(
        "transposed",
        f"the values equal the transpose of the expected ones {within(gap)} in {elements(a)}: "
        "a transposed product (δ·aᵀ instead of aᵀ·δ, or W instead of Wᵀ)",
        {"agreement": gap},
    )


def all_zero(analytic: ArrayLike, expected: ArrayLike, budget: ArrayLike | float = 0.0) -> Finding | None:
    """Every value is 0 where the expected ones are not: the array never moves (a step that rebinds a
    name instead of writing into the array, a gradient never written)."""
    a, e = _arrays(analytic, expected)
    if a.shape != e.shape or not _significant(e) or np.any(np.abs(a) > _tolerance(e, budget)):
        return None
    return Finding(
        "frozen",
        f"{'the only value is' if a.size == 1 else f'all {a.size} values are'} 0 where the largest expected "
        f"one is {float(np.max(np.abs(e))):.3g}: the array never moves (a step that rebinds a name, p = p − "
        "lr·g, instead of writing into the array, p -= lr·g; or a gradient never written)",
        {"values": int(a.size)},
    )


def frozen_lines(
    analytic: ArrayLike, expected: ArrayLike, budget: ArrayLike | float = 0.0
) -> Finding | None:
    """Everything agrees except whole rows or columns left at zero (never updated or never used)."""
    a, e = _arrays(analytic, expected)
    if a.ndim != 2 or a.shape != e.shape:
        return None
    tolerance = _tolerance(e, budget)
    wrong = np.abs(a - e) > tolerance
    if not wrong.any() or np.any(np.abs(a[wrong]) > tolerance):
        return None
    for axis, word in ((1, "row"), (0, "column")):
        lines = np.flatnonzero(wrong.any(axis=axis))
        zero_lines = np.all(np.abs(a) <= tolerance, axis=axis)
        if lines.size and np.all(zero_lines[lines]) and lines.size < a.shape[1 - axis]:
            other = ~np.isin(np.arange(a.shape[1 - axis]), lines)
            rest = np.take(a, np.flatnonzero(other), axis=1 - axis)
            rest_expected = np.take(e, np.flatnonzero(other), axis=1 - axis)
            gap = agreement(rest, rest_expected, budget if np.ndim(budget) == 0 else 0.0)
            if gap is None:
                continue
            names = ", ".join(str(int(i)) for i in lines)
            plural = "s" if lines.size > 1 else ""
            hint = (
                "the bias row (the constant-1 input) is left out"
                if word == "row" and list(lines) == [0]
                else (
                    f"those {word}s of the weight never move"
                    if plural
                    else f"that {word} of the weight never moves"
                )
            )
            verb = "stay" if plural else "stays"
            return Finding(
                "frozen",
                f"{word}{plural} {names} {verb} at 0 where the expected values are not, and every other "
                f"{word} agrees {within(gap)}: {hint}",
                {word + "s": [int(i) for i in lines], "agreement": gap},
            )
    return None


def clipped(analytic: ArrayLike, expected: ArrayLike, budget: ArrayLike | float = 0.0) -> Finding | None:
    """Every element agrees where |expected| is below some c, and is ±c (with the expected sign) where it
    is above: the gradient clipped element by element to [−c, c] (a tutorial's clipvalue)."""
    a, e = _arrays(analytic, expected)
    if a.shape != e.shape or not _significant(e):
        return None
    c = float(np.max(np.abs(a)))
    over = np.abs(e) > c * (1 + 1e-9)
    if not over.any() or c <= 0 or int((~over).sum()) < 2:
        return None  # evidence of a clip needs values that agree below it as well as values cut at it
    gap = agreement(a, np.clip(e, -c, c), budget)
    if gap is None:
        return None
    return Finding(
        "not-sgd-step",
        f"the values equal the expected ones clipped to [−{c:.6g}, {c:.6g}] {within(gap)} in {elements(a)} "
        f"({int(over.sum())} of them beyond ±{c:.6g}): the gradient is clipped element by element, so the "
        "step is not learning rate × the loss's gradient",
        {"clip": c, "clipped": int(over.sum()), "agreement": gap},
    )


SIGN_TOLERANCE = 1e-3
"""How closely a step must equal c·sign(∇L) to be stated as one: Adam's first step is g/(|g| + ε), which
is sign(g) only to ε/|g|."""


def sign_of(analytic: ArrayLike, expected: ArrayLike) -> Finding | None:
    """Every element is the same size c with the expected element's sign, while the expected ones vary
    in size: the step follows sign(∇L) (Adam's or RMSprop's first step, signSGD), not ∇L."""
    a, e = _arrays(analytic, expected)
    moving = np.abs(e) > 1e-12 * float(np.max(np.abs(e), initial=0.0))
    if a.shape != e.shape or int(moving.sum()) < 3 or not _significant(e):
        return None
    sizes = np.abs(e[moving])
    if float(np.max(sizes)) < 2 * float(np.min(sizes)):
        return None  # gradients of one size: a sign and a factor cannot be told apart
    c = float(np.median(np.abs(a[moving])))
    gap = float(np.max(np.abs(a[moving] - c * np.sign(e[moving]))))
    if c <= 0 or gap > SIGN_TOLERANCE * c:
        return None
    return Finding(
        "not-sgd-step",
        f"the values equal {c:.6g} × sign(expected) to {gap / c:.0e} of their size in all "
        f"{int(moving.sum())} elements that move, while the expected ones differ in size by up to "
        f"{float(np.max(sizes) / np.min(sizes)):.3g}×: the step follows the gradient's sign (Adam's or "
        "RMSprop's first step, signSGD), not the gradient",
        {"size": c, "agreement": gap},
    )


def dz_is_fprime_of_a(
    dz: ArrayLike, a: ArrayLike, fprime: Callable[[NDArray], NDArray]
) -> Finding | None:
    """dZ equals f'(A): the article's warned mistake."""
    dz_arr = np.asarray(dz, dtype=float)
    expected = np.asarray(fprime(np.asarray(a, dtype=float)), dtype=float)
    gap = agreement(dz_arr, expected)
    if gap is None:
        return None
    return Finding(
        "fprime-of-output",
        f"dZ equals f'(A) {within(gap)} in {elements(dz_arr)}: the derivative was taken at the layer's "
        "output A = f(z) instead of at z; use activation_prime(z) in forward",
        {"agreement": gap},
    )


def delta_uses_fprime_of_a(
    delta: ArrayLike, expected: ArrayLike, fprime_z: ArrayLike, fprime_a: ArrayLike
) -> Finding | None:
    """The delta is the expected one with f'(z) replaced by f'(A)."""
    d, e = _arrays(delta, expected)
    fz, fa = _arrays(fprime_z, fprime_a)
    usable = np.abs(fz) > 1e-12
    if not _significant(e) or d.shape != e.shape or not usable.all() or agreement(fz, fa) is not None:
        return None
    gap = agreement(d, e / fz * fa)
    if gap is None:
        return None
    return Finding(
        "fprime-of-output",
        f"the delta equals (∂L/∂z ÷ f'(z)) × f'(A) {within(gap)} in {elements(d)}: f'(A) is used where "
        "f'(z) belongs",
        {"agreement": gap},
    )


def missing_fprime(
    delta: ArrayLike, expected: ArrayLike, dl_da: ArrayLike, budget: ArrayLike | float = 0.0
) -> Finding | None:
    """The delta is ∂L/∂A, the layer's error before the factor f'(z) that turns it into ∂L/∂z."""
    d, e = _arrays(delta, expected)
    g = np.asarray(dl_da, dtype=float)
    if d.shape != g.shape or not _significant(g) or agreement(g, e, budget) is not None:
        return None
    gap = agreement(d, g)
    if gap is None:
        return None
    return Finding(
        "missing-fprime",
        f"the delta equals ∂L/∂A {within(gap)} in {elements(d)}: the factor f'(z) (dZ) that turns it into "
        "∂L/∂z is missing",
        {"agreement": gap},
    )


def extra_fprime(delta: ArrayLike, expected: ArrayLike, fprime_z: ArrayLike) -> Finding | None:
    """The delta carries f'(z) twice (or f'(z) where the loss already absorbed it)."""
    d, e = _arrays(delta, expected)
    fz = np.asarray(fprime_z, dtype=float)
    if not _significant(e) or d.shape != e.shape or agreement(fz, np.ones_like(fz)) is not None:
        return None
    gap = agreement(d, e * fz)
    if gap is None:
        return None
    return Finding(
        "extra-fprime",
        f"the delta equals ∂L/∂z × f'(z) {within(gap)} in {elements(d)}: an extra factor f'(z) "
        "(for cross-entropy on sigmoid outputs the output delta is A − y, without f'(z))",
        {"agreement": gap},
    )


def summed_error(
    delta: ArrayLike,
    expected: ArrayLike,
    dl_da: ArrayLike,
    fprime_z: ArrayLike,
    budget: ArrayLike | float = 0.0,
) -> Finding | None:
    """The output delta is (∂L/∂A summed over the outputs) × f'(z): one error shared by every unit."""
    d, e = _arrays(delta, expected)
    g, fz = _arrays(dl_da, fprime_z)
    if d.size < 2 or not (d.shape == e.shape == g.shape == fz.shape) or not _significant(e):
        return None
    summed = np.sum(g) * fz
    if agreement(summed, e, budget) is not None:
        return None  # here the sum is also right: no evidence
    gap = agreement(d, summed)
    if gap is None:
        return None
    return Finding(
        "summed-outputs",
        f"the output delta equals (∂L/∂A summed over the outputs) × f'(z) {within(gap)} in all {d.size} "
        "units: the outputs' errors are added into one error that every unit shares; each unit needs its "
        "own ∂L/∂A (A − y for half-SSE), without a sum",
        {"agreement": gap, "units": int(d.size)},
    )


def reshaped_weights(
    delta: ArrayLike, expected: ArrayLike, given: ArrayLike, right_weight: ArrayLike, fprime_z: ArrayLike
) -> Finding | None:
    """The hidden delta went through the right layer's W reshaped to Wᵀ's shape (or W itself), not Wᵀ."""
    d, e = _arrays(delta, expected)
    g, w = _arrays(given, right_weight)
    fz = np.asarray(fprime_z, dtype=float)
    if w.ndim != 2 or 1 in w.shape or g.shape != (w.shape[1],) or d.shape != fz.shape != (w.shape[0],):
        return None
    candidate = (g @ w.reshape(w.shape[1], w.shape[0])) * fz
    if d.shape != candidate.shape or not _significant(e) or agreement(candidate, e) is not None:
        return None
    gap = agreement(d, candidate)
    if gap is None:
        return None
    if w.shape[0] == w.shape[1]:
        sentence = (
            f"the delta equals (δ_right · W) × f'(z), with the right layer's W where its transpose belongs, "
            f"{within(gap)} in {elements(d)}: use W.T"
        )
    else:
        sentence = (
            f"the delta equals (δ_right · W′) × f'(z), with W′ the right layer's W reshaped to "
            f"{w.shape[1]} × {w.shape[0]} instead of transposed, {within(gap)} in {elements(d)}: a reshape "
            "keeps the elements' order and a transpose does not; use W.T"
        )
    return Finding("transposed", sentence, {"agreement": gap, "reshaped": w.shape[0] != w.shape[1]})


def drifts_from_zero(analytic: ArrayLike, expected: ArrayLike, z: ArrayLike) -> Finding | None:
    """The values are closest to the expected ones near z = 0 and drift further as |z| grows.

    What an approximation valid only near 0 gives (a series cut after a few terms); stated only when
    the relative error grows at every larger |z|, over at least three |z|, by a factor of 100 or more.
    """
    a, e = _arrays(analytic, expected)
    magnitude = np.abs(np.asarray(z, dtype=float))
    if a.shape != e.shape or a.shape != magnitude.shape or not np.all(e != 0):
        return None
    error = np.abs(a - e) / np.abs(e)
    levels = np.unique(magnitude)
    worst = np.array([error[magnitude == level].max() for level in levels])
    if levels.size < 3 or not np.all(np.diff(worst) > 0) or worst[-1] < 100 * max(worst[0], 1e-300):
        return None
    numbers = ", ".join(f"{w:.2g} at |z| = {level:g}" for level, w in zip(levels, worst, strict=True))
    return Finding(
        "wrong-derivative",
        f"the values are closest to the expected ones near z = 0 and drift away as |z| grows (relative error "
        f"{numbers}): an approximation that holds only near 0, such as a series cut after a few terms",
        {"formula": "an approximation near 0", "errors": [float(w) for w in worst],
         "at": [float(level) for level in levels]},
    )


def needs_size(kind: str, smaller: Sequence[int], described: str, tried: int) -> Finding:
    """What trying the failing check on a smaller network showed: it passed there every time.

    Only that is stated: a rare failure may still exist on the smaller network.
    """
    return Finding(
        "needs-size",
        f"the bug shows with {kind} and was not seen with {described}: on {list(smaller)} all {tried} "
        "cases tried (this activation and learning rate, weights of both scales) passed",
        {"needs": kind, "smaller": list(smaller), "tried": tried},
    )


def diagnose(
    analytic: ArrayLike,
    expected: ArrayLike,
    budget: ArrayLike | float = 0.0,
    *,
    learning_rate: float | None = None,
    n_outputs: int | None = None,
    batch: int | None = None,
    step: bool = False,
) -> Finding | None:
    """The first recognised generic relation between analytic and expected values, or None; for a step
    (`step`: the move of an update, ÷ its learning rate), a clipped gradient too."""
    a, e = _arrays(analytic, expected)
    if a.shape != e.shape:
        return transposed(a, e, budget)
    return (
        all_zero(a, e, budget)
        or sign_flipped(a, e, budget)
        or scaled(a, e, budget, learning_rate=learning_rate, n_outputs=n_outputs, batch=batch)
        or transposed(a, e, budget)
        or frozen_lines(a, e, budget)
        or (clipped(a, e, budget) if step else None)
        or (sign_of(a, e) if step else None)
    )
