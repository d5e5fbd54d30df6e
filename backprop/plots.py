"""Pictures that show where a backpropagation goes wrong, and what training on XOR looks like.

`write_check_plot` draws, per layer, the relative error between the analytic weight gradient
(what the implementation's forward and backward give) and the numerical one, as a heatmap:
a frozen bias row, a transposed matrix or a wrong unit is a bright row, a bright pattern or a
bright column.  Below them, for the worst weight, the central-difference error against the
step size on log-log axes: the rounding regime (error ∝ ε/h), the truncation regime
(error ∝ h²), the step the checker chose, and how far the analytic value sits from both.
The implementation under test runs in the sandbox, so drawing it cannot hang or end the caller.

`write_demo_plot` draws the loss curves of XOR runs and the decision surface each one learned.

matplotlib is an optional extra (`pip install 'backprop-check[plot]'`), imported only when a
picture is drawn; figures are built with `matplotlib.figure.Figure`, never pyplot, so that
drawing changes no global backend or state.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from numpy.typing import NDArray

from .battery.checks.common import model_loss_of
from .battery.checks.derived import step_moves
from .battery.protocols import (
    LAYER_LEVEL,
    MODEL_LEVEL,
    LayerNetwork,
    LocalWorker,
    ModelNetwork,
    PluginError,
    open_network,
)
from .demo import XOR_X, XOR_Y
from .losses import HALF_SSE, Loss, get_loss
from .network import _finite_array
from .numerical import Estimate, parameter_gradient_estimates, weight_gradient_estimates
from .numerical.comparison import DEFAULT_SAFETY, analytic_rounding
from .sandbox import run_isolated

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

Factory = Callable[[list[int], str], Any]

XOR_INPUTS = XOR_X.astype(float)
XOR_TARGETS = XOR_Y.astype(float)

_STEPS = np.logspace(-14, -1, 53)
"""Steps of the step-size sweep: four a decade, from deep in rounding to deep in truncation."""

_CASE_KEYS = ("layers", "activation", "x", "y", "weights")
_RELATIVE_ERROR_RANGE = (1e-12, 1.0)
"""The heatmaps' colour scale: from agreement to round-off level up to complete disagreement."""


@dataclass(frozen=True)
class StepSweep:
    """The central-difference error of one weight's gradient, step by step."""

    array: int
    """0-based index of the weight array (the layer, or the parameter)."""
    index: tuple[int, ...]
    steps: NDArray
    errors: NDArray
    """|central difference at that step − reference|; NaN where it came out exactly right."""
    reference: float
    """The weight's gradient by Richardson extrapolation, independent of the sweep's steps."""
    analytic: float
    chosen_step: float | None
    """The step the checker used for this weight (None when its method has no step)."""
    loss_value: float


@dataclass(frozen=True)
class GradientCheck:
    """Analytic and numerical weight gradients of one case, and what the pictures show."""

    protocol: str
    """"layer-level" (the article's `net.layers`) or "model-level" (`parameters()`, `gradients`)."""
    names: list[str]
    """What each array is: "layer 1", ... or "parameter 1", ..."""
    analytic: list[NDArray]
    numerical: list[NDArray]
    outside: list[NDArray]
    """Where the analytic value is outside the checker's error budget (as numerical.compare judges)."""
    relative_error: list[NDArray]
    """excess / max(|analytic|, |numerical|, budget), where excess is |analytic − numerical| (or the
    distance to the one-sided interval at a kink): the budget as floor keeps two values both lost
    in the numerical noise from reading as a disagreement."""
    worst: tuple[int, tuple[int, ...]]
    """(array, index) of the largest relative error."""
    sweep: StepSweep
    method: str

    @property
    def n_outside_budget(self) -> int:
        return int(sum(np.count_nonzero(o) for o in self.outside))

    @property
    def n_weights(self) -> int:
        return int(sum(a.size for a in self.analytic))


