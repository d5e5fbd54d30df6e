"""The pictures show what they claim: the right panels, and a planted bug where it was planted."""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from implementations import update_lr_twice

from backprop import NeuralNetwork
from backprop.network import Layer
from backprop.plots import _check_figure, _demo_figure, gradient_check, write_check_plot, write_demo_plot

pytest.importorskip("matplotlib")

ROOT = Path(__file__).resolve().parents[1]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _case(layers: list[int], activation: str = "tanh", seed: int = 0) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    network = NeuralNetwork(layers, activation, rng=rng)
    return {
        "layers": layers,
        "activation": activation,
        "x": rng.uniform(-1, 1, layers[0]).tolist(),
        "y": rng.uniform(-1, 1, layers[-1]).tolist(),
        "weights": [layer.weight.tolist() for layer in network.layers],
        "learning_rate": 0.1,
    }


def _load_example(name: str) -> Any:
    path = ROOT / "examples" / "tutorial" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"tutorial_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _BiasFrozenAtInit(Layer):
    """A planted bug: forward uses the bias row it had when built, so W[0] set later has no effect,
    while backward and aᵀδ still claim a gradient for it."""

    def forward(self, x: Any) -> Any:
        if not hasattr(self, "_bias_at_init"):
            self._bias_at_init = self.weight[0].copy()
        x = np.asarray(x)
        z = np.dot(x[..., 1:], self.weight[1:]) + x[..., :1] * self._bias_at_init
        self.A = self.activation(z)
        self.dZ = self.activation_prime(z)
        return self.A


def _frozen_bias_network(layers: list[int], activation: str) -> NeuralNetwork:
    network = NeuralNetwork(layers, activation, rng=1)
    first = network.layers[0]
    first.__class__ = _BiasFrozenAtInit
    first.forward(np.ones(first.weight.shape[0]))  # remembers the bias row of the random init
    return network


class _WrongUnitLayer(Layer):
    """A planted bug: a hidden layer's delta for unit 1 comes out halved."""

    def backward(self, y: Any, rightLayer: Any) -> Any:
        delta = super().backward(y, rightLayer)
        delta[..., 1] *= 0.5
        return delta


def _wrong_unit_network(layers: list[int], activation: str) -> NeuralNetwork:
    network = NeuralNetwork(layers, activation)
    network.layers[0].__class__ = _WrongUnitLayer
    return network


def _heatmaps(figure: Any) -> list[Any]:
    return [axes for axes in figure.axes if axes.get_label().startswith("heatmap layer")]


@pytest.mark.parametrize("layers", [[2, 1], [2, 3, 1], [3, 4, 2, 2]])
def test_check_figure_has_one_heatmap_per_layer_a_colour_bar_and_the_step_sweep(layers: list[int]) -> None:
    figure = _check_figure(NeuralNetwork, _case(layers))
    labels = [axes.get_label() for axes in figure.axes]
    assert labels.count("colorbar") == 1
    assert labels.count("step sweep") == 1
    assert [axes.get_label() for axes in _heatmaps(figure)] == [
        f"heatmap layer {i}" for i in range(1, len(layers))]
    assert len(figure.axes) == len(layers) - 1 + 2
    shapes = [axes.images[0].get_array().shape for axes in _heatmaps(figure)]
    assert shapes == [np.shape(w) for w in _case(layers)["weights"]]


def test_the_reference_network_agrees_everywhere() -> None:
    check = gradient_check(NeuralNetwork, _case([2, 3, 1]))
    assert check.n_outside_budget == 0
    assert max(r.max() for r in check.relative_error) < 1e-6
    title = _check_figure(NeuralNetwork, _case([2, 3, 1]))._suptitle
    assert title is not None and "all 16 weight gradients agree" in title.get_text()


def test_with_a_failed_battery_the_title_says_so_however_well_the_gradients_agree() -> None:
    """Gradients that agree at one case do not overrule the battery: the title gives both."""
    failed = list(update_lr_twice.EXPECTED_FAILED)
    text = " ".join(_check_figure(update_lr_twice.make, _case([2, 3, 1]), battery_failed=failed,
                                  case_of="update-is-sgd-step").get_suptitle().split())
    assert "all 16 weight gradients agree within the error budget at this case" in text
    assert "the smallest failing case of update-is-sgd-step" in text
    assert "the battery failed: update-is-sgd-step, fit-one-sample, fit-two-samples" in text
    passed = _check_figure(NeuralNetwork, _case([2, 3, 1]), battery_failed=[]).get_suptitle()
    assert "the battery passed every check it ran" in passed and "failed" not in passed
    alone = _check_figure(NeuralNetwork, _case([2, 3, 1])).get_suptitle()
    assert "battery" not in alone


