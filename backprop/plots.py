"""Pictures that show where a backpropagation goes wrong, and what training on XOR looks like.

`write_check_plot` draws, per layer, the relative error between the analytic weight gradient
(what the implementation's forward and backward give) and the numerical one, as a heatmap:
a frozen bias row, a transposed matrix or a wrong unit is a bright row, a bright pattern or a
bright column.  Beside it, for the worst weight, the central-difference error against the
step size on log-log axes: the rounding regime (error ∝ ε/h), the truncation regime
(error ∝ h²), the step the checker chose, and how far the analytic value sits from both.

`write_demo_plot` draws the loss curves of XOR runs and the decision surface each one learned.

matplotlib is an optional extra (`pip install 'backprop[plot]'`), imported only when a
picture is drawn; figures are built with `matplotlib.figure.Figure`, never pyplot, so that
drawing changes no global backend or state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from .losses import HALF_SSE, Loss, get_loss

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

Factory = Callable[[list[int], str], Any]

XOR_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_TARGETS = np.array([0.0, 1.0, 1.0, 0.0])

_STEPS = np.logspace(-14, -1, 53)
"""Steps of the step-size sweep: four a decade, from deep in rounding to deep in truncation."""

_CASE_KEYS = ("layers", "activation", "x", "y", "weights")
_RELATIVE_ERROR_RANGE = (1e-12, 1.0)
"""The heatmaps' colour scale: from agreement to round-off level up to complete disagreement."""


@dataclass(frozen=True)
class StepSweep:
    """The central-difference error of one weight's gradient, step by step."""

    layer: int
    """0-based index into `network.layers`."""
    index: tuple[int, int]
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

    analytic: list[NDArray]
    numerical: list[NDArray]
    budget: list[NDArray]
    """The checker's absolute error bound, element by element."""
    relative_error: list[NDArray]
    """|analytic − numerical| / max(|analytic|, |numerical|, budget), element by element."""
    worst: tuple[int, int, int]
    """(layer, row, column) of the largest relative error."""
    sweep: StepSweep
    method: str

    @property
    def n_outside_budget(self) -> int:
        return int(sum(np.count_nonzero(np.abs(a - n) > b)
                       for a, n, b in zip(self.analytic, self.numerical, self.budget, strict=True)))

    @property
    def n_weights(self) -> int:
        return int(sum(a.size for a in self.analytic))


def write_check_plot(path: str | Path, factory: Factory, case: Mapping[str, Any],
                     loss: str | Loss = HALF_SSE) -> Path:
    """Draw the gradient check of one case into a PNG (or any format matplotlib knows from the suffix).

    factory: `make(layers, activation)` returning a network with the article's layer protocol
        (`net.layers[i].weight`, `forward`, `backward`, attributes `A` and `delta`).
    case: {"layers": [2, 3, 1], "activation": "tanh", "x": [0.5, -1.0] (raw sample, no
        leading 1), "y": [1.0], "weights": one 2-D list per layer in the article's layout
        ((n_prev + 1, n + 1) for hidden layers, (n_prev + 1, n_out) for the output layer)};
        a "learning_rate" key and any others are ignored.
    loss: a loss name ("half_sse", "mse", ...) or a `backprop.losses.Loss`.

    Returns the path written.  The analytic gradient is aᵀδ per layer after one forward and one
    backward pass (update is never called); the numerical one comes from
    `backprop.numerical.weight_gradient_estimates`.
    """
    figure = _check_figure(factory, case, loss)
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
    figure = _demo_figure(runs)
    return _save(figure, path)


# ----------------------------------------------------------------------------- gradient check


def gradient_check(factory: Factory, case: Mapping[str, Any], loss: str | Loss = HALF_SSE) -> GradientCheck:
    """Analytic and numerical weight gradients of `case` (see `write_check_plot`), and their errors."""
    chosen_loss = get_loss(loss)
    network, x, y = _build(factory, case)
    analytic = _analytic_gradients(network, x, y, chosen_loss)
    estimates = _estimates(network, x, y, chosen_loss)
    numerical = [np.asarray(e.value, dtype=float).reshape(a.shape) for e, a in zip(estimates, analytic,
                                                                                     strict=True)]
    budget = [np.broadcast_to(np.asarray(e.budget, dtype=float), a.shape) for e, a in zip(estimates, analytic,
                                                                                         strict=True)]
    relative = [_relative_error(a, n, b) for a, n, b in zip(analytic, numerical, budget, strict=True)]
    worst = _worst(relative)
    layer, row, column = worst
    step = estimates[layer].step
    chosen = _element(step, (row, column)) if step is not None else None
    sweep = _step_sweep(network, x, y, chosen_loss, layer, (row, column),
                        float(analytic[layer][row, column]), chosen)
    return GradientCheck(analytic, numerical, budget, relative, worst, sweep,
                         method=", ".join(sorted({e.method for e in estimates})))