def write_check_plot(path: str | Path, factory: Factory, case: Mapping[str, Any],
                     loss: str | Loss = HALF_SSE, *, timeout: float = 60.0,
                     battery_failed: Sequence[str] | None = None, case_of: str | None = None) -> Path:
    """Draw the gradient check of one case into a PNG (or any format matplotlib knows from the suffix).

    factory: `make(layers, activation)` returning a network with the article's layer protocol
        (`net.layers[i].weight`, `forward`, `backward`, attributes `A` and `delta`).
    case: {"layers": [2, 3, 1], "activation": "tanh", "x": [0.5, -1.0] (raw sample, no
        leading 1), "y": [1.0], "weights": one 2-D list per layer in the article's layout
        ((n_prev + 1, n + 1) for hidden layers, (n_prev + 1, n_out) for the output layer)};
        a "learning_rate" key and any others are ignored.
    loss: a loss name ("half_sse", "mse", ...) or a `backprop.losses.Loss`: the loss the network's
        backward is meant to differentiate (the battery's --loss); its output layer is given y.

    Returns the path written.  The analytic gradient is aᵀδ per layer after one forward and one
    backward pass; the numerical one comes from `backprop.numerical.weight_gradient_estimates`.
    update is never called, so a mistake in update alone (one that skips the bias row, say)
    does not show here: the battery's update-is-sgd-step check finds those.  A model-level
    factory (`parameters()`, `loss`, `gradients`) is drawn too, one heatmap per parameter array,
    with case["weights"] shaped like `parameters()`.

    battery_failed: the checks the battery failed on this implementation, when the picture goes with
        a battery run (`backprop check --plot`): the title then says the battery's verdict too, so
        that gradients that agree at this case never read as a clean bill when fit or update failed.
    case_of: the check whose smallest failing case this is, named in the title.

    The implementation runs in a sandboxed child (`backprop.sandbox.run_isolated`, `timeout`
    seconds): if it raises, exits, crashes or hangs, this raises a PluginError saying so in one
    sentence; a malformed case is a ValueError or TypeError, as everywhere else.
    """
    _check_directory(path)
    figure = _check_figure(factory, case, loss, timeout=timeout, battery_failed=battery_failed,
                           case_of=case_of)
    return _save(figure, path)


def write_demo_plot(path: str | Path, runs: Sequence[Mapping[str, Any]]) -> Path:
    """Draw the loss curves of XOR runs and the decision surface each network learned.

    runs: a non-empty list of dicts, one per activation:
        {"activation": "tanh",
         "network": the trained network (anything with `predict(x)` taking a raw 2-value sample),
         "losses": [(epoch, loss), ...] in training order, epochs and losses numbers, loss >= 0,
         optional "X": the training inputs (n, 2) and "y": their targets (n,), default XOR's
         [[0, 0], [0, 1], [1, 0], [1, 1]] -> [0, 1, 1, 0]}.

    Returns the path written.  The left panel holds every run's loss curve (log scale); then one
    panel per run shows the network's output over the input plane, its 0.5 contour, and the
    training points coloured by target.
    """
    _check_directory(path)
    figure = _demo_figure(runs)
    return _save(figure, path)


# ----------------------------------------------------------------------------- gradient check


@dataclass(frozen=True)
class _Subject:
    """A network built for one case: its live weight arrays, their gradients, and its loss."""

    protocol: str
    arrays: list[NDArray]
    analytic: list[NDArray]
    estimates: list[Estimate]
    loss: Callable[[], float]


def gradient_check(factory: Factory, case: Mapping[str, Any], loss: str | Loss = HALF_SSE) -> GradientCheck:
    """Analytic and numerical weight gradients of `case` (see `write_check_plot`), and their errors."""
    subject = _subject(factory, case, get_loss(loss))
    outside, relative = [], []
    for analytic, estimate in zip(subject.analytic, subject.estimates, strict=True):
        excess = np.maximum(np.maximum(estimate.lower - analytic, analytic - estimate.upper), 0.0)
        allowed = DEFAULT_SAFETY * (estimate.budget + analytic_rounding(analytic, analytic.dtype))
        outside.append(excess > allowed)
        scale = np.maximum(np.maximum(np.abs(analytic), np.abs(estimate.value)), estimate.budget)
        with np.errstate(invalid="ignore", divide="ignore"):
            relative.append(np.where(excess > 0, excess / scale, 0.0))
    array = int(np.argmax([r.max(initial=0.0) for r in relative]))
    index = tuple(int(i) for i in np.unravel_index(int(np.argmax(relative[array])), relative[array].shape))
    step = subject.estimates[array].step
    chosen = None if step is None else float(np.broadcast_to(step, relative[array].shape)[index])
    sweep = _step_sweep(subject, array, index, chosen)
    word = "layer" if subject.protocol == LAYER_LEVEL else "parameter"
    return GradientCheck(subject.protocol, [f"{word} {i}" for i in range(1, len(subject.arrays) + 1)],
                         subject.analytic, [e.value for e in subject.estimates], outside, relative,
                         (array, index), sweep, ", ".join(sorted({e.method for e in subject.estimates})))


