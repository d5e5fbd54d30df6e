"""Why a layer's gradient is wrong, as measured evidence: the wrong gradient equals what a known
mistake gives, to a stated precision, or nothing is said.

Two sources of candidates: the kind's reference maths with a plausible mistake in it (the kernel
unflipped, the windows at stride 1, the padded gradient cropped elsewhere, batch-norm without its
mean term...), matched to the layer's own dtype precision; and the numerical gradient itself
transposed, reshaped or scaled, matched within the engine's budgets.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from ..findings import Finding
from ..numerical import Estimate, compare
from ..numerical.steps import machine_epsilon
from .checks import CaseData, Verdict
from .kinds import axis_sums, batchnorm_backward, batchnorm_xhat, conv_backward, pool_maxima
from .styles import BN_EPS, LEARNING_RATES

Candidate = tuple[str, str, NDArray, dict]
"""(finding kind, what the gradient equals in words, that array, parameters)."""


def tolerance(dtype: np.dtype) -> float:
    """How closely a wrong gradient must equal a mistake's to be called that mistake: rounding only."""
    return max(1e-10, 1000 * machine_epsilon(dtype))


def agreement(analytic: NDArray, candidate: NDArray, floor: float = 0.0) -> float | None:
    """max |a − c| / max(max |c|, floor) when the shapes agree (and that scale is not 0), else None."""
    a = np.asarray(analytic, dtype=float)
    c = np.asarray(candidate, dtype=float)
    if a.shape != c.shape:
        if a.size != c.size or np.squeeze(a).shape != np.squeeze(c).shape:
            return None
        a = a.reshape(c.shape)
    scale = max(float(np.max(np.abs(c))) if c.size else 0.0, floor)
    if scale == 0 or not np.all(np.isfinite(a)):
        return None
    return float(np.max(np.abs(a - c))) / scale


def diagnose(verdict: Verdict, kind: str, style: str) -> list[Finding]:
    """The findings a failing gradient verdict supports (most specific first); [] when none is measured."""
    data, name, estimate = verdict.data, verdict.gradient, verdict.estimate
    if data is None or not verdict.analytic or not name:
        return []
    rate = next(reversed(verdict.analytic))
    analytic = np.asarray(verdict.analytic[rate])
    label = "d" + name
    if style == "medium" and rate is not None:
        found = medium_findings(verdict, label)
        if found:
            return found
    if estimate is None:
        return []
    limit = tolerance(analytic.dtype if analytic.dtype.kind == "f" else np.dtype(float))
    if rate is not None and name != "x":  # read from an update: rounding of eps·|p| / rate
        limit *= 10 / rate
    for finding_kind, words, candidate, params in candidates(kind, name, data):
        size = float(np.max(np.abs(estimate.value))) if estimate.value.size else 0.0
        rel = agreement(analytic, candidate, size)
        right = agreement(candidate, estimate.value, size)
        if rel is not None and rel <= limit and (right is None or right > 1e-6):
            what, _, why = words.partition(": ")
            sentence = f"{label} equals {what} to {_precision(rel)}" + (f": {why}" if why else "")
            return [Finding(finding_kind, sentence, {"gradient": label, "agreement": rel, **params})]
    if kind == "conv" and name == "x" and data.case.dims["pad"] == 0 and analytic.size == 0:
        return [
            Finding(
                "padding-wrong",
                f"dx has shape {analytic.shape} at pad 0: the padded gradient cropped as "
                "[pad:-pad] keeps nothing when pad is 0 (crop [pad:pad + H] instead)",
                {"gradient": "dx", "pad": 0},
            )
        ]
    if kind == "max-pool" and name == "x":
        stray = stray_routing(analytic, data)
        if stray is not None:
            return [stray]
    return generic_findings(analytic, estimate, label, data)


def _precision(rel: float) -> str:
    return "the last bit" if rel == 0 else f"{rel:.0e}"