def test_the_title_is_in_the_pictures_metadata(tmp_path: Path) -> None:
    from PIL import Image

    written = write_check_plot(tmp_path / "check.png", NeuralNetwork, _case([2, 1]),
                               battery_failed=["fit-one-sample"])
    with Image.open(written) as image:
        title = image.info["Title"]
    assert "agree within the error budget at this case" in title
    assert "the battery failed: fit-one-sample" in title


@settings(max_examples=8)
@given(hidden=st.lists(st.integers(1, 4), max_size=2), inputs=st.integers(1, 3), outputs=st.integers(1, 3),
       activation=st.sampled_from(["tanh", "sigmoid"]), seed=st.integers(0, 2**16))
def test_the_reference_network_is_never_marked_wrong(hidden: list[int], inputs: int, outputs: int,
                                                      activation: str, seed: int) -> None:
    """Whatever the shapes, the picture's analytic side lines up with the numerical one, weight for weight."""
    layers = [inputs, *hidden, outputs]
    check = gradient_check(NeuralNetwork, _case(layers, activation, seed))
    assert check.n_outside_budget == 0
    weights = _case(layers, activation, seed)["weights"]
    assert [a.shape for a in check.analytic] == [np.shape(w) for w in weights]
    assert max(r.max() for r in check.relative_error) < 1e-4
    array, index = check.worst
    assert check.relative_error[array][index] == max(r.max() for r in check.relative_error)


def test_a_frozen_bias_row_is_the_bright_row_of_its_heatmap() -> None:
    figure = _check_figure(_frozen_bias_network, _case([3, 4, 1], seed=2))
    plotted = np.asarray(_heatmaps(figure)[0].images[0].get_array())
    assert plotted[0].min() > 1e-2
    assert plotted[1:].max() < 1e-6
    layer_2 = np.asarray(_heatmaps(figure)[1].images[0].get_array())
    assert layer_2.max() < 1e-6


def test_a_wrong_unit_is_the_bright_column_of_its_heatmap() -> None:
    check = gradient_check(_wrong_unit_network, _case([2, 3, 1], seed=3))
    first = check.relative_error[0]
    assert first[:, 1].min() > 1e-2
    assert np.delete(first, 1, axis=1).max() < 1e-6
    assert check.worst[0] == 0 and check.worst[1][1] == 1


def test_the_step_sweep_shows_both_regimes_around_the_chosen_step() -> None:
    sweep = gradient_check(NeuralNetwork, _case([2, 3, 1], "sigmoid")).sweep
    errors = sweep.errors
    best = np.nanargmin(errors)
    assert 1e-9 < sweep.steps[best] < 1e-3
    assert errors[0] > 100 * errors[best]  # rounding dominates at h = 1e-14
    assert errors[-1] > 100 * errors[best]  # truncation dominates at h = 0.1
    assert abs(sweep.analytic - sweep.reference) < 1e-8 * max(1.0, abs(sweep.reference))
    assert sweep.chosen_step is not None and sweep.steps[0] < sweep.chosen_step < sweep.steps[-1]


def test_the_crosses_are_the_elements_the_checker_rejects() -> None:
    """The per-element marks agree, in number, with backprop.numerical.compare's verdict."""
    from backprop.numerical import compare, weight_gradient_estimates

    buggy = _load_example("mynet")
    case = _case([2, 3, 2], "sigmoid", seed=6)
    check = gradient_check(buggy.make, case)
    network = buggy.make([2, 3, 2], "sigmoid")
    for layer, weight in zip(network.layers, case["weights"], strict=True):
        layer.weight[...] = weight
    estimates = weight_gradient_estimates(network, np.concatenate(([1.0], case["x"])), np.array(case["y"]))
    for outside, analytic, estimate in zip(check.outside, check.analytic, estimates, strict=True):
        assert np.count_nonzero(outside) == compare(analytic, estimate).n_mismatched
    assert check.n_outside_budget > 0