def _subject(factory: Factory, case: Mapping[str, Any], loss: Loss) -> _Subject:
    """The factory's network with the case's weights written in place, and both gradients.

    Layer-level: aᵀδ per layer after one forward (the sample with its leading 1) and one backward
    pass, the output layer handed y whatever the loss (the loss names what its backward should
    differentiate); update is never called.  Model-level: `gradients(x, y)` (or, for step-only code,
    (W_before − W_after) / lr of one step, the weights put back) against the declared loss of
    `predict(x)`, or the model's own `loss(x, y)` without predict.  Calls into the implementation go
    through the battery's protocol wrappers, so that a raise or a malformed array is a PluginError
    naming the call.
    """
    if not callable(factory):
        raise TypeError(f"factory must be a callable make(layers, activation), not {type(factory).__name__}")
    if not isinstance(case, Mapping):
        raise TypeError(f"case must be a dict with keys {', '.join(_CASE_KEYS)}, not {type(case).__name__}")
    missing = [key for key in _CASE_KEYS if key not in case]
    if missing:
        raise ValueError(f"case is missing the key(s) {', '.join(missing)}")
    layers = [int(n) for n in case["layers"]]
    x = _finite_array("case['x']", case["x"]).reshape(-1)
    y = _finite_array("case['y']", case["y"]).reshape(-1)
    if x.size != layers[0]:
        raise ValueError(f"case['x'] has {x.size} values but the network takes {layers[0]} inputs")
    if y.size != layers[-1]:
        raise ValueError(f"case['y'] has {y.size} values but the network has {layers[-1]} outputs")
    wrapped = open_network(LocalWorker(factory), layers, str(case["activation"]))
    arrays = wrapped.weight_arrays()
    if len(case["weights"]) != len(arrays):
        raise ValueError(f"case['weights'] holds {len(case['weights'])} arrays but the network has "
                         f"{len(arrays)}")
    for i, (array, weight) in enumerate(zip(arrays, case["weights"], strict=True)):
        weight = _finite_array(f"case['weights'][{i}]", weight)
        if weight.shape != array.shape:
            raise ValueError(f"case['weights'][{i}] has shape {weight.shape} but the network's array {i + 1} "
                             f"has shape {array.shape}")
    wrapped.set_weights([np.asarray(w, dtype=float) for w in case["weights"]])
    if isinstance(wrapped, ModelNetwork):
        model = wrapped
        if "gradients" in model.offers:
            analytic = model.gradients(x, y, [a.shape for a in arrays])
        else:  # step-only code: the gradient its step applies
            analytic = step_moves(model, x, y, float(case.get("learning_rate", 0.1)))[0]
        loss_of_model = model_loss_of(model, loss, x, y, layers[-1])
        return _Subject(MODEL_LEVEL, arrays, analytic, parameter_gradient_estimates(loss_of_model, arrays),
                        lambda: float(loss_of_model()))
    network = wrapped.network
    x1 = np.concatenate(([1.0], x))
    seen = wrapped.forward(x1)
    deltas = wrapped.backward(y)
    analytic = [np.outer(a, d).reshape(w.shape) for a, d, w in zip(seen, deltas, arrays, strict=False)]
    estimates = weight_gradient_estimates(network, x1, y, loss)
    return _Subject(LAYER_LEVEL, arrays, analytic, estimates, partial(_layered_loss, wrapped, x1, y, loss))


def _layered_loss(network: LayerNetwork, x1: NDArray, y: NDArray, loss: Loss) -> float:
    """The loss at the (perturbed) judge-side weights: they are written into the network first."""
    network.set_weights(network.weight_arrays())
    return float(np.real(loss.value(network.forward(x1)[-1], y)))