def generic_findings(analytic: NDArray, estimate: Estimate, label: str, data: CaseData) -> list[Finding]:
    """Transposed, reshaped or scaled versions of the numerical gradient, within its budgets."""
    name = label[1:]
    if analytic.dtype.kind not in "biuf":
        return []
    target = estimate.shape
    if analytic.shape != target:
        if analytic.ndim == 2 and analytic.T.shape == target and compare(analytic.T, estimate).passed:
            return [
                Finding(
                    "transposed",
                    f"{label} has shape {analytic.shape} where {name} has {target}, and "
                    "its transpose matches the numerical gradient within the budget: it is transposed",
                    {"gradient": label},
                )
            ]
        if analytic.size == estimate.value.size and compare(analytic.reshape(target), estimate).passed:
            return [
                Finding(
                    "wrong-shape",
                    f"{label} has shape {analytic.shape} where {name} has {target}; "
                    f"reshaped to {target} it matches the numerical gradient within the budget: "
                    "the reshape back to the argument's shape is missing",
                    {"gradient": label, "shape": list(analytic.shape)},
                )
            ]
        return []
    if analytic.ndim == 2 and analytic.shape[0] == analytic.shape[1] and analytic.shape[0] > 1:
        if compare(analytic.T, estimate).passed:
            return [
                Finding(
                    "transposed",
                    f"{label}'s transpose matches the numerical gradient within the budget: it is transposed",
                    {"gradient": label},
                )
            ]
    value = estimate.value
    norm = float(np.sum(value * value))
    if norm == 0:
        return []
    a = analytic.astype(float)
    factor = float(np.sum(a * value)) / norm
    if not np.isfinite(factor) or factor == 0 or abs(factor - 1) < 1e-6:
        return []
    if not compare(a / factor, replace(estimate, budget=estimate.budget)).passed:
        return []
    named = factor_name(factor, data)
    kind = "sign-flipped" if abs(factor + 1) < 1e-6 else "scaled"
    sentence = f"{label} is {factor:.6g} × the numerical gradient in every element (within the budget)" + (
        f": {named}" if named else ""
    )
    return [Finding(kind, sentence, {"gradient": label, "factor": factor, "batch": data.x.shape[0]})]


def factor_name(factor: float, data: CaseData) -> str:
    """What a constant factor is, when it is a number the layer knows: the batch size, the outputs, 2."""
    batch = data.x.shape[0]
    width = int(np.prod(data.x.shape[1:])) if data.x.ndim > 1 else 1
    names = [
        (batch, f"{batch} is the batch size"),
        (1 / batch, f"1/{batch}, the batch size {batch} inverted"),
        (width, f"{width} is the number of values per sample"),
        (1 / width, f"1/{width}, the number of values per sample inverted"),
        (2.0, "a factor 2 (the derivative of a square taken twice, or ½ missing)"),
        (0.5, "a factor ½"),
        (-1.0, "its sign is flipped"),
    ]
    matching = [words for value, words in names if value != 1 and abs(factor - value) <= 1e-6 * abs(value)]
    return ", or ".join(dict.fromkeys(matching))


def medium_findings(verdict: Verdict, label: str) -> list[Finding]:
    """Stale weights (the input error computed after the update) and updates that do not follow the
    learning rate, from the two learning rates the layer was stepped with."""
    data = verdict.data
    assert data is not None
    r1, r2 = LEARNING_RATES
    if label == "dx" and "W" in data.params and data.upstream is not None:
        matches = []
        for rate in (r1, r2):
            read = verdict.read[rate].get("W")
            if read is None or read.shape != data.params["W"].shape:
                return []
            updated = data.params["W"].astype(float) - rate * read.astype(float)
            rel = agreement(verdict.analytic[rate], data.upstream.astype(float) @ updated.T)
            matches.append(rel)
        if all(m is not None and m <= tolerance(data.x.dtype) for m in matches):
            worst = max(m for m in matches if m is not None)
            return [
                Finding(
                    "stale-weights",
                    f"dx at learning rates {r1:g} and {r2:g} equals "
                    f"output_error·(W − learning rate·ΔW)ᵀ to {_precision(worst)}: the input error "
                    "is computed with the weights already updated",
                    {"gradient": "dx", "learning_rates": [r1, r2]},
                )
            ]
        return []
    first, second = verdict.analytic.get(r1), verdict.analytic.get(r2)
    if first is None or second is None or first.shape != second.shape:
        return []
    step1, step2 = r1 * first.astype(float), r2 * second.astype(float)
    if np.allclose(first, second, rtol=1e-6, atol=1e-12):
        return []
    rel = agreement(step1, step2)
    if rel is not None and rel <= tolerance(first.dtype) * 10 / r1:
        return [
            Finding(
                "learning-rate-ignored",
                f"the update of {label[1:]} is the same at learning rates "
                f"{r1:g} and {r2:g} (to {_precision(rel)}): the learning rate is ignored",
                {"gradient": label, "learning_rates": [r1, r2]},
            )
        ]
    return []


