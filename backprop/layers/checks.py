"""The checks of one layer: each gradient against finite differences of ⟨output, G⟩, and the arguments
left as they were given.

A case draws the arrays from its seed: the input (with exact zeros for relu, ties for max-pool when
the case asks), the parameters, and a random upstream gradient G shaped like the output.  Every
gradient is the engine's `parameter_gradient_estimates` of ⟨forward(x, params), G⟩ with respect to
the live array, judged by `compare` with its per-element budgets (the layer's dtype sets the
precision, kinks give any one-sided value between the two slopes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..findings import Finding
from ..numerical import (
    DEFAULT_SAFETY,
    Comparison,
    Estimate,
    central_difference,
    compare,
    parameter_gradient_estimates,
)
from ..numerical.budget import NOT_FINITE, rounding_error
from ..numerical.comparison import relative_error
from ..numerical.steps import machine_epsilon
from .kinds import get_kind, output_terms, softmax
from .shapes import LayerCase
from .styles import LEARNING_RATES, Adapter, SubjectError, error_sentence, user_frame

UPSTREAM_ROLES = ("dvalues", "output_error", "dout")


def check_ids(kind_name: str) -> list[str]:
    """The checks of a kind, in order: dx, then each parameter's gradient, then `untouched`."""
    kind = get_kind(kind_name)
    return ["dx", *("d" + p for p in kind.params), "untouched"]


@dataclass
class CaseData:
    """The arrays of one case, all plain numpy."""

    case: LayerCase
    x: NDArray
    y: NDArray | None
    params: dict[str, NDArray]
    upstream: NDArray | None
    out: NDArray

    @property
    def inputs(self) -> dict[str, NDArray]:
        return {"x": self.x} if self.y is None else {"x": self.x, "y": self.y}


@dataclass
class Verdict:
    """What one case showed for one check."""

    failing: bool
    summary: str = ""
    where: str = ""
    details: str = ""
    rel_error: float | None = None
    findings: list[Finding] = field(default_factory=list)
    data: CaseData | None = None
    gradient: str = ""
    analytic: dict[float | None, NDArray] = field(default_factory=dict)
    """The gradient the layer gave, by learning rate (None for layers that do not update)."""
    read: dict[float | None, dict[str, NDArray]] = field(default_factory=dict)
    estimate: Estimate | None = None


def draw_input(kind: str, dims: dict[str, Any], rng: np.random.Generator) -> tuple[NDArray, NDArray | None]:
    n = dims["batch"]
    if kind == "conv" or kind == "max-pool":
        shape: tuple[int, ...] = (n, dims["channels"], dims["height"], dims["width"])
    elif "n_classes" in dims:
        shape = (n, dims["n_classes"])
    else:
        shape = (n, *dims.get("input_shape", (dims.get("n_inputs") or dims["n_features"],)))
    y = None
    if kind == "max-pool":
        if dims["ties"]:
            x = rng.integers(0, 3, size=shape).astype(float)
        else:  # distinct values, far apart against the step, so every window has one maximum
            x = (rng.permutation(int(np.prod(shape))).reshape(shape) - np.prod(shape) / 2) * 0.25
        return x, None
    x = rng.normal(size=shape)
    if kind == "batch-norm":
        x = 1.5 * x + 0.5
    if kind == "cross-entropy":
        x = softmax(x)
    if kind in ("softmax-ce", "cross-entropy", "svm"):
        y = rng.integers(0, shape[1], size=n)
    if kind == "mse":
        y = rng.normal(size=shape)
    if dims.get("at_zero"):
        x[rng.random(shape) < 0.4] = 0.0
    return x, y


def draw_parameter(name: str, shape: tuple[int, ...], rng: np.random.Generator) -> NDArray:
    if name == "gamma":
        return rng.uniform(0.5, 1.5, size=shape)
    return rng.normal(size=shape)