def _step_sweep(subject: _Subject, array: int, index: tuple[int, ...],
                chosen_step: float | None) -> StepSweep:
    """Central differences of one weight at every step of `_STEPS`, against a Richardson reference."""
    weight = subject.arrays[array]
    original = weight[index].copy()

    def central(h: float) -> float:
        try:
            weight[index] = original + h
            plus = subject.loss()
            weight[index] = original - h
            minus = subject.loss()
        finally:
            weight[index] = original
        return (plus - minus) / (2 * h)

    # Two Richardson levels on steps large enough to be free of rounding: error O(h⁶).
    h = 1e-2 * max(1.0, abs(float(original)))
    d1, d2, d4 = central(h), central(h / 2), central(h / 4)
    r1, r2 = (4 * d2 - d1) / 3, (4 * d4 - d2) / 3
    reference = (16 * r2 - r1) / 15
    errors = np.array([abs(central(float(s)) - reference) for s in _STEPS])
    errors[errors == 0] = np.nan
    return StepSweep(array, index, _STEPS.copy(), errors, reference, float(subject.analytic[array][index]),
                     chosen_step, subject.loss())


def _isolated_gradient_check(factory: Factory, case: Mapping[str, Any], loss: str | Loss,
                             timeout: float) -> GradientCheck:
    """gradient_check in a sandboxed child; its own ValueError and TypeError come back as such."""
    outcome = run_isolated(_gradient_check_or_refusal, factory, case, loss, timeout=timeout)
    if not outcome.ok:
        raise PluginError(f"cannot draw the check: {outcome.message.rstrip('.')}")
    if isinstance(outcome.value, _Refusal):
        raise outcome.value.exception()
    return cast(GradientCheck, outcome.value)


_REFUSALS: dict[str, type[Exception]] = {
    "PluginError": PluginError, "TypeError": TypeError, "ValueError": ValueError}


@dataclass(frozen=True)
class _Refusal:
    """An exception of gradient_check (a PluginError, ValueError or TypeError) carried back as data,
    so that it is raised here with its own type and sentence."""

    kind: str
    message: str

    def exception(self) -> Exception:
        return _REFUSALS[self.kind](self.message)


def _gradient_check_or_refusal(factory: Factory, case: Mapping[str, Any],
                               loss: str | Loss) -> GradientCheck | _Refusal:
    try:
        return gradient_check(factory, case, loss)
    except (PluginError, ValueError, TypeError) as error:
        kind = next(name for name, kind in _REFUSALS.items() if isinstance(error, kind))
        return _Refusal(kind, str(error))


def _check_figure(factory: Factory, case: Mapping[str, Any], loss: str | Loss = HALF_SSE, *,
                  timeout: float = 60.0, battery_failed: Sequence[str] | None = None,
                  case_of: str | None = None) -> Figure:
    """The figure `write_check_plot` saves: one heatmap per weight array, a colour bar, the step sweep."""
    check = _isolated_gradient_check(factory, case, loss, timeout)
    Figure, LogNorm = _matplotlib()
    n_arrays = len(check.analytic)
    figure = Figure(figsize=(max(9.0, 3.2 * n_arrays + 1.0), 7.6), layout="constrained")
    grid = figure.add_gridspec(2, n_arrays + 1, width_ratios=[1.0] * n_arrays + [0.06])
    norm = LogNorm(*_RELATIVE_ERROR_RANGE, clip=True)
    image = None
    for i, (name, relative, outside) in enumerate(zip(check.names, check.relative_error, check.outside,
                                                     strict=True)):
        axes = figure.add_subplot(grid[0, i])
        axes.set_label(f"heatmap {name}")
        worst = check.worst[1] if check.worst[0] == i else None
        image = _heatmap(axes, name, relative, outside, norm, worst, check.protocol)
    colorbar_axes = figure.add_subplot(grid[0, n_arrays])
    colorbar_axes.set_label("colorbar")
    figure.colorbar(image, cax=colorbar_axes, label="relative error")
    sweep_axes = figure.add_subplot(grid[1, :])
    sweep_axes.set_label("step sweep")
    index = ", ".join(str(i) for i in check.sweep.index)
    element = f", W[{index}]" if check.protocol == LAYER_LEVEL else f"[{index}]"
    where = check.names[check.sweep.array] + element
    _sweep_panel(sweep_axes, check.sweep, where)
    title = check_title(check, case, loss, battery_failed, case_of)
    width = int(_TITLE_CHARACTERS_PER_INCH * figure.get_figwidth())
    figure.suptitle("\n".join(textwrap.fill(line, width) for line in title.splitlines()))
    return figure