def test_the_articles_warned_mistake_shows_as_an_analytic_error_far_above_the_sweep() -> None:
    buggy = _load_example("mynet")
    check = gradient_check(buggy.make, _case([2, 3, 1], "tanh", seed=4))
    assert check.n_outside_budget > 0
    assert abs(check.sweep.analytic - check.sweep.reference) > 1e4 * np.nanmin(check.sweep.errors)
    fixed = _load_example("mynet_fixed")
    assert gradient_check(fixed.make, _case([2, 3, 1], "tanh", seed=4)).n_outside_budget == 0


class _MseOutputLayer(Layer):
    """An output layer whose backward differentiates the mean squared error, ‖A − y‖² / n_out."""

    def backward(self, y: Any, rightLayer: Any) -> Any:
        self.delta = np.atleast_2d((self.A - y) * 2 / self.weight.shape[1] * self.dZ)
        return self.delta


def _mse_network(layers: list[int], activation: str) -> NeuralNetwork:
    network = NeuralNetwork(layers, activation)
    network.layers[-1].__class__ = _MseOutputLayer
    return network


@pytest.mark.parametrize(("factory", "loss", "agrees"), [
    (NeuralNetwork, "half_sse", True), (NeuralNetwork, "mse", False),
    (_mse_network, "mse", True), (_mse_network, "half_sse", False),
])
def test_the_numerical_side_follows_the_declared_loss(factory: Any, loss: str, agrees: bool) -> None:
    """The network's backward is given y; the loss says what it should be differentiating."""
    check = gradient_check(factory, _case([2, 3, 4], "sigmoid", seed=5), loss)
    worst = max(r.max() for r in check.relative_error)
    assert (check.n_outside_budget == 0) == agrees
    assert worst < 1e-6 if agrees else worst > 0.3  # mse is half of half_sse with four outputs


def test_the_check_leaves_the_case_weights_in_place() -> None:
    built = []

    def factory(layers: list[int], activation: str) -> NeuralNetwork:
        built.append(NeuralNetwork(layers, activation))
        return built[-1]

    case = _case([2, 3, 1])
    gradient_check(factory, case)
    for layer, weight in zip(built[0].layers, case["weights"], strict=True):
        assert np.array_equal(layer.weight, np.array(weight))


def test_write_check_plot_writes_a_png_and_returns_its_path(tmp_path: Path) -> None:
    written = write_check_plot(tmp_path / "check.png", NeuralNetwork, _case([2, 2, 1]), "half_sse")
    assert written == tmp_path / "check.png"
    assert written.read_bytes()[:8] == PNG_MAGIC
    assert written.stat().st_size > 10_000


@pytest.mark.parametrize(("change", "error", "words"), [
    (lambda case: case.pop("weights"), ValueError, "missing the key(s) weights"),
    (lambda case: case.update(x=[1.0, 2.0, 3.0]), ValueError, "has 3 values but the network takes 2"),
    (lambda case: case.update(y=[1.0, 2.0]), ValueError, "has 2 values but the network has 1 outputs"),
    (lambda case: case["weights"].pop(), ValueError, "holds 1 arrays but the network has 2"),
    (lambda case: case["weights"].__setitem__(0, [[1.0]]), ValueError, "has shape (1, 1) but the network's"),
    (lambda case: case.update(x=[float("nan"), 1.0]), ValueError, "non-finite value(s)"),
])
def test_a_bad_case_is_a_one_sentence_error(change: Any, error: type[Exception], words: str) -> None:
    case = _case([2, 3, 1])
    change(case)
    with pytest.raises(error, match=None) as raised:
        gradient_check(NeuralNetwork, case)
    assert words in str(raised.value)


def test_a_bad_factory_or_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="factory must be a callable"):
        write_check_plot(tmp_path / "x.png", "NeuralNetwork", _case([2, 1]))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="does not exist"):
        write_check_plot(tmp_path / "missing" / "x.png", NeuralNetwork, _case([2, 1]))
    with pytest.raises(ValueError, match="unknown loss"):
        write_check_plot(tmp_path / "x.png", NeuralNetwork, _case([2, 1]), "l1")