def _estimates(network: Any, x: NDArray, y: NDArray, loss: Loss) -> list[Any]:
    try:
        from .numerical import weight_gradient_estimates
    except ImportError:  # TEMPORARY until backprop.numerical lands
        return _central_estimates(network, x, y, loss)
    return list(weight_gradient_estimates(network, x, y, loss))


@dataclass(frozen=True)
class _Estimate:  # TEMPORARY
    value: NDArray
    budget: NDArray
    method: str
    step: NDArray


def _central_estimates(network: Any, x: NDArray, y: NDArray, loss: Loss) -> list[Any]:  # TEMPORARY
    evaluate = _loss_function(network, x, y, loss)
    out = []
    for layer in network.layers:
        w = layer.weight
        value = np.zeros(w.shape)
        steps = np.zeros(w.shape)
        for index in np.ndindex(w.shape):
            original = w[index].copy()
            h = 1e-5 * max(1.0, abs(float(original)))
            w[index] = original + h
            plus = evaluate()
            w[index] = original - h
            minus = evaluate()
            w[index] = original
            value[index] = (plus - minus) / (2 * h)
            steps[index] = h
        out.append(_Estimate(value, np.full(w.shape, 1e-8), "central", steps))
    return out


def _build(factory: Factory, case: Mapping[str, Any]) -> tuple[Any, NDArray, NDArray]:
    """The factory's network with the case's weights set in place; x with its leading 1, and y."""
    if not callable(factory):
        raise TypeError(f"factory must be a callable make(layers, activation), not {type(factory).__name__}")
    if not isinstance(case, Mapping):
        raise TypeError(f"case must be a dict with keys {', '.join(_CASE_KEYS)}, not {type(case).__name__}")
    missing = [key for key in _CASE_KEYS if key not in case]
    if missing:
        raise ValueError(f"case is missing the key(s) {', '.join(missing)}")
    layers = [int(n) for n in case["layers"]]
    x = _finite("case['x']", case["x"]).reshape(-1)
    y = _finite("case['y']", case["y"]).reshape(-1)
    if x.size != layers[0]:
        raise ValueError(f"case['x'] has {x.size} values but the network takes {layers[0]} inputs")
    if y.size != layers[-1]:
        raise ValueError(f"case['y'] has {y.size} values but the network has {layers[-1]} outputs")
    network = factory(layers, case["activation"])
    if len(case["weights"]) != len(network.layers):
        raise ValueError(f"case['weights'] holds {len(case['weights'])} matrices but the network has "
                         f"{len(network.layers)} layers")
    for i, (layer, weight) in enumerate(zip(network.layers, case["weights"], strict=True)):
        weight = _finite(f"case['weights'][{i}]", weight)
        if weight.shape != np.shape(layer.weight):
            raise ValueError(f"case['weights'][{i}] has shape {weight.shape} but layer {i + 1}'s weight "
                             f"has shape {np.shape(layer.weight)}")
        layer.weight[...] = weight
    return network, np.concatenate(([1.0], x)), y


def _analytic_gradients(network: Any, x: NDArray, y: NDArray, loss: Loss) -> list[NDArray]:
    """aᵀδ per layer, from one forward and one backward pass the article's way (no update).

    The article's output layer computes (A − y)·f'(z), the gradient of ½‖A − y‖²; for another
    loss it is handed the target A − ∂L/∂A, so that A − target is that loss's gradient.
    """
    inputs = []
    a: Any = x
    for layer in network.layers:
        inputs.append(np.asarray(a))
        a = layer.forward(a)
    output = np.asarray(a)
    target = y if loss is HALF_SSE else output - loss.gradient(output, y)
    delta = network.layers[-1].backward(target, None)
    for i in range(len(network.layers) - 2, -1, -1):
        delta = network.layers[i].backward(delta, network.layers[i + 1])
    gradients = []
    for layer, left_a in zip(network.layers, inputs, strict=True):
        d = layer.delta if getattr(layer, "delta", None) is not None else delta
        gradients.append(np.atleast_2d(left_a).reshape(1, -1).T @ np.atleast_2d(d).reshape(1, -1))
    return [np.asarray(g, dtype=float) for g in gradients]