_TITLE_CHARACTERS_PER_INCH = 10
"""Where the title's lines are wrapped, so that a long list of failed checks stays on the picture."""


def check_title(check: GradientCheck, case: Mapping[str, Any], loss: str | Loss,
                battery_failed: Sequence[str] | None = None, case_of: str | None = None) -> str:
    """The picture's title: what it shows (the weight gradients at this one case) and, when it goes with
    a battery run, the battery's verdict, which the gradients at one case can never overrule."""
    shown = f"the smallest failing case of {case_of}" if case_of else "one case"
    n_outside = check.n_outside_budget
    verdict = (f"all {check.n_weights} weight gradients agree within the error budget at this case"
               if n_outside == 0 else
               f"{n_outside} of {check.n_weights} weight gradients are outside the error budget (×)")
    title = (f"Analytic vs numerical weight gradients at {shown}: layers {list(case['layers'])}, "
             f"{case['activation']}, loss {get_loss(loss).name}\n{verdict} (numerical: {check.method})")
    if battery_failed is None:
        return title
    if not battery_failed:
        return title + "\nthe battery passed every check it ran"
    failed = f"the battery failed: {', '.join(battery_failed)}"
    if n_outside == 0:
        failed += " (not drawn here: see the report)"
    return title + "\n" + failed


def _heatmap(axes: Axes, name: str, relative: NDArray, outside: NDArray, norm: Any,
             worst: tuple[int, ...] | None, protocol: str) -> Any:
    """One array's relative errors as an image; a 1-D array (a model's bias) is drawn as one row."""
    as_matrix = relative.reshape(1, -1) if relative.ndim != 2 else relative
    shown = np.clip(as_matrix, *_RELATIVE_ERROR_RANGE)
    image = axes.imshow(shown, norm=norm, cmap="viridis", aspect="auto", interpolation="nearest")
    rows, columns = as_matrix.shape
    shape = "×".join(str(n) for n in relative.shape)
    axes.set_title(f"{name}: {'W' if protocol == LAYER_LEVEL else 'array'} {shape}\n"
                   f"worst relative error {relative.max(initial=0.0):.1e}", fontsize=10)
    if protocol == LAYER_LEVEL:
        axes.set_xlabel("unit (column of W)")
        axes.set_ylabel("input (row of W)")
        inputs = "x" if name == "layer 1" else "a"
        row_names = ["1 (bias)" if inputs == "x" else "a0"] + [f"{inputs}{r}" for r in range(1, rows)]
        if rows <= 16:
            axes.set_yticks(range(rows), row_names)
    elif relative.ndim == 2:
        axes.set_xlabel("column")
        axes.set_ylabel("row")
        if rows <= 16:
            axes.set_yticks(range(rows))
    else:
        axes.set_xlabel("element")
        axes.set_yticks([])
    if columns <= 16:
        axes.set_xticks(range(columns))
    if rows * columns <= 48:
        for (row, column), value in np.ndenumerate(as_matrix):
            bright = norm(max(value, _RELATIVE_ERROR_RANGE[0])) > 0.6
            axes.text(column, row + 0.3, f"{value:.0e}", ha="center", va="center", fontsize=7,
                      color="black" if bright else "white")
    marked_rows, marked_columns = np.nonzero(outside.reshape(as_matrix.shape))
    axes.scatter(marked_columns, marked_rows, marker="x", color="red", s=40, linewidths=1.5)
    if worst is not None:
        cell = np.unravel_index(int(np.ravel_multi_index(worst, relative.shape)), as_matrix.shape)
        axes.add_patch(_rectangle((int(cell[0]), int(cell[1]))))
    return image


def _rectangle(cell: tuple[int, int]) -> Any:
    from matplotlib.patches import Rectangle

    row, column = cell
    return Rectangle((column - 0.5, row - 0.5), 1, 1, fill=False, edgecolor="red", linewidth=2)