def candidates(kind: str, name: str, data: CaseData) -> Iterator[Candidate]:
    """What the gradient would be under each plausible mistake of this kind (reference maths)."""
    if data.upstream is None:
        return
    g = data.upstream.astype(float)
    x = data.x.astype(float)
    if kind == "dense":
        w = data.params["W"].astype(float)
        if name == "x" and g.shape[1] == w.shape[0] and x.ndim == 2:
            yield "transposed", "dout·W (W where Wᵀ belongs)", g @ w, {}
        if name == "b":
            yield from _wrong_axes(g, (0,), "dout")
    elif kind == "conv":
        yield from _conv(name, g, x, data)
    elif kind == "max-pool" and name == "x":
        yield from _pool(g, x, data)
    elif kind == "batch-norm":
        gamma = data.params["gamma"].astype(float)
        if name == "x":
            yield (
                "mean-term-missing",
                "the gradient without the term through the batch mean: the mean's dependence on x is missing",
                batchnorm_backward(g, x, gamma, BN_EPS, mean_term=False),
                {},
            )
            yield (
                "mean-term-missing",
                "dout·γ/σ, without the terms through the batch mean and variance",
                batchnorm_backward(g, x, gamma, BN_EPS, mean_term=False, variance_term=False),
                {},
            )
            yield (
                "variance-mismatch",
                "the gradient computed with the variance over N − 1: forward "
                "normalises with the variance over N",
                batchnorm_backward(g, x, gamma, BN_EPS, ddof=1),
                {},
            )
        if name == "gamma":
            yield from _wrong_axes(g * batchnorm_xhat(x, BN_EPS), (0,), "dout·x̂")
        if name == "beta":
            yield from _wrong_axes(g, (0,), "dout")
    elif kind == "dropout" and name == "x":
        out = data.out.astype(float)
        mask = np.divide(out, x, out=np.zeros(x.shape), where=x != 0)
        kept = mask != 0
        if kept.any():
            scale = float(np.max(mask[kept]))
            yield (
                "mask-not-rescaled",
                f"dout·mask without the rescaling: forward multiplied the kept values by 1/p = {scale:.6g}",
                g * kept,
                {"rescale": scale},
            )
    elif kind == "relu" and name == "x":
        yield "wrong-derivative", "dout zeroed where dout ≤ 0 instead of where x ≤ 0", g * (g > 0), {}
        yield "wrong-derivative", "dout itself: relu's derivative is missing", g, {}
        yield (
            "wrong-derivative",
            "dout·relu(x): the output in place of the derivative",
            g * np.maximum(x, 0),
            {},
        )
    elif kind == "sigmoid" and name == "x":
        s = 1 / (1 + np.exp(-x))
        yield (
            "wrong-derivative",
            "dout·x·(1 − x): σ′ written for the output σ(x) but given the input x",
            g * x * (1 - x),
            {},
        )
        yield "wrong-derivative", "dout·σ(x): the function in place of its derivative", g * s, {}
    elif kind == "tanh" and name == "x":
        yield (
            "wrong-derivative",
            "dout·(1 − x²): tanh′ written for the output tanh(x) but given the input x",
            g * (1 - x * x),
            {},
        )
        yield "wrong-derivative", "dout·(1 − tanh(x)): the square is missing", g * (1 - np.tanh(x)), {}
    elif kind == "softmax" and name == "x":
        s = data.out.astype(float)
        yield (
            "wrong-derivative",
            "dout·s·(1 − s): only the diagonal of softmax's Jacobian",
            g * s * (1 - s),
            {},
        )


def _wrong_axes(values: NDArray, right: tuple[int, ...], words: str) -> Iterator[Candidate]:
    for axes, summed in axis_sums(values):
        if axes != right:
            yield (
                "wrong-axis",
                f"{words} summed over axis {_axes(axes)} instead of axis {_axes(right)}",
                summed,
                {"axis": list(axes)},
            )


def _axes(axes: tuple[int, ...]) -> str:
    return str(axes[0]) if len(axes) == 1 else "(" + ", ".join(str(a) for a in axes) + ")"