def _relative_error(analytic: NDArray, numerical: NDArray, budget: NDArray) -> NDArray:
    """Relative error with the budget as its floor, so that two values both lost in the
    numerical noise do not read as a disagreement."""
    scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numerical)), budget)
    with np.errstate(invalid="ignore", divide="ignore"):
        relative = np.abs(analytic - numerical) / scale
    return np.where(scale > 0, relative, 0.0)


def _worst(relative: list[NDArray]) -> tuple[int, int, int]:
    layer = int(np.argmax([r.max() for r in relative]))
    row, column = np.unravel_index(int(np.argmax(relative[layer])), relative[layer].shape)
    return layer, int(row), int(column)


def _element(value: Any, index: tuple[int, int]) -> float:
    array = np.asarray(value, dtype=float)
    return float(array if array.ndim == 0 else array[index])


def _loss_function(network: Any, x: NDArray, y: NDArray, loss: Loss) -> Callable[[], float]:
    def value() -> float:
        a: Any = x
        for layer in network.layers:
            a = layer.forward(a)
        return float(np.real(loss.value(np.asarray(a), y)))

    return value


def _step_sweep(network: Any, x: NDArray, y: NDArray, loss: Loss, layer: int, index: tuple[int, int],
                analytic: float, chosen_step: float | None) -> StepSweep:
    """Central differences of one weight at every step of `_STEPS`, against a Richardson reference."""
    weight = network.layers[layer].weight
    original = weight[index].copy()
    evaluate = _loss_function(network, x, y, loss)

    def central(h: float) -> float:
        try:
            weight[index] = original + h
            plus = evaluate()
            weight[index] = original - h
            minus = evaluate()
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
    return StepSweep(layer, index, _STEPS.copy(), errors, reference, analytic, chosen_step, evaluate())


def _check_figure(factory: Factory, case: Mapping[str, Any], loss: str | Loss = HALF_SSE) -> Figure:
    """The figure `write_check_plot` saves: one heatmap per layer, a colour bar, the step sweep."""
    check = gradient_check(factory, case, loss)
    Figure, LogNorm = _matplotlib()
    n_layers = len(check.analytic)
    figure = Figure(figsize=(max(8.0, 3.2 * n_layers + 1.0), 7.6), layout="constrained")
    grid = figure.add_gridspec(2, n_layers + 1, width_ratios=[1.0] * n_layers + [0.06],
                               height_ratios=[1.0, 1.0])
    norm = LogNorm(*_RELATIVE_ERROR_RANGE, clip=True)
    image = None
    for i, (relative, analytic, numerical, budget) in enumerate(
            zip(check.relative_error, check.analytic, check.numerical, check.budget, strict=True)):
        axes = figure.add_subplot(grid[0, i])
        axes.set_label(f"heatmap layer {i + 1}")
        image = _heatmap(axes, i, relative, np.abs(analytic - numerical) > budget, norm,
                         worst=check.worst[1:] if check.worst[0] == i else None)
    colorbar_axes = figure.add_subplot(grid[0, n_layers])
    colorbar_axes.set_label("colorbar")
    figure.colorbar(image, cax=colorbar_axes, label="relative error")
    sweep_axes = figure.add_subplot(grid[1, :])
    sweep_axes.set_label("step sweep")
    _sweep_panel(sweep_axes, check.sweep)
    outside = check.n_outside_budget
    verdict = (f"all {check.n_weights} weight gradients agree within the error budget" if outside == 0
               else f"{outside} of {check.n_weights} weight gradients are outside the error budget (×)")
    figure.suptitle(f"Analytic vs numerical weight gradients: layers {list(case['layers'])}, "
                    f"{case['activation']}, loss {get_loss(loss).name}, numerical by {check.method}"
                    f"\n{verdict}")
    return figure