def test_without_matplotlib_the_error_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: Path) -> None:
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"pip install 'backprop-check\[plot\]'"):
        write_check_plot(tmp_path / "x.png", NeuralNetwork, _case([2, 1]))
    with pytest.raises(ImportError, match=r"pip install 'backprop-check\[plot\]'"):
        write_demo_plot(tmp_path / "x.png", _runs(["tanh"], epochs=10))


class _TinyModel:
    """The model-level protocol: one dense layer z = xW + b, tanh, ½‖A − y‖²; `bias_bug` drops ∂L/∂b."""

    def __init__(self, layers: list[int], activation: str, bias_bug: bool = False) -> None:
        self.W = np.zeros((layers[0], layers[-1]))
        self.b = np.zeros(layers[-1])
        self.bias_bug = bias_bug

    def parameters(self) -> list[Any]:
        return [self.W, self.b]

    def loss(self, x: Any, y: Any) -> float:
        return float(0.5 * np.sum((np.tanh(x @ self.W + self.b) - y) ** 2))

    def gradients(self, x: Any, y: Any) -> list[Any]:
        a = np.tanh(x @ self.W + self.b)
        delta = (a - y) * (1 - a**2)
        return [np.outer(x, delta), np.zeros_like(delta) if self.bias_bug else delta]


def _model_case(seed: int = 7) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    return {"layers": [3, 2], "activation": "tanh", "x": rng.uniform(-1, 1, 3).tolist(),
            "y": rng.uniform(-1, 1, 2).tolist(),
            "weights": [rng.uniform(-1, 1, (3, 2)).tolist(), rng.uniform(-1, 1, 2).tolist()]}


def test_a_model_level_implementation_gets_one_heatmap_per_parameter_array() -> None:
    figure = _check_figure(_TinyModel, _model_case())
    labels = [axes.get_label() for axes in figure.axes]
    assert labels == ["heatmap parameter 1", "heatmap parameter 2", "colorbar", "step sweep"]
    assert figure.axes[1].images[0].get_array().shape == (1, 2)  # the 1-D bias, drawn as one row
    assert gradient_check(_TinyModel, _model_case()).n_outside_budget == 0


def test_a_model_whose_bias_gradient_is_dropped_shows_it_in_the_bias_panel() -> None:
    check = gradient_check(lambda layers, activation: _TinyModel(layers, activation, bias_bug=True),
                           _model_case())
    assert check.protocol == "model-level"
    assert check.relative_error[1].min() > 0.5 and check.relative_error[0].max() < 1e-6
    assert check.worst[0] == 1 and check.sweep.array == 1


def test_an_implementation_that_raises_is_reported_by_the_call_that_raised() -> None:
    from backprop.battery.protocols import PluginError

    class Raising(Layer):
        def backward(self, y: Any, rightLayer: Any) -> Any:
            raise ZeroDivisionError("oops")

    def factory(layers: list[int], activation: str) -> NeuralNetwork:
        network = NeuralNetwork(layers, activation)
        network.layers[-1].__class__ = Raising
        return network

    with pytest.raises(PluginError, match=r"layer 2's backward \(output layer\) raised ZeroDivisionError"):
        gradient_check(factory, _case([2, 3, 1]))
    with pytest.raises(PluginError, match=r"^layer 2's backward \(output layer\) raised ZeroDivisionError"):
        _check_figure(factory, _case([2, 3, 1]))  # the same sentence from the sandboxed child


def _network_whose_backward(action: Any) -> Any:
    class Misbehaving(Layer):
        def backward(self, y: Any, rightLayer: Any) -> Any:
            return action()

    def factory(layers: list[int], activation: str) -> NeuralNetwork:
        network = NeuralNetwork(layers, activation)
        network.layers[-1].__class__ = Misbehaving
        return network

    return factory


def _sleep_forever() -> None:
    while True:
        time.sleep(1)


@pytest.mark.parametrize(("action", "words"), [
    (lambda: sys.exit(3), r"called sys.exit\(3\)"),
    (lambda: os._exit(0), "cannot draw the check: .*exit"),
    (_sleep_forever, "cannot draw the check: the implementation did not finish within 1"),
])
def test_an_implementation_that_exits_or_hangs_cannot_take_the_picture_down(
        action: Any, words: str, tmp_path: Path) -> None:
    from backprop.battery.protocols import PluginError

    with pytest.raises(PluginError, match=words):
        write_check_plot(tmp_path / "x.png", _network_whose_backward(action), _case([2, 1]), timeout=1.0)
    assert not (tmp_path / "x.png").exists()