def _sweep_panel(axes: Axes, sweep: StepSweep, where: str) -> None:
    axes.loglog(sweep.steps, sweep.errors, "o-", color="C0", markersize=3,
                label="|central difference − reference|")
    finite = sweep.errors[np.isfinite(sweep.errors)]
    # Guide lines for the two regimes, through the data at the ends of the sweep.
    epsilon = np.finfo(float).eps
    rounding = epsilon * max(abs(sweep.loss_value), epsilon) / sweep.steps
    large = (sweep.steps >= 1e-3) & np.isfinite(sweep.errors)
    curvature = np.median(sweep.errors[large] / sweep.steps[large] ** 2) if np.any(large) else np.nan
    axes.loglog(sweep.steps, rounding, ":", color="gray", label="rounding regime, ∝ ε/h")
    if np.isfinite(curvature) and curvature > 0:
        axes.loglog(sweep.steps, curvature * sweep.steps ** 2, "--", color="gray",
                    label="truncation regime, ∝ h²")
    analytic_error = abs(sweep.analytic - sweep.reference)
    if analytic_error > 0:
        axes.axhline(analytic_error, color="C3", linewidth=2,
                     label=f"|analytic − reference| = {analytic_error:.1e}")
    if sweep.chosen_step is not None and sweep.chosen_step > 0:
        axes.axvline(sweep.chosen_step, color="C2", linestyle="-.",
                     label=f"step the checker chose, h = {sweep.chosen_step:.1e}")
    if finite.size == 0:
        axes.text(0.5, 0.5, "every step gives exactly the reference value: the loss does not depend on "
                  "this weight", transform=axes.transAxes, ha="center", va="center", fontsize=9)
    low = min(np.min(finite) if finite.size else 1e-16, analytic_error or np.inf) / 10
    high = max(np.max(finite) if finite.size else 1.0, analytic_error) * 10
    axes.set_ylim(max(low, 1e-20), high)
    axes.set_xlabel("step h")
    axes.set_ylabel("absolute error of ∂L/∂w")
    axes.set_title(f"worst weight: {where}; "
                   f"reference ∂L/∂w = {sweep.reference:.6g}, analytic {sweep.analytic:.6g}", fontsize=10)
    axes.grid(True, which="major", alpha=0.3)
    axes.legend(fontsize=8, loc="best")


# ----------------------------------------------------------------------------- XOR demo


def _demo_figure(runs: Sequence[Mapping[str, Any]]) -> Figure:
    """The figure `write_demo_plot` saves: the loss curves, then one decision surface per run."""
    runs = _validated_runs(runs)
    Figure, _ = _matplotlib()
    figure = Figure(figsize=(4.2 * (len(runs) + 1) + 0.6, 4.2), layout="constrained")
    grid = figure.add_gridspec(1, len(runs) + 2, width_ratios=[1.0] * (len(runs) + 1) + [0.06])
    curves = figure.add_subplot(grid[0, 0])
    curves.set_label("loss curves")
    for run in runs:
        epochs, losses = run["losses"]
        positive = losses > 0
        curves.semilogy(epochs[positive], losses[positive], label=run["activation"])
    curves.set_xlabel("epoch")
    curves.set_ylabel("loss")
    curves.set_title("training loss")
    curves.grid(True, which="major", alpha=0.3)
    curves.legend()
    surface = None
    for i, run in enumerate(runs):
        axes = figure.add_subplot(grid[0, i + 1])
        axes.set_label(f"surface {run['activation']}")
        surface = _decision_surface(axes, run)
    colorbar_axes = figure.add_subplot(grid[0, len(runs) + 1])
    colorbar_axes.set_label("colorbar")
    figure.colorbar(surface, cax=colorbar_axes, label="network output")
    figure.suptitle("XOR: loss during training and the learned decision surface")
    return figure