def _heatmap(axes: Axes, layer: int, relative: NDArray, outside: NDArray, norm: Any,
             worst: tuple[int, int] | None) -> Any:
    shown = np.clip(relative, *_RELATIVE_ERROR_RANGE)
    image = axes.imshow(shown, norm=norm, cmap="viridis", aspect="auto", interpolation="nearest")
    rows, columns = relative.shape
    axes.set_title(f"layer {layer + 1}: W {rows}×{columns}\nworst relative error {relative.max():.1e}",
                   fontsize=10)
    axes.set_xlabel("unit (column of W)")
    axes.set_ylabel("input (row of W)")
    inputs = "x" if layer == 0 else "a"
    row_names = ["1 (bias)" if layer == 0 else "a0"] + [f"{inputs}{r}" for r in range(1, rows)]
    if rows <= 16:
        axes.set_yticks(range(rows), row_names)
    if columns <= 16:
        axes.set_xticks(range(columns))
    if rows * columns <= 48:
        for (row, column), value in np.ndenumerate(relative):
            bright = norm(max(value, _RELATIVE_ERROR_RANGE[0])) > 0.6
            axes.text(column, row + 0.3, f"{value:.0e}", ha="center", va="center", fontsize=7,
                      color="black" if bright else "white")
    marked_rows, marked_columns = np.nonzero(outside)
    axes.scatter(marked_columns, marked_rows, marker="x", color="red", s=40, linewidths=1.5)
    if worst is not None:
        axes.add_patch(_rectangle(worst))
    return image


def _rectangle(cell: tuple[int, int]) -> Any:
    from matplotlib.patches import Rectangle

    row, column = cell
    return Rectangle((column - 0.5, row - 0.5), 1, 1, fill=False, edgecolor="red", linewidth=2)


def _sweep_panel(axes: Axes, sweep: StepSweep) -> None:
    row, column = sweep.index
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
    axes.set_title(f"worst weight: layer {sweep.layer + 1}, W[{row}, {column}]; "
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
    u = np.linspace(X[:, 0].min() - margin, X[:, 0].max() + margin, 121)
    v = np.linspace(X[:, 1].min() - margin, X[:, 1].max() + margin, 121)
    U, V = np.meshgrid(u, v)
    grid = np.column_stack([U.ravel(), V.ravel()])
    output = _predict_all(run["network"], grid).reshape(U.shape)
    surface = axes.contourf(U, V, output, levels=np.linspace(-0.25, 1.25, 13), cmap="coolwarm", extend="both")
    axes.contour(U, V, output, levels=[0.5], colors="black", linewidths=1.5)
    axes.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", vmin=-0.25, vmax=1.25, edgecolors="black", s=80)
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
        pairs = _finite(f"runs[{i}]['losses']", run["losses"] if len(run["losses"]) else np.empty((0, 2)))
        if pairs.ndim != 2 or pairs.shape[1] != 2:
            raise ValueError(f"runs[{i}]['losses'] must be a list of (epoch, loss) pairs, "
                             f"got shape {pairs.shape}")
        if np.any(pairs[:, 1] < 0):
            raise ValueError(f"runs[{i}]['losses'] holds a negative loss")
        X = _finite(f"runs[{i}]['X']", run.get("X", XOR_INPUTS))
        y = _finite(f"runs[{i}]['y']", run.get("y", XOR_TARGETS)).reshape(-1)
        if X.ndim != 2 or X.shape[1] != 2 or y.shape != (X.shape[0],):
            raise ValueError(f"runs[{i}]['X'] must be (n, 2) and runs[{i}]['y'] (n,), "
                             f"got {X.shape} and {y.shape}")
        checked.append({**run, "losses": (pairs[:, 0], pairs[:, 1]), "X": X, "y": y})
    return checked


# ----------------------------------------------------------------------------- helpers


def _finite(name: str, value: Any) -> NDArray:
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be numbers, not {type(value).__name__}") from None
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} holds a NaN or an infinity")
    return array


def _matplotlib() -> tuple[Any, Any]:
    """matplotlib's Figure and LogNorm, or an ImportError saying how to install it."""
    try:
        from matplotlib.colors import LogNorm
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("drawing plots needs matplotlib: pip install 'backprop[plot]'") from None
    return Figure, LogNorm


def _save(figure: Figure, path: str | Path) -> Path:
    path = Path(path)
    if path.parent != Path("") and not path.parent.is_dir():
        raise ValueError(f"cannot write {path}: the directory {path.parent} does not exist")
    figure.savefig(path, dpi=110)
    return path