# ----------------------------------------------------------------------------- demo


def _runs(activations: list[str], epochs: int = 2000, network_type: Any = None) -> list[dict[str, Any]]:
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    y = np.array([0, 1, 1, 0], dtype=float)
    runs = []
    for activation in activations:
        np.random.seed(0)
        network = (network_type or NeuralNetwork)([2, 2, 1], activation)
        losses = []
        for block in range(4):
            network.fit(X, y, learning_rate=0.2, epochs=epochs // 4)
            outputs = np.array([np.ravel(network.predict(x))[0] for x in X])
            losses.append(((block + 1) * (epochs // 4), float(0.5 * np.sum((outputs - y) ** 2))))
        runs.append({"activation": activation, "network": network, "losses": losses})
    return runs


def test_demo_figure_has_the_loss_curves_one_surface_per_run_and_a_colour_bar() -> None:
    runs = _runs(["tanh", "sigmoid", "relu"], epochs=400)
    figure = _demo_figure(runs)
    labels = [axes.get_label() for axes in figure.axes]
    assert labels == ["loss curves", "surface tanh", "surface sigmoid", "surface relu", "colorbar"]
    curves = figure.axes[0]
    assert [line.get_label() for line in curves.get_lines()] == ["tanh", "sigmoid", "relu"]
    for line, run in zip(curves.get_lines(), runs, strict=True):
        assert np.array_equal(line.get_ydata(), [loss for _, loss in run["losses"]])
        assert np.array_equal(line.get_xdata(), [epoch for epoch, _ in run["losses"]])


def test_the_decision_surface_is_the_networks_output() -> None:
    run = _runs(["tanh"], epochs=4000)[0]
    axes = _demo_figure([run]).axes[1]
    contour = next(c for c in axes.collections if hasattr(c, "levels") and len(c.levels) > 2)
    assert axes.get_xlim()[0] <= -0.5 and axes.get_xlim()[1] >= 1.5
    corner_high = float(np.ravel(run["network"].predict([0.0, 1.0]))[0])
    corner_low = float(np.ravel(run["network"].predict([0.0, 0.0]))[0])
    assert corner_high > 0.8 and corner_low < 0.2  # the run learned XOR, so the picture has two colours
    assert contour.levels.min() < corner_low and contour.levels.max() > corner_high


def test_demo_plot_takes_an_article_style_network_whose_predict_takes_one_sample(tmp_path: Path) -> None:
    article = _load_example("mynet_fixed")
    runs = _runs(["sigmoid"], epochs=200, network_type=article.make)
    written = write_demo_plot(tmp_path / "demo.png", runs)
    assert written.read_bytes()[:8] == PNG_MAGIC


def test_a_zero_loss_is_left_off_the_log_scale_rather_than_crashing() -> None:
    runs = _runs(["relu"], epochs=40)
    runs[0]["losses"] = [(0, 1.0), (10, 0.0), (20, 0.5)]
    line = _demo_figure(runs).axes[0].get_lines()[0]
    assert np.array_equal(line.get_ydata(), [1.0, 0.5])


@pytest.mark.parametrize(("runs", "error", "words"), [
    ([], ValueError, "non-empty list"),
    ({"activation": "tanh"}, ValueError, "non-empty list"),
    ([{"activation": "tanh", "losses": []}], ValueError, "keys activation, network, losses"),
    ([{"activation": "tanh", "network": object(), "losses": []}], TypeError, "has no predict method"),
    ([{"activation": "tanh", "network": NeuralNetwork([2, 1]), "losses": [1.0, 2.0]}], ValueError,
     "(epoch, loss) pairs"),
    ([{"activation": "tanh", "network": NeuralNetwork([2, 1]), "losses": [(0, -1.0)]}], ValueError,
     "negative loss"),
    ([{"activation": "tanh", "network": NeuralNetwork([2, 1]), "losses": [(0, 1.0)], "X": [[0, 0, 0]]}],
     ValueError, "must be (n, 2)"),
])
def test_bad_runs_are_a_one_sentence_error(runs: Any, error: type[Exception], words: str) -> None:
    with pytest.raises(error) as raised:
        _demo_figure(runs)
    assert words in str(raised.value)