def _decision_surface(axes: Axes, run: Mapping[str, Any]) -> Any:
    X, y = run["X"], run["y"]
    margin = 0.5
    u = np.linspace(X[:, 0].min() - margin, X[:, 0].max() + margin, 81)
    v = np.linspace(X[:, 1].min() - margin, X[:, 1].max() + margin, 81)
    U, V = np.meshgrid(u, v)
    grid = np.column_stack([U.ravel(), V.ravel()])
    output = _predict_all(run["network"], grid).reshape(U.shape)
    surface = axes.contourf(U, V, output, levels=np.linspace(-0.25, 1.25, 13), cmap="coolwarm", extend="both")
    axes.contour(U, V, output, levels=[0.5], colors="black", linewidths=1.5)
    # Each point in its target's colour, saturated, ringed in white: on a network that learned it,
    # the point sits on a background of the same hue.
    axes.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", vmin=0.0, vmax=1.0, edgecolors="white",
                 linewidths=2, s=120, zorder=3)
    final = run["losses"][1][-1] if run["losses"][1].size else float("nan")
    axes.set_title(f"{run['activation']}: final loss {final:.2g}")
    axes.set_xlabel("x1")
    axes.set_ylabel("x2")
    axes.set_aspect("equal")
    return surface


def _predict_all(network: Any, samples: NDArray) -> NDArray:
    """The network's first output for each sample: in one batch call when predict takes a batch
    (the reference network's does), one call per sample otherwise (the article's takes one)."""
    try:
        batch = np.asarray(network.predict(samples), dtype=float)
        if batch.shape[:1] == (len(samples),):
            return batch.reshape(len(samples), -1)[:, 0]
    except Exception:  # noqa: BLE001 (an article-style predict fails on a batch; go one by one)
        pass
    return np.asarray([np.ravel(network.predict(sample))[0] for sample in samples], dtype=float)


def _validated_runs(runs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Each run as a dict with the losses as two arrays (epochs, losses) and X, y filled in."""
    if isinstance(runs, Mapping) or not isinstance(runs, Sequence) or len(runs) == 0:
        raise ValueError("runs must be a non-empty list of dicts with keys activation, network, losses")
    checked = []
    for i, run in enumerate(runs):
        if not isinstance(run, Mapping) or any(k not in run for k in ("activation", "network", "losses")):
            raise ValueError(f"runs[{i}] must be a dict with keys activation, network, losses")
        if not callable(getattr(run["network"], "predict", None)):
            raise TypeError(f"runs[{i}]['network'] has no predict method")
        losses = run["losses"] if len(run["losses"]) else np.empty((0, 2))
        pairs = _finite_array(f"runs[{i}]['losses']", losses)
        if pairs.ndim != 2 or pairs.shape[1] != 2:
            raise ValueError(f"runs[{i}]['losses'] must be a list of (epoch, loss) pairs, "
                             f"got shape {pairs.shape}")
        if np.any(pairs[:, 1] < 0):
            raise ValueError(f"runs[{i}]['losses'] holds a negative loss")
        X = _finite_array(f"runs[{i}]['X']", run.get("X", XOR_INPUTS))
        y = _finite_array(f"runs[{i}]['y']", run.get("y", XOR_TARGETS)).reshape(-1)
        if X.ndim != 2 or X.shape[1] != 2 or y.shape != (X.shape[0],):
            raise ValueError(f"runs[{i}]['X'] must be (n, 2) and runs[{i}]['y'] (n,), "
                             f"got {X.shape} and {y.shape}")
        checked.append({**run, "losses": (pairs[:, 0], pairs[:, 1]), "X": X, "y": y})
    return checked


# ----------------------------------------------------------------------------- helpers


def _matplotlib() -> tuple[Any, Any]:
    """matplotlib's Figure and LogNorm, or an ImportError saying how to install it."""
    try:
        from matplotlib.colors import LogNorm
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("drawing plots needs matplotlib: pip install 'backprop-check[plot]'") from None
    return Figure, LogNorm


def _check_directory(path: str | Path) -> None:
    """Refuse a path whose folder is missing before any work is done, not after."""
    folder = Path(path).parent
    if not folder.is_dir():
        raise ValueError(f"cannot write {path}: the directory {folder} does not exist")


_TITLED_FORMATS = (".png", ".pdf", ".svg")
"""Formats whose metadata matplotlib writes a "Title" into: the picture's title goes there too, so that
what the picture claims can be read without looking at it."""


def _save(figure: Figure, path: str | Path) -> Path:
    title = " ".join(figure.get_suptitle().split())
    titled = title and Path(path).suffix.lower() in _TITLED_FORMATS
    figure.savefig(path, dpi=110, metadata={"Title": title} if titled else None)
    return Path(path)