def draw(adapter: Adapter, case: LayerCase) -> CaseData:
    """Build the layer for the case's shapes and draw its arrays (in the layer's own dtype)."""
    adapter.construct(case.dims)
    shapes = adapter.parameters()
    rng = np.random.default_rng(case.seed)
    dtypes = {p.dtype for p in shapes.values() if p.dtype.kind == "f"}
    dtype = np.float32 if np.dtype(np.float32) in dtypes else np.float64
    params = {
        name: draw_parameter(name, p.shape, rng).astype(p.dtype if p.dtype.kind == "f" else dtype)
        for name, p in shapes.items()
    }
    x, y = draw_input(case.kind, case.dims, rng)
    x = x.astype(dtype)
    data = CaseData(case, x, y, params, None, np.zeros(0))
    data.out = np.asarray(adapter.forward(data.inputs, params))
    if not get_kind(case.kind).loss:
        data.upstream = rng.normal(size=data.out.shape).astype(dtype)
    return data


def _pairing(data: CaseData) -> Callable[[NDArray], float]:
    """⟨output, G⟩ (the loss itself for a loss layer)."""
    if data.upstream is None:
        return lambda out: float(np.asarray(out, dtype=float).reshape(()))
    upstream = data.upstream.astype(float)

    def pair(out: NDArray) -> float:
        out = np.asarray(out, dtype=float)
        if out.shape != upstream.shape:
            raise SubjectError(f"forward's output changed shape from {upstream.shape} to {out.shape}")
        return float(np.sum(out * upstream))

    return pair


def numerical_gradient(adapter: Adapter, data: CaseData, name: str) -> Estimate:
    """The engine's estimate of ∂⟨forward, G⟩/∂name, perturbing a live copy of that array."""
    x = np.array(data.x, copy=True)
    params = {k: np.array(v, copy=True) for k, v in data.params.items()}
    inputs = {"x": x} if data.y is None else {"x": x, "y": data.y}
    pair = _pairing(data)
    live = x if name == "x" else params[name]
    estimate = parameter_gradient_estimates(lambda: pair(adapter.forward(inputs, params)), [live])[0]
    return with_term_rounding(estimate, data, adapter.kind.name)


def with_term_rounding(estimate: Estimate, data: CaseData, kind: str) -> Estimate:
    """The estimate with the rounding of ⟨output, G⟩'s terms in its budget, not only of its value.

    The engine prices a function's rounding by the size of its values; ⟨output, G⟩ can cancel to
    far below the terms it is summed from (a batch-norm output of 2 rows is ±γ to within 1e-5), and
    its rounding follows the terms (rounding_error's formula, with their size).
    """
    if data.upstream is None or estimate.step is None:
        return estimate
    terms = output_terms(kind, data.x.astype(float), {k: v.astype(float) for k, v in data.params.items()},
                         data.out)
    size = float(np.sum(np.abs(data.upstream.astype(float)) * terms))
    eps = max(machine_epsilon(data.out.dtype), machine_epsilon(np.float64))
    extra = rounding_error(np.full(estimate.shape, size), np.abs(estimate.step), eps)
    return replace(estimate, budget=np.maximum(estimate.budget, extra))


def judge(check_id: str, adapter: Adapter, case: LayerCase) -> Verdict:
    """One check on one case.  The layer raising, or giving the wrong thing, is a failing verdict."""
    phase = "building the layer or its forward"
    try:
        data = draw(adapter, case)
        phase = "forward or backward"
        if check_id == "untouched":
            return judge_untouched(adapter, data)
        return judge_gradient(check_id[1:], adapter, data)
    except SubjectError as error:
        return Verdict(True, str(error).rstrip(".") + ".")
    except Exception as error:
        if str(error) == NOT_FINITE:
            return Verdict(
                True, "the layer's output is not finite (NaN or inf) within a step of the case's arrays."
            )
        if not user_frame(error):  # a fault of the judge, not of the layer: the check errors
            raise
        return Verdict(True, f"{phase} raised {error_sentence(error)}.")