def _conv(name: str, g: NDArray, x: NDArray, data: CaseData) -> Iterator[Candidate]:
    w = data.params["w"].astype(float)
    stride, pad = data.case.dims["stride"], data.case.dims["pad"]
    if name == "b":
        yield from _wrong_axes(g, (0, 2, 3), "dout")
        return
    index = 0 if name == "x" else 1
    if name == "x":
        yield (
            "kernel-not-flipped",
            "the gradient computed with the kernel rotated by 180°: the kernel is "
            "flipped where the windowed sum uses it as it is",
            conv_backward(g, x, w, stride, pad, flip=True)[0],
            {},
        )
    else:
        yield (
            "kernel-not-flipped",
            "the right gradient rotated by 180°: the kernel's gradient is flipped",
            conv_backward(g, x, w, stride, pad)[1][:, :, ::-1, ::-1],
            {},
        )
    if stride > 1:
        yield (
            "stride-ignored",
            f"the gradient with its windows placed at stride 1: the stride {stride} is ignored in backward",
            conv_backward(g, x, w, stride, pad, window_stride=1)[index],
            {"stride": stride},
        )
    if name == "x":
        for top in range(2 * pad + 1):
            for left in range(2 * pad + 1):
                if (top, left) != (pad, pad):
                    yield (
                        "padding-wrong",
                        f"the padded gradient cropped at offset ({top}, {left}): the padding "
                        f"of {pad} is removed from the wrong place",
                        conv_backward(g, x, w, stride, pad, crop=(top, left))[0],
                        {"pad": pad, "offset": [top, left]},
                    )


def _pool(g: NDArray, x: NDArray, data: CaseData) -> Iterator[Candidate]:
    """Routing to the last maximum in overlapping windows by assignment (= instead of +=), and every
    tied maximum given the window's whole gradient."""
    dims = data.case.dims
    s, ph, pw = dims["stride"], dims["pool_height"], dims["pool_width"]
    assigned = np.zeros(x.shape)
    each = np.zeros(x.shape)
    for n, c, i, j, maxima in pool_maxima(x, ph, pw, s):
        first = np.unravel_index(int(np.argmax(maxima)), maxima.shape)
        assigned[n, c, i * s + first[0], j * s + first[1]] = g[n, c, i, j]
        each[n, c, i * s : i * s + ph, j * s : j * s + pw] += maxima * g[n, c, i, j]
    if s < ph or s < pw:
        yield (
            "pool-routing",
            "the gradients of overlapping windows assigned rather than added: "
            "where windows overlap only the last one's gradient is kept (= instead of +=)",
            assigned,
            {},
        )
    if dims["ties"]:
        yield (
            "pool-routing",
            "dout given in full to every tied maximum of each window: a window's "
            "gradient must be shared among its maxima (or go to one of them)",
            each,
            {},
        )


def stray_routing(analytic: NDArray, data: CaseData) -> Finding | None:
    """A max-pool gradient nonzero where no window has its maximum."""
    dims = data.case.dims
    s, ph, pw = dims["stride"], dims["pool_height"], dims["pool_width"]
    x = data.x.astype(float)
    allowed = np.zeros(x.shape, bool)
    for n, c, i, j, maxima in pool_maxima(x, ph, pw, s):
        allowed[n, c, i * s : i * s + ph, j * s : j * s + pw] |= maxima
    a = np.asarray(analytic, dtype=float)
    if a.shape != x.shape:
        return None
    stray = (np.abs(a) > 0) & ~allowed
    if stray.any():
        where = tuple(int(i) for i in np.argwhere(stray)[0])
        return Finding(
            "pool-routing",
            f"dx is nonzero at {int(stray.sum())} position(s) that are the maximum of "
            f"no window (the first at {list(where)}): the gradient is routed to the wrong input",
            {"gradient": "dx", "positions": int(stray.sum())},
        )
    if data.upstream is None:
        return None
    g = data.upstream.astype(float)
    lost = [
        (n, c, i, j)
        for n, c, i, j, maxima in pool_maxima(x, ph, pw, s)
        if g[n, c, i, j] != 0 and not np.any(a[n, c, i * s : i * s + ph, j * s : j * s + pw] * maxima)
    ]
    if not lost:
        return None
    return Finding(
        "pool-routing",
        f"in {len(lost)} window(s) (the first at {list(lost[0])}) no gradient reaches "
        "the window's maximum though its dout is not 0: the gradient is routed to the wrong input",
        {"gradient": "dx", "windows": len(lost)},
    )


__all__ = ["diagnose", "stray_routing"]