def judge_untouched(adapter: Adapter, data: CaseData) -> Verdict:
    adapter.forward(data.inputs, data.params)
    adapter.backward(data.upstream)
    changed = adapter.changed_arguments()
    if not changed:
        return Verdict(False, data=data)
    name, count, total = changed[0]
    role = "the upstream gradient" if name in UPSTREAM_ROLES else "an argument"
    sentence = (
        f"the layer wrote into {role} it was given ({name}): {count} of {total} values differ afterwards"
    )
    finding = Finding("in-place", sentence, {"argument": name, "changed": count, "total": total})
    names = " and ".join(n for n, _, _ in changed)
    summary = f"Forward or backward changed {names}, given to the layer, instead of leaving it as it was."
    return Verdict(True, summary, name, findings=[finding], data=data)


def gradients(adapter: Adapter, data: CaseData, rate: float | None) -> dict[str, NDArray]:
    adapter.forward(data.inputs, data.params)
    return adapter.backward(data.upstream, rate)


def judge_gradient(name: str, adapter: Adapter, data: CaseData) -> Verdict:
    updates = adapter.style == "medium" and bool(adapter.kind.params)
    rates: tuple[float | None, ...] = LEARNING_RATES if updates else (None,)
    verdict = Verdict(False, data=data, gradient=name)
    for rate in rates:
        grads = gradients(adapter, data, rate)
        verdict.read[rate] = grads
        if name not in grads:
            return _fail(verdict, f"backward gave no gradient for {name}.")
        verdict.analytic[rate] = np.asarray(grads[name])
    estimate = numerical_gradient(adapter, data, name)
    verdict.estimate = estimate
    label = "d" + name
    for rate in rates:
        analytic = verdict.analytic[rate]
        judged = estimate
        if rate is not None and name != "x":  # read from the update: its rounding is eps·|p| / rate
            judged = replace(estimate, term_scale=np.abs(data.params[name].astype(float)) / rate)
        at = "" if rate is None else f" (learning rate {rate:g})"
        comparison = shaped_compare(analytic, judged)
        if comparison is None:
            return _fail(
                verdict,
                f"{label}{at} has shape {analytic.shape} but {name} has shape {estimate.shape}.",
                label,
            )
        if not comparison.passed:
            return _mismatch(verdict, label + at, comparison)
    if updates and name != "x":
        first, second = (np.asarray(verdict.analytic[r], dtype=float) for r in rates)
        rounding = (
            64
            * machine_epsilon(data.params[name].dtype)
            * (
                np.abs(data.params[name].astype(float)) / min(r for r in rates if r is not None)
                + np.abs(first)
            )
        )
        if first.shape != second.shape or np.any(np.abs(first - second) > rounding + 1e-300):
            return _fail(
                verdict,
                f"{label} read from the update differs between learning rates {rates[0]:g} and {rates[1]:g}.",
                label,
            )
    extra = extra_checks(adapter, data, verdict.analytic[rates[-1]], name)
    if extra is not None:
        return _fail(verdict, extra, label)
    verdict.rel_error = max(smooth_rel_error(verdict.analytic[r], estimate) for r in rates)
    return verdict


def smooth_rel_error(analytic: NDArray, estimate: Estimate) -> float:
    """The largest relative error away from kinks (at a kink any value between the slopes is right)."""
    values = np.asarray(analytic, dtype=float).reshape(estimate.shape)
    # relative error means nothing where the value is within its budget
    smooth = ~estimate.kink_mask & (np.abs(estimate.value) > DEFAULT_SAFETY * estimate.budget)
    if not smooth.any():
        return 0.0
    return float(np.max(relative_error(values[smooth], estimate.value[smooth])))


def _fail(verdict: Verdict, summary: str, where: str = "") -> Verdict:
    verdict.failing, verdict.summary, verdict.where = True, summary, where
    return verdict


def _mismatch(verdict: Verdict, label: str, comparison: Comparison) -> Verdict:
    index = ", ".join(str(i) for i in comparison.worst_index)
    allowed = comparison.safety * comparison.budget
    verdict.rel_error = comparison.max_rel_error
    verdict.details = comparison.message()
    return _fail(
        verdict,
        f"{label} differs from finite differences in {comparison.n_mismatched} of "
        f"{comparison.n_total} elements; the worst, [{index}], is {comparison.analytic:.6g} where "
        f"the numerical gradient is {comparison.numerical:.6g}: off by {comparison.abs_error:.2g} "
        f"against a budget of {allowed:.2g}.",
        f"{label.split(' ')[0]}[{index}]",
    )


def shaped_compare(analytic: NDArray, estimate: Estimate) -> Comparison | None:
    """compare(), accepting a gradient that differs from its array's shape only by axes of length 1
    (a (1, n) bias gradient for an (n,) bias); None for any other shape."""
    analytic = np.asarray(analytic)
    if analytic.dtype.kind not in "biuf":
        return None
    if analytic.shape != estimate.shape:
        if (
            analytic.size != estimate.value.size
            or np.squeeze(analytic).shape != np.squeeze(estimate.value).shape
        ):
            return None
        analytic = analytic.reshape(estimate.shape)
    return compare(analytic, estimate)


def extra_checks(adapter: Adapter, data: CaseData, analytic: NDArray, name: str) -> str | None:
    """Checks beyond the element-wise comparison: a max-pool's gradient, window by window (ties give
    each element a range, but a window's total is exact), and dropout's mask."""
    kind = adapter.kind.name
    if kind == "max-pool" and name == "x":
        return window_sums(adapter, data, analytic)
    if kind == "dropout" and name == "x":
        nonzero = data.x != 0
        mask = np.divide(
            data.out.astype(float), data.x.astype(float), out=np.zeros(data.x.shape), where=nonzero
        )
        assert data.upstream is not None
        expected = Estimate(data.upstream.astype(float) * mask, np.zeros(mask.shape), "mask")
        comparison = shaped_compare(analytic, expected)
        if comparison is not None and not comparison.passed:
            return (
                "dx is not dout times the mask forward applied (output / input): "
                + comparison.message().splitlines()[2].strip()
                + "."
            )
    return None


def window_sums(adapter: Adapter, data: CaseData, analytic: NDArray) -> str | None:
    """⟨dx, D⟩ against the derivative of ⟨forward(x + t·D), G⟩ at t = 0, for D the indicator of each
    window when windows do not overlap (else of all of x): shifting a window shifts its maximum."""
    dims = data.case.dims
    x = data.x
    pair = _pairing(data)
    directions: list[tuple[str, NDArray]] = []
    separate = dims["stride"] >= dims["pool_height"] and dims["stride"] >= dims["pool_width"]
    if separate:
        s, ph, pw = dims["stride"], dims["pool_height"], dims["pool_width"]
        out_h, out_w = data.out.shape[2:]
        for n, c, i, j in np.ndindex(x.shape[0], x.shape[1], out_h, out_w):
            d = np.zeros(x.shape)
            d[n, c, i * s : i * s + ph, j * s : j * s + pw] = 1.0
            directions.append((f"window ({n}, {c}, {i}, {j})", d))
    else:
        directions.append(("all of x", np.ones(x.shape)))
    values = np.asarray(analytic, dtype=float)
    if values.shape != x.shape:
        return None
    for label, d in directions:

        def moved(t: NDArray, d: NDArray = d) -> float:
            return pair(adapter.forward({"x": (x + t[0] * d).astype(x.dtype)}, data.params))

        estimate = central_difference(moved, np.zeros(1))
        comparison = compare(np.array([np.sum(values * d)]), estimate)
        if not comparison.passed:
            return (
                f"dx summed over {label} is {comparison.analytic:.6g}, but moving those values together "
                f"changes ⟨output, dout⟩ at the rate {comparison.numerical:.6g}: each window's gradient "
                "must reach its maximum exactly once."
            )
    return None
