"""The ground truth under tests/styles/, verified without the battery.

For every entry the network is built through its own interface (the layer protocol, its adapter,
or its layer objects), its parameters are set to seeded random values in place, and what it
computes is measured here against finite differences of the declared loss of its own output:
a correct entry's gradients (or steps) agree within the numerical error budget; a planted bug's
are wrong exactly as its docstring says (the ratio is f'(z), the factor is the learning rate, the
gradient is the transpose, ...).  The forward pass is recomputed here from the parameters alone,
in one convention (z = a·W + b, rows), and must equal the entry's own output: that is what makes
the ratios below statements about the entry and not about this file.
"""

from __future__ import annotations

import random
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray
from styles import catalogue

from backprop.activations import get_activation
from backprop.battery import CHECK_IDS
from backprop.findings import BACKPROP_MISTAKES, KINDS
from backprop.losses import get_loss
from backprop.numerical import central_difference, compare, parameter_gradient_estimates

CATALOGUE = catalogue()
BUGS = sorted(name for name, module in CATALOGUE.items() if module.EXPECTED_FAILED)
CORRECT = sorted(name for name, module in CATALOGUE.items() if not module.EXPECTED_FAILED)
FOLDER = Path(__file__).parent / "styles"

PROTOCOLS = ("layer-level", "model-level", "layer-objects")
SCHEMES = ("one-random-sample", "full-batch-sum", "full-batch-mean", "mini-batch")
BIASES = ("first", "last", "separate")
COLUMN_STYLES = ("nielsen-column", "params-dict", "column-matmul")
"""Styles whose weights are (n_out, n_in), applied as W·a."""
OUTPUT_ACTIVATION = {
    # entries whose output layer is not the hidden activation
    "rows_bce_sigmoid": "sigmoid", "bce_declared_half_sse": "sigmoid", "rows_bce_extra_fprime": "sigmoid",
    "mnist_784_64_10": "linear", "mnist_extra_fprime": "linear",
    "two_layer_net": "linear", "two_layer_net_wrong_axis": "linear",
}
OUTPUT_BY_STYLE = {"cs231n-layers": "linear", "softmax-rows": "linear"}
"""Styles whose output layer is linear: CS231n's scores, softmax's logits."""
DEFAULT_LAYERS = (3, 4, 3, 2)
OUTPUT = 1_000
"""The layer number that stands for the output layer, whatever the depth."""
LEARNING_RATE = 0.1
"""An SGD step is linear in its learning rate, so a step derives the gradient exactly at any rate."""
LARGE = 4096
"""Arrays with more elements get no element-by-element finite differences (only directional ones)."""


# ---------------------------------------------------------------- what an entry is asked to build


def layers_of(name: str) -> list[int]:
    module = CATALOGUE[name]
    if "layers" in module.DECLARE:
        return list(module.DECLARE["layers"][0])
    if "more than one hidden layer" in module.LEFT_OUT:
        return [3, 4, 2]
    return list(DEFAULT_LAYERS)


def activation_of(name: str) -> str:
    module = CATALOGUE[name]
    if "activation" in module.DECLARE:
        return str(module.DECLARE["activation"][0])
    return "relu" if "tanh" in module.LEFT_OUT else "tanh"


def activations_of(name: str) -> list[str]:
    """The activations an entry can be built with: all three, less what it leaves out or declares."""
    module = CATALOGUE[name]
    names = [a for a in ("tanh", "sigmoid", "relu") if a not in module.LEFT_OUT]
    return [a for a in names if a in module.DECLARE.get("activation", names)]


def function(name: str) -> tuple[Callable[[NDArray], NDArray], Callable[[NDArray], NDArray]]:
    if name == "linear":
        return (lambda z: z), (lambda z: np.ones_like(z))
    chosen = get_activation(name)
    return chosen.function, chosen.derivative


# ---------------------------------------------------------------- one view of every protocol


@dataclass
class View:
    """What this file reads of a network: live parameters by name, its output, its gradient or step."""

    net: Any
    params: dict[str, NDArray]
    predict: Callable[[NDArray], NDArray]
    gradients: Callable[[NDArray, NDArray], dict[str, NDArray]] | None = None
    step: Callable[[NDArray, NDArray, float], None] | None = None


def view_of(name: str, net: Any, loss_gradient: Callable[[NDArray, NDArray], NDArray]) -> View:
    module = CATALOGUE[name]
    if module.PROTOCOL == "layer-level":
        return layer_level_view(net, module.BIAS)
    if module.PROTOCOL == "model-level":
        return model_level_view(net)
    layers = net.layers if hasattr(net, "layers") else net
    if hasattr(layers[0], "forward_propagation"):
        return medium_view(net, layers, loss_gradient)
    return nnfs_view(net, layers, loss_gradient)


def with_one(x: NDArray, bias: str) -> NDArray:
    return np.concatenate(([1.0], x)) if bias == "first" else np.concatenate((x, [1.0]))


def layer_level_view(net: Any, bias: str) -> View:
    layers = net.layers

    def forward(x: NDArray) -> NDArray:
        a = with_one(x, bias)
        for layer in layers:
            a = layer.forward(a)
        return np.ravel(a)

    def step(x: NDArray, y: NDArray, learning_rate: float) -> None:
        """The article's fit loop for one sample: forward, backward right to left, update left to right."""
        a = x1 = with_one(x, bias)
        for layer in layers:
            a = layer.forward(a)
        delta = layers[-1].backward(y, None)
        for k in range(len(layers) - 2, -1, -1):
            delta = layers[k].backward(delta, layers[k + 1])
        a = x1
        for layer in layers:
            layer.update(learning_rate, a)
            a = layer.A

    return View(net, {f"W{k}": layer.weight for k, layer in enumerate(layers, 1)}, forward, step=step)


def model_level_view(net: Any) -> View:
    def named(arrays: Any) -> dict[str, NDArray]:
        if isinstance(arrays, dict):
            return dict(arrays)
        return {f"p{k}": array for k, array in enumerate(arrays)}

    gradients = None
    if callable(getattr(net, "gradients", None)):
        gradients = lambda x, y: named(net.gradients(x, y))
    return View(net, named(net.parameters()), lambda x: np.ravel(net.predict(x)), gradients,
                getattr(net, "step", None))


def by_layer(layers: list[Any], weight: str, bias: str) -> dict[str, NDArray]:
    """{"W1": ..., "b1": ..., "W2": ...}: two attributes of each layer object that has weights."""
    dense = [layer for layer in layers if hasattr(layer, "weights")]
    return {name: getattr(d, attribute) for k, d in enumerate(dense, 1)
            for name, attribute in ((f"W{k}", weight), (f"b{k}", bias))}


def nnfs_view(net: Any, layers: list[Any], loss_gradient: Callable[..., NDArray]) -> View:
    params = by_layer(layers, "weights", "biases")

    def forward(x: NDArray) -> NDArray:
        a = np.atleast_2d(x)
        for layer in layers:
            layer.forward(a)
            a = layer.output
        return np.ravel(a)

    def gradients(x: NDArray, y: NDArray) -> dict[str, NDArray]:
        dvalues = loss_gradient(np.atleast_2d(forward(x)), np.atleast_2d(y))
        for layer in reversed(layers):
            layer.backward(dvalues)
            dvalues = layer.dinputs
        return by_layer(layers, "dweights", "dbiases")

    return View(net, params, forward, gradients)


def medium_view(net: Any, layers: list[Any], loss_gradient: Callable[..., NDArray]) -> View:
    params = by_layer(layers, "weights", "bias")

    def forward(x: NDArray) -> NDArray:
        a = np.atleast_2d(x)
        for layer in layers:
            a = layer.forward_propagation(a)
        return np.ravel(a)

    def step(x: NDArray, y: NDArray, learning_rate: float) -> None:
        error = loss_gradient(np.atleast_2d(forward(x)), np.atleast_2d(y))
        for layer in reversed(layers):
            error = layer.backward_propagation(error, learning_rate)

    return View(net, params, forward, step=step)


# ---------------------------------------------------------------- the same network in one convention


def canonical(name: str, arrays: dict[str, NDArray], n_inputs: int) -> list[tuple[NDArray, NDArray | None]]:
    """(W, b) per layer with z = a·W + b, from the entry's parameters (or anything shaped like them)."""
    module = CATALOGUE[name]
    values = [np.asarray(a, dtype=float) for a in arrays.values()]
    if module.BIAS != "separate":  # a bias row inside W: the layer level's, or an augmented model's
        layers: list[tuple[NDArray, NDArray | None]] = []
        width = n_inputs
        for W in values:
            if W.shape[0] == width + 1:
                layers.append((W[1:], W[0]) if module.BIAS == "first" else (W[:-1], W[-1]))
            else:
                layers.append((W, None))
            width = W.shape[1]
        return layers
    pairs = list(zip(values[0::2], values[1::2], strict=True))
    if module.STYLE in COLUMN_STYLES:
        return [(W.T, b.ravel()) for W, b in pairs]
    return [(W, b.ravel()) for W, b in pairs]


@dataclass
class Forward:
    zs: list[NDArray]
    activations: list[NDArray]  # activations[0] is the input

    @property
    def output(self) -> NDArray:
        return self.activations[-1]


def forward_of(layers: list[tuple[NDArray, NDArray | None]], x: NDArray, hidden: str, output: str,
               truncate_first: bool = False) -> Forward:
    zs, activations = [], [np.asarray(x, dtype=float)]
    for k, (W, b) in enumerate(layers):
        z = activations[-1] @ W + (0 if b is None else b)
        if truncate_first and k == 0:
            z = np.trunc(z)
        zs.append(z)
        activations.append(function(output if k == len(layers) - 1 else hidden)[0](z))
    return Forward(zs, activations)


# ---------------------------------------------------------------- one entry, built and measured


@dataclass
class Probe:
    """An entry's network at seeded random parameters, one sample, and what is measured about it."""

    name: str
    seed: int = 0
    layers: list[int] = field(default_factory=list)
    activation: str = ""
    factory: Callable[..., Any] | None = None
    """Another entry's make, to run this entry's ground truth on that entry's code."""

    def __post_init__(self) -> None:
        self.module: ModuleType = CATALOGUE[self.name]
        self.make = self.factory or self.module.make
        self.layers = self.layers or layers_of(self.name)
        self.hidden = self.activation or activation_of(self.name)
        self.output_activation = OUTPUT_ACTIVATION.get(
            self.name, OUTPUT_BY_STYLE.get(self.module.STYLE, self.hidden))
        self.loss = get_loss(self.module.DECLARE.get("loss", "half_sse"))
        self.l2 = float(self.module.DECLARE.get("l2", 0.0))
        self.view = self.build()
        rng = np.random.default_rng(self.seed)
        self.x = rng.uniform(-1, 1, self.layers[0])
        if self.loss.name == "softmax_ce":
            self.y = np.eye(self.layers[-1])[int(rng.integers(self.layers[-1]))]
        else:
            self.y = rng.uniform(0.1, 0.9, self.layers[-1])

    def build(self) -> View:
        """The network, its parameters overwritten in place with seeded values of a moderate scale."""
        np.random.seed(self.seed)
        net = self.make(self.layers, self.hidden)
        view = view_of(self.name, net, self.loss.gradient)
        rng = np.random.default_rng(1000 + self.seed)
        for array in view.params.values():
            scale = min(1.0, 3 / np.sqrt(array.size))
            array[...] = rng.uniform(-1, 1, array.shape) * scale
        return view

    @property
    def n_outputs(self) -> int:
        return self.layers[-1]

    def canon(self, arrays: dict[str, NDArray]) -> list[tuple[NDArray, NDArray | None]]:
        return canonical(self.name, arrays, self.layers[0])

    @property
    def weights(self) -> list[tuple[NDArray, NDArray | None]]:
        return self.canon(self.view.params)

    def forward(self, x: NDArray | None = None) -> Forward:
        return forward_of(self.weights, self.x if x is None else x, self.hidden, self.output_activation)

    def fprime(self, k: int, z: NDArray) -> NDArray:
        """f' of layer k (counted from 0; OUTPUT for the output layer) at z."""
        last = k >= len(self.weights) - 1
        return function(self.output_activation if last else self.hidden)[1](z)

    def objective(self, x: NDArray, y: NDArray, loss: Any = None) -> float:
        """The declared loss of the entry's own output, plus the declared L2 penalty on the weights."""
        value = float((loss or self.loss)(self.view.predict(x), y))
        if self.l2:
            value += 0.5 * self.l2 * sum(float(np.sum(W.astype(float) ** 2)) for W, _ in
                                         self.canon(self.view.params))
        return value

    def estimates(self, loss: Any = None, x: NDArray | None = None,
                  y: NDArray | None = None) -> dict[str, Any]:
        x = self.x if x is None else x
        y = self.y if y is None else y
        small = {k: p for k, p in self.view.params.items() if p.size <= LARGE}
        found = parameter_gradient_estimates(lambda: self.objective(x, y, loss), list(small.values()))
        return dict(zip(small, found, strict=True))

    @cached_property
    def numeric(self) -> dict[str, NDArray]:
        """∂(declared loss)/∂p by finite differences (NaN for the arrays too large to perturb one by one)."""
        found = self.estimates()
        return {k: found[k].value if k in found else np.full(p.shape, np.nan)
                for k, p in self.view.params.items()}

    def implementation(self, x: NDArray | None = None, y: NDArray | None = None,
                       learning_rate: float = LEARNING_RATE) -> dict[str, NDArray]:
        """The entry's gradient: gradients(x, y) where it has one, otherwise derived from one step."""
        x = self.x if x is None else x
        y = self.y if y is None else y
        if self.view.gradients is not None:
            found = self.view.gradients(x, y)  # a dict may come in another order (CS231n's: W3 first)
            return {k: np.array(found[k], dtype=float) for k in self.view.params}
        return self.step_gradient(x, y, learning_rate)

    def step_gradient(self, x: NDArray, y: NDArray, learning_rate: float) -> dict[str, NDArray]:
        """(before − after) / learning_rate of one step; the parameters are put back afterwards."""
        assert self.view.step is not None
        before = {k: p.copy() for k, p in self.view.params.items()}
        self.view.step(x, y, learning_rate)
        moved = {k: (before[k].astype(float) - p.astype(float)) / learning_rate
                 for k, p in self.view.params.items()}
        for k, p in self.view.params.items():
            p[...] = before[k]
        return moved

    @cached_property
    def impl(self) -> dict[str, NDArray]:
        return self.implementation()

    def impl_canon(self) -> list[tuple[NDArray, NDArray | None]]:
        return self.canon(self.impl)

    def numeric_canon(self) -> list[tuple[NDArray, NDArray | None]]:
        return self.canon(self.numeric)

    def true_deltas(self) -> list[NDArray]:
        """∂L/∂z of every layer, by backpropagation written here (checked against finite differences)."""
        fw, layers = self.forward(), self.weights
        deltas = [self.loss.gradient(fw.output, self.y) * self.fprime(OUTPUT, fw.zs[-1])]
        for k in range(len(layers) - 2, -1, -1):
            deltas.insert(0, (deltas[0] @ layers[k + 1][0].T) * self.fprime(k, fw.zs[k]))
        return deltas


def agree(probe: Probe, gradients: dict[str, NDArray] | None = None) -> list[str]:
    """The names of the arrays whose gradients differ from the finite differences beyond the budget."""
    gradients = probe.impl if gradients is None else gradients
    estimates = probe.estimates()  # the arrays small enough to perturb one by one
    return [k for k, e in estimates.items() if np.size(gradients[k]) != e.value.size
            or not compare(np.asarray(gradients[k]).reshape(e.value.shape), e).passed]


def close(a: Any, b: Any, rtol: float = 1e-7) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = max(float(np.max(np.abs(b), initial=0.0)), 1e-300)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= rtol * scale + 1e-15))


# ---------------------------------------------------------------- metadata


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_metadata_is_well_formed(name: str) -> None:
    module = CATALOGUE[name]
    doc = (module.__doc__ or "").strip()
    assert doc and "\n" not in doc, "a one-line docstring naming the mistake"
    assert doc.startswith("Correct: ") == (not module.EXPECTED_FAILED), doc
    assert isinstance(module.STYLE, str) and module.STYLE
    assert module.PROTOCOL in PROTOCOLS
    assert set(module.EXPECTED_FAILED) <= set(CHECK_IDS)
    in_order = [i for i in CHECK_IDS if i in module.EXPECTED_FAILED]
    assert list(module.EXPECTED_FAILED) == in_order, "in the battery's order"
    assert isinstance(module.EXPECTED_KINDS, dict)
    assert set(module.EXPECTED_KINDS) <= set(module.EXPECTED_FAILED)
    assert bool(module.EXPECTED_KINDS) == bool(module.EXPECTED_FAILED), "every bug names its kinds"
    for kinds in module.EXPECTED_KINDS.values():
        assert kinds and set(kinds) <= set(KINDS), kinds
    assert isinstance(module.DECLARE, dict)
    assert set(module.DECLARE) <= {"layers", "loss", "l2", "l2_biases", "activation", "hidden", "scheme",
                                   "bias"}
    if "scheme" in module.DECLARE:
        assert module.DECLARE["scheme"] == module.SCHEME
    if "loss" in module.DECLARE:
        get_loss(module.DECLARE["loss"])
    assert isinstance(module.LEFT_OUT, tuple)
    assert module.SCHEME in SCHEMES or module.SCHEME is None
    assert module.BIAS in BIASES
    imports = re.findall(r"^(?:from|import) (\w+)", (FOLDER / f"{name}.py").read_text(), re.MULTILINE)
    assert set(imports) <= {"numpy", "random", *CATALOGUE}, "standalone: numpy and its own style only"


def test_the_catalogue_has_what_it_promises() -> None:
    kinds = {kind for name in BUGS for found in CATALOGUE[name].EXPECTED_KINDS.values() for kind in found}
    promised = BACKPROP_MISTAKES
    assert promised <= kinds, promised - kinds
    other = [n for n in BUGS if not CATALOGUE[n].STYLE.startswith("article")]
    assert len(other) >= 15 and len(CORRECT) >= 5, (other, CORRECT)
    styles = {CATALOGUE[n].STYLE for n in CORRECT}
    assert {"float32", "nielsen-column", "params-dict", "nnfs-objects", "bias-last", "cs231n-layers",
            "einsum-call", "column-matmul", "softmax-rows", "augmented-rows"} <= styles
    assert {CATALOGUE[n].PROTOCOL for n in CATALOGUE} == set(PROTOCOLS)
    assert {CATALOGUE[n].SCHEME for n in CATALOGUE} >= set(SCHEMES)


# ---------------------------------------------------------------- the forward pass read right


EVERY_BUILD = [(n, a) for n in sorted(CATALOGUE) for a in activations_of(n)]


@pytest.mark.parametrize(("name", "activation"), EVERY_BUILD)
def test_the_forward_pass_recomputed_here_is_the_entrys_own(name: str, activation: str) -> None:
    probe = Probe(name, activation=activation)
    assert probe.view.params, "the parameters are found"
    assert close(probe.view.predict(probe.x), probe.forward().output, 1e-5), "the reading of the layout"


@pytest.mark.parametrize("name", ["nielsen_column", "rows_separate_bias", "rows_bce_sigmoid", "two_layer_net",
                                  "nnfs_objects", "article_as_published"])
def test_the_deltas_written_here_are_the_finite_differences(name: str) -> None:
    probe = Probe(name)
    deltas, numeric = probe.true_deltas(), probe.numeric_canon()
    fw = probe.forward()
    for k, (dW, db) in enumerate(numeric):
        assert close(np.outer(fw.activations[k], deltas[k]), dW, 1e-5)
        if db is not None:
            assert close(deltas[k], db, 1e-5)


# ---------------------------------------------------------------- correct entries


@pytest.mark.parametrize(("name", "activation"), [(n, a) for n in CORRECT if not n.startswith("mnist")
                                                  for a in activations_of(n)])
def test_a_correct_entry_has_the_gradient_of_its_declared_loss(name: str, activation: str) -> None:
    probe = Probe(name, activation=activation)
    assert agree(probe) == [], {k: (probe.impl[k], probe.numeric[k]) for k in probe.impl}
    if probe.view.step is not None and probe.view.gradients is not None:
        assert agree(probe, probe.step_gradient(probe.x, probe.y, LEARNING_RATE)) == []


GRADIENT_BUGS = [n for n in BUGS if "weight-gradient" in CATALOGUE[n].EXPECTED_FAILED]
STEP_BUGS = [n for n in BUGS if "update-is-sgd-step" in CATALOGUE[n].EXPECTED_FAILED
             and n != "step_only_momentum"]  # its first step is plain SGD; bug_momentum takes two


@pytest.mark.parametrize("name", GRADIENT_BUGS)
def test_a_bug_that_must_fail_weight_gradient_has_a_gradient_the_finite_differences_reject(name: str) -> None:
    assert agree(Probe(name))


@pytest.mark.parametrize("name", STEP_BUGS)
def test_a_bug_that_must_fail_update_is_sgd_step_takes_a_step_finite_differences_reject(name: str) -> None:
    probe = Probe(name)
    assert probe.view.step is not None
    assert agree(probe, probe.step_gradient(probe.x, probe.y, LEARNING_RATE))


def test_the_mnist_size_network_is_right_on_its_output_layer_and_in_every_direction() -> None:
    probe = Probe("mnist_784_64_10")
    assert [p.shape for p in probe.view.params.values()] == [(784, 64), (64,), (64, 10), (10,)]
    impl = probe.impl
    small = {k: p for k, p in probe.view.params.items() if k != "W1"}
    found = parameter_gradient_estimates(lambda: probe.objective(probe.x, probe.y), list(small.values()))
    for (k, _), estimate in zip(small.items(), found, strict=True):
        assert compare(impl[k], estimate).passed, k
    rng = np.random.default_rng(7)
    for _ in range(3):
        direction = {k: rng.standard_normal(p.shape) for k, p in probe.view.params.items()}
        slope = sum(float(np.sum(impl[k] * direction[k])) for k in impl)
        assert compare(np.array([slope]), directional_estimate(probe, direction)).passed


def directional_estimate(probe: Probe, direction: dict[str, NDArray]) -> Any:
    """The derivative of the declared loss along `direction` at the current parameters (then put back)."""
    start = {k: p.copy() for k, p in probe.view.params.items()}

    def along(t: NDArray) -> float:
        for k, p in probe.view.params.items():
            p[...] = start[k] + float(np.ravel(t)[0]) * direction[k]
        return probe.objective(probe.x, probe.y)

    try:
        return central_difference(along, np.zeros(1))
    finally:
        for k, p in probe.view.params.items():
            p[...] = start[k]


def test_a_float32_entry_computes_in_float32_and_is_right_to_float32_precision() -> None:
    probe = Probe("float32_rows")
    assert {p.dtype for p in probe.view.params.values()} == {np.dtype(np.float32)}
    assert {g.dtype for g in probe.view.gradients(probe.x, probe.y).values()} == {np.dtype(np.float32)}
    float64 = Probe("rows_separate_bias")
    exact = float64.implementation()
    for k in exact:
        assert close(probe.impl[k], exact[k], 1e-4) or np.allclose(probe.impl[k], exact[k], atol=1e-5), k


def test_float32_layer_objects_compute_in_float32_and_agree_with_their_float64_style() -> None:
    probe = Probe("nnfs_float32")
    assert {p.dtype for p in probe.view.params.values()} == {np.dtype(np.float32)}
    assert probe.view.gradients is not None
    assert {g.dtype for g in probe.view.gradients(probe.x, probe.y).values()} == {np.dtype(np.float32)}
    exact = Probe("nnfs_objects").implementation()  # the same seeded parameters, in float64
    for k in exact:
        assert close(probe.impl[k], exact[k], 1e-4) or np.allclose(probe.impl[k], exact[k], atol=1e-5), k


def batch_and_mean(probe: Probe) -> tuple[dict[str, NDArray], dict[str, NDArray]]:
    """gradients(X, Y) on three rows, and the mean of the three per-sample gradients."""
    rng = np.random.default_rng(3)
    X = rng.uniform(-1, 1, (3, probe.layers[0]))
    Y = rng.uniform(0.1, 0.9, (3, probe.layers[-1]))
    assert probe.view.gradients is not None
    batch = probe.view.gradients(X, Y)
    each = [probe.view.gradients(x, y) for x, y in zip(X, Y)]
    return batch, {k: np.mean([np.reshape(g[k], batch[k].shape) for g in each], axis=0) for k in batch}


BATCHED = [n for n in CORRECT if getattr(CATALOGUE[n].make(layers_of(n), activation_of(n)), "reduction", "")]


@pytest.mark.parametrize("name", BATCHED)
def test_a_batch_gradient_is_the_declared_reduction_of_the_samples(name: str) -> None:
    probe = Probe(name)
    reduction = probe.view.net.reduction
    assert reduction in ("mean", "sum")
    batch, mean = batch_and_mean(probe)
    rtol = 1e-5 if CATALOGUE[name].STYLE == "float32" else 1e-9
    rows = 1 if reduction == "mean" else 3
    for k in batch:
        assert close(batch[k], rows * mean[k], rtol), k


def bug_batch_summed(probe: Probe) -> None:
    assert probe.view.net.reduction == "mean"
    batch, mean = batch_and_mean(probe)
    for k in batch:
        assert close(batch[k], 3 * mean[k], 1e-9), k  # the sum of three samples, not their mean


@dataclass
class FitEpoch:
    """One epoch of fit on three rows, and the step on each row from the same start (÷ lr)."""

    moved: dict[str, NDArray]
    per_row: list[dict[str, NDArray]]
    chosen: int
    X: NDArray
    Y: NDArray


LR_FIT = 0.01


def fit_epoch(probe: Probe) -> FitEpoch:
    rng = np.random.default_rng(5)
    X = rng.uniform(-1, 1, (3, probe.layers[0]))
    Y = rng.uniform(0.1, 0.9, (3, probe.layers[-1]))
    per_row = [probe.step_gradient(x, y, LR_FIT) for x, y in zip(X, Y)]
    before = {k: p.copy() for k, p in probe.view.params.items()}
    np.random.seed(11)
    chosen = int(np.random.randint(3))  # the row the article's fit draws after np.random.seed(11)
    np.random.seed(11)
    probe.view.net.fit(X.copy(), Y.copy(), LR_FIT, 1)
    moved = {k: (before[k] - p) / LR_FIT for k, p in probe.view.params.items()}
    for k, p in probe.view.params.items():
        p[...] = before[k]
    return FitEpoch(moved, per_row, chosen, X, Y)


def scheme_step(epoch: FitEpoch, scheme: str) -> dict[str, NDArray]:
    if scheme == "one-random-sample":
        return epoch.per_row[epoch.chosen]
    total = {k: sum(g[k] for g in epoch.per_row) for k in epoch.moved}
    return total if scheme == "full-batch-sum" else {k: v / len(epoch.per_row) for k, v in total.items()}


FITTING = [n for n in CORRECT if CATALOGUE[n].PROTOCOL == "layer-level"]


@pytest.mark.parametrize("name", FITTING)
def test_fit_trains_as_its_scheme_says(name: str) -> None:
    probe = Probe(name)
    epoch = fit_epoch(probe)
    expected = scheme_step(epoch, CATALOGUE[name].SCHEME)
    for k in epoch.moved:
        assert close(epoch.moved[k], expected[k], 1e-6), k


def nielsen_fit(probe: Probe, X: NDArray, Y: NDArray, lr: float) -> list[NDArray]:
    data = [(x.reshape(-1, 1), y.reshape(-1, 1)) for x, y in zip(X, Y)]
    random.seed(4)
    order = list(range(len(data)))
    random.shuffle(order)
    random.seed(4)
    probe.view.net.SGD(data, 1, 2, lr)
    return [np.array(order[k:k + 2]) for k in range(0, len(order), 2)]


def rows_fit(probe: Probe, X: NDArray, Y: NDArray, lr: float) -> list[NDArray]:
    np.random.seed(4)
    order = np.random.permutation(len(X))
    np.random.seed(4)
    probe.view.net.fit(X, Y, lr, 1, batch_size=2)
    return [order[k:k + 2] for k in range(0, len(order), 2)]


def medium_fit(probe: Probe, X: NDArray, Y: NDArray, lr: float) -> list[NDArray]:
    probe.view.net.fit(X[:, None, :], Y[:, None, :], 1, lr)  # its samples are (1, n) rows
    return [np.array([k]) for k in range(len(X))]


MINI_BATCH_FITS = {
    "rows_separate_bias": rows_fit, "nielsen_column": nielsen_fit, "medium_fclayer": medium_fit,
}


@pytest.mark.parametrize("name", sorted(MINI_BATCH_FITS))
def test_a_mini_batch_fit_takes_one_step_per_batch_in_its_order(name: str) -> None:
    """One epoch of fit on four rows is the steps (each the batch mean) on its batches, one after another."""
    assert CATALOGUE[name].SCHEME == "mini-batch"
    fitted, stepped = Probe(name), Probe(name)
    rng = np.random.default_rng(6)
    X, Y = rng.uniform(-1, 1, (4, fitted.layers[0])), rng.uniform(0.1, 0.9, (4, fitted.layers[-1]))
    batches = MINI_BATCH_FITS[name](fitted, X.copy(), Y.copy(), 0.1)
    assert stepped.view.step is not None
    for rows in batches:
        if len(rows) == 1:
            stepped.view.step(X[rows[0]], Y[rows[0]], 0.1)
        else:  # the mean of the batch's per-sample steps, taken from the same point
            start = {k: p.copy() for k, p in stepped.view.params.items()}
            moves = [stepped.step_gradient(X[r], Y[r], 0.1) for r in rows]
            for k, p in stepped.view.params.items():
                p[...] = start[k] - 0.1 * np.mean([m[k] for m in moves], axis=0)
    for k, p in fitted.view.params.items():
        assert close(p, stepped.view.params[k], 1e-9), k


def test_a_full_batch_train_is_one_step_on_the_mean_of_the_columns() -> None:
    """column_full_batch's own train loop: one epoch on three samples (as columns) moves every array by
    the learning rate times the mean of the three per-sample gradients, the finite differences' ones."""
    module = CATALOGUE["column_full_batch"]
    assert module.SCHEME == "full-batch-mean"
    probe = Probe("column_full_batch")
    rng = np.random.default_rng(8)
    X, Y = rng.uniform(-1, 1, (3, probe.layers[0])), rng.uniform(0.1, 0.9, (3, probe.layers[-1]))
    each = [{k: e.value for k, e in probe.estimates(x=x, y=y).items()} for x, y in zip(X, Y)]
    before = {k: p.copy() for k, p in probe.view.params.items()}
    module.train(probe.view.net.net, X.T.copy(), Y.T.copy(), probe.view.net.activation, 0.1, 1)
    for k, p in probe.view.params.items():
        mean = np.mean([g[k] for g in each], axis=0)
        assert close((before[k] - p) / 0.1, mean, 1e-6) and not close(mean, each[0][k], 1e-3), k


def bug_wrong_target(probe: Probe) -> None:
    epoch = fit_epoch(probe)
    wrong = probe.step_gradient(epoch.X[epoch.chosen], epoch.Y[0], LR_FIT)
    assert epoch.chosen != 0, "a row whose target is not the first row's"
    assert all(close(epoch.moved[k], wrong[k], 1e-6) for k in epoch.moved)


def bug_fit_sums_for_mean(probe: Probe) -> None:
    epoch = fit_epoch(probe)
    declared = scheme_step(epoch, probe.module.SCHEME)
    assert probe.module.SCHEME == "full-batch-mean"
    assert all(close(epoch.moved[k], 3 * declared[k], 1e-6) for k in epoch.moved)


# ---------------------------------------------------------------- planted bugs, each as its docstring says


def output_ratio_is(probe: Probe, factor: NDArray) -> None:
    """The output layer's gradient is the true one times `factor`, unit by unit (column by column)."""
    (gW, gb), (nW, nb) = probe.impl_canon()[-1], probe.numeric_canon()[-1]
    assert close(gW, nW * factor, 1e-5)
    if gb is not None:
        assert close(gb, nb * factor, 1e-5)
    assert not np.allclose(factor, 1, rtol=1e-3), "the case shows the mistake"


def gradient_is_numeric_times(probe: Probe, factor: float) -> None:
    for k in probe.impl:
        assert close(probe.impl[k], factor * probe.numeric[k], 1e-5), k


def fw_out(probe: Probe) -> tuple[NDArray, NDArray]:
    fw = probe.forward()
    return fw.zs[-1], fw.output


def bug_fprime_of_output(probe: Probe) -> None:
    z, a = fw_out(probe)
    output_ratio_is(probe, probe.fprime(OUTPUT, a) / probe.fprime(OUTPUT, z))


def bug_article_fprime_of_output(probe: Probe) -> None:
    probe.view.predict(probe.x)
    for layer, z in zip(probe.view.net.layers, probe_zs_full(probe), strict=True):
        assert close(layer.dZ, function(probe.hidden)[1](function(probe.hidden)[0](z)))
    bug_fprime_of_output(probe)


def probe_zs_full(probe: Probe) -> list[NDArray]:
    """z of every layer of a layer-level network, including its bias rows."""
    a = with_one(probe.x, probe.module.BIAS)
    zs = []
    for layer in probe.view.net.layers:
        zs.append(a @ layer.weight)
        a = function(probe.hidden)[0](zs[-1])
    return zs


def bug_one_output_missing_fprime(probe: Probe) -> None:
    z, _ = fw_out(probe)
    assert z.shape == (1,)
    gradient_is_numeric_times(probe, float(1 / probe.fprime(OUTPUT, z)[0]))  # one factor for every weight


def bug_hidden_missing_fprime(probe: Probe) -> None:
    deltas, fw = probe.true_deltas(), probe.forward()
    k = len(deltas) - 2
    _, gb = probe.impl_canon()[k]
    assert close(gb, deltas[k] / probe.fprime(k, fw.zs[k]), 1e-6)
    assert close(probe.impl_canon()[-1][1], deltas[-1], 1e-6), "the output layer is right"


def bug_relu_unmasked(probe: Probe) -> None:
    fw = probe.forward()
    L = len(fw.zs)
    _, gb = probe.impl_canon()[-1]
    dA = probe.loss.gradient(fw.output, probe.y)
    assert close(gb, dA) and close(probe.numeric_canon()[-1][1], dA * (fw.zs[-1] > 0), 1e-6)
    assert any(np.any(z <= 0) for z in fw.zs[:L]), "some unit is off"


def bug_extra_fprime(probe: Probe) -> None:
    _, a = fw_out(probe)
    if probe.loss.name == "softmax_ce":
        a = np.exp(a - a.max()) / np.sum(np.exp(a - a.max()))
    output_ratio_is(probe, a * (1 - a))  # σ'(z) = a(1 − a) for a sigmoid; softmax's diagonal p(1 − p)


def bug_derivative(formula: Callable[[NDArray], NDArray]) -> Callable[[Probe], None]:
    def check(probe: Probe) -> None:
        z, _ = fw_out(probe)
        output_ratio_is(probe, formula(z) / probe.fprime(OUTPUT, z))
    return check


def bug_medium_tanh(probe: Probe) -> None:
    act = probe.view.net.layers[1]
    z = np.linspace(-2, 2, 9)
    assert close(act.activation_prime(z), 1 - np.tanh(z))
    assert not close(act.activation_prime(z), 1 / np.cosh(z) ** 2)
    bug_derivative(lambda z: 1 - np.tanh(z))(probe)


def bug_sign_flipped(probe: Probe) -> None:
    gradient_is_numeric_times(probe, -1.0)
    start = probe.objective(probe.x, probe.y)
    if probe.view.step is not None:
        probe.view.step(probe.x, probe.y, 1e-3)
        assert probe.objective(probe.x, probe.y) > start, "a small step climbs"


def bug_scaled(factor: Callable[[Probe], float]) -> Callable[[Probe], None]:
    return lambda probe: gradient_is_numeric_times(probe, factor(probe))


def bug_lr_on_weights_twice(probe: Probe) -> None:
    for k in probe.impl:
        factor = LEARNING_RATE if k.startswith("W") else 1.0  # the bias step is right
        assert close(probe.impl[k], factor * probe.numeric[k], 1e-6), k


def bug_transposed(probe: Probe) -> None:
    for k, g in probe.impl.items():
        weight = g.ndim == 2 and g.shape[1] > 1  # the biases are (n, 1) columns, and right
        assert close(g, probe.numeric[k].T if weight else probe.numeric[k], 1e-6), k
    assert not close(probe.impl["p0"], probe.numeric["p0"], 1e-3)


def stale_step(probe: Probe, learning_rate: float, dA: NDArray) -> list[tuple[NDArray, NDArray]]:
    """Each layer's move ÷ lr when its delta goes back through the already-updated right layer."""
    layers, fw = probe.weights, probe.forward()
    moves: list[tuple[NDArray, NDArray]] = []
    upstream = dA
    for k in range(len(layers) - 1, -1, -1):
        delta = upstream * probe.fprime(k, fw.zs[k])
        dW = np.outer(fw.activations[k], delta)
        moves.insert(0, (dW, delta))
        upstream = delta @ (layers[k][0] - learning_rate * dW).T
    return moves


def bug_stale_weights(probe: Probe) -> None:
    fw = probe.forward()
    dA = probe.loss.gradient(fw.output, probe.y)
    for lr in (0.5, 0.05):
        got = probe.canon(probe.step_gradient(probe.x, probe.y, lr))
        for (gW, gb), (sW, sb) in zip(got, stale_step(probe, lr, dA), strict=True):
            assert close(gW, sW, 1e-6) and close(gb, sb, 1e-6)
    first = probe.numeric_canon()[0][0]
    off = [np.max(np.abs(probe.canon(probe.step_gradient(probe.x, probe.y, lr))[0][0] - first))
           for lr in (0.1, 0.01)]
    assert 5 < off[0] / off[1] < 20, "the error grows with the learning rate"


def bug_left_pre_activation(probe: Probe) -> None:
    deltas, fw = probe.true_deltas(), probe.forward()
    got = probe.impl_canon()
    assert close(got[0][0], np.outer(fw.activations[0], deltas[0]), 1e-6), "the first layer's left is x"
    for k in range(1, len(got)):
        assert close(got[k][0], np.outer(fw.zs[k - 1], deltas[k]), 1e-6), k


def bug_wrong_upstream(probe: Probe) -> None:
    deltas, fw, layers = probe.true_deltas(), probe.forward(), probe.weights
    got = probe.impl_canon()
    assert close(got[-1][1], deltas[-1]) and close(got[-2][1], deltas[-2], 1e-6)
    assert close(got[0][1], (deltas[-1] @ layers[1][0].T) * probe.fprime(0, fw.zs[0]), 1e-6)
    assert not close(got[0][1], deltas[0], 1e-3)


def bug_summed_outputs(probe: Probe) -> None:
    z, a = fw_out(probe)
    assert close(probe.impl_canon()[-1][1], np.sum(a - probe.y) * probe.fprime(OUTPUT, z), 1e-6)


def bug_wrong_axis(probe: Probe) -> None:
    for k, g in probe.impl.items():
        if k.startswith("b"):
            assert g.size == 1 and close(np.ravel(g), [np.sum(probe.numeric[k])], 1e-6), k
        else:
            assert close(g, probe.numeric[k], 1e-6), k


def bug_loss_mismatch(probe: Probe) -> None:
    assert agree(probe), "wrong under the declared half-SSE"
    matched = get_loss(probe.module.MATCHES)
    for k, e in probe.estimates(matched).items():
        assert compare(probe.impl[k], e).passed, k


def bug_regularisation(probe: Probe) -> None:
    for k, p in probe.view.params.items():
        penalty = probe.l2 * p if p.ndim == 1 else 0
        assert close(probe.impl[k], probe.numeric[k] + penalty, 1e-6), k
    assert agree(probe) == [k for k, p in probe.view.params.items() if p.ndim == 1]


def bug_frozen(probe: Probe) -> None:
    moved = probe.step_gradient(probe.x, probe.y, LEARNING_RATE)
    for k, p in probe.view.params.items():
        if p.ndim == 1:
            assert not np.any(moved[k]) and np.any(probe.numeric[k]), k
        else:
            assert close(moved[k], probe.numeric[k], 1e-6), k


def bug_momentum(probe: Probe) -> None:
    lr = 0.1
    assert probe.view.step is not None
    start = {k: p.copy() for k, p in probe.view.params.items()}
    first = dict(probe.numeric)
    probe.view.step(probe.x, probe.y, lr)
    middle = {k: p.copy() for k, p in probe.view.params.items()}
    for k in start:
        assert close(start[k] - middle[k], lr * first[k], 1e-6), "the first step is plain SGD"
    second = {k: e.value for k, e in probe.estimates().items()}
    probe.view.step(probe.x, probe.y, lr)
    for k, p in probe.view.params.items():
        expected = lr * second[k] + 0.9 * (start[k] - middle[k])
        assert close(middle[k] - p, expected, 1e-6) and not close(middle[k] - p, lr * second[k], 1e-3), k


def bug_learning_rate_ignored(probe: Probe) -> None:
    moves = [{k: g * lr for k, g in probe.step_gradient(probe.x, probe.y, lr).items()} for lr in (0.1, 0.01)]
    for k in moves[0]:
        assert close(moves[0][k], moves[1][k]) and close(moves[0][k], 3.0 * probe.numeric[k], 1e-6), k


def bug_predict_cached(probe: Probe) -> None:
    other = np.random.default_rng(9).uniform(-1, 1, probe.layers[0])
    probe.view.net.forward(np.atleast_2d(other))
    assert close(probe.view.predict(probe.x), probe.forward(other).output)
    assert not close(probe.view.predict(probe.x), probe.forward().output, 1e-3)


def bug_input_dtype(probe: Probe) -> None:
    x = np.array([0, 1, 1][: probe.layers[0]] + [1] * max(0, probe.layers[0] - 3))
    as_ints, as_floats = probe.view.predict(x), probe.view.predict(x.astype(float))
    assert close(as_floats, probe.forward(x.astype(float)).output)
    truncated = forward_of(probe.weights, x, probe.hidden, probe.output_activation, truncate_first=True)
    assert close(as_ints, truncated.output) and not close(as_ints, as_floats, 1e-3)


def bug_bias_layout(probe: Probe) -> None:
    predicted = np.ravel(probe.view.net.predict(probe.x))
    assert close(probe.view.predict(probe.x), probe.forward().output), "fit's layout, [x, 1], is right"
    front = probe.view.net.layers
    a = np.concatenate(([1.0], probe.x))
    for layer in front:
        a = function(probe.hidden)[0](a @ layer.weight)
    assert close(predicted, a) and not close(predicted, probe.forward().output, 1e-3)


def bug_non_finite(probe: Probe) -> None:
    act = probe.view.net.layers[1]
    with warnings.catch_warnings(), np.errstate(over="ignore", invalid="ignore"):
        warnings.simplefilter("ignore")
        assert np.isnan(act.activation(np.array([800.0])))[0]
        assert close(act.activation(np.array([-2.0, 0.5])), function("sigmoid")[0](np.array([-2.0, 0.5])))
    assert agree(probe) == [], "finite where z is moderate: only large |z| shows it"


def bug_in_place(probe: Probe) -> None:
    fw = probe.forward()
    error = np.atleast_2d(probe.loss.gradient(np.atleast_2d(probe.view.predict(probe.x)), probe.y))
    given = error.copy()
    probe.view.net.layers[-1].backward_propagation(error, LEARNING_RATE)
    assert not close(error, given, 1e-3) and close(error, given * probe.fprime(OUTPUT, fw.zs[-1]))
    fresh = Probe(probe.name)
    assert agree(fresh) == [], "the gradients are right all the same"


def bug_nondeterministic(probe: Probe) -> None:
    runs = []
    for _ in range(2):
        np.random.seed(0)
        runs.append([p.copy() for p in probe.make(probe.layers, probe.hidden).parameters()])
    assert any(not np.array_equal(a, b) for a, b in zip(*runs, strict=True))
    assert agree(probe) == []


def backprop_with(probe: Probe, prime: Callable[[int, NDArray], NDArray] | None = None,
                  through: Callable[[int], NDArray] | None = None) -> list[NDArray]:
    """∂L/∂z of every layer as backpropagation computes it with one piece replaced: the f' of layer k
    at z (`prime`), or the weights layer k's delta comes back through from layer k + 1 (`through`)."""
    fw, layers = probe.forward(), probe.weights
    prime = prime or probe.fprime
    through = through or (lambda k: layers[k + 1][0])
    deltas = [probe.loss.gradient(fw.output, probe.y) * prime(len(layers) - 1, fw.zs[-1])]
    for k in range(len(layers) - 2, -1, -1):
        deltas.insert(0, (deltas[0] @ through(k).T) * prime(k, fw.zs[k]))
    return deltas


def gradient_is(probe: Probe, deltas: list[NDArray], lefts: list[NDArray] | None = None) -> None:
    """The entry's gradient is outer(left, δ) (and δ for a bias) of the given deltas, layer by layer;
    the left activations are the layers' inputs unless given."""
    fw = probe.forward()
    lefts = fw.activations[:-1] if lefts is None else lefts
    for k, ((gW, gb), delta) in enumerate(zip(probe.impl_canon(), deltas, strict=True)):
        assert close(gW, np.outer(lefts[k], delta), 1e-6), k
        if gb is not None:
            assert close(gb, delta, 1e-6), k


def bug_hidden_fprime_of_output(probe: Probe) -> None:
    """Every hidden layer's f' is taken at its output f(z); the (linear) output layer is right."""
    last = len(probe.weights) - 1
    f = function(probe.hidden)[0]
    gradient_is(probe, backprop_with(probe, prime=lambda k, z: probe.fprime(k, f(z) if k < last else z)))


def bug_hidden_delta_through_w(probe: Probe) -> None:
    """A hidden delta comes back as δ·W where δ·Wᵀ belongs."""
    layers = probe.weights
    gradient_is(probe, backprop_with(probe, through=lambda k: layers[k + 1][0].T))


def bug_upstream_off_by_one(probe: Probe) -> None:
    """Layer k's delta comes back through layer k's own weights, not layer k + 1's."""
    layers = probe.weights
    gradient_is(probe, backprop_with(probe, through=lambda k: layers[k][0]))


def bug_hidden_without_fprime(probe: Probe) -> None:
    last = len(probe.weights) - 1
    gradient_is(probe, backprop_with(probe, prime=lambda k, z: probe.fprime(k, z) if k == last else 1.0))


def bug_left_is_own_output(probe: Probe) -> None:
    """dW is outer(f(z), δ), the layer's own output, where its input belongs; the deltas are right."""
    gradient_is(probe, probe.true_deltas(), lefts=probe.forward().activations[1:])


def bug_l2_half_gradient(probe: Probe) -> None:
    """The declared λ/2·‖W‖²'s gradient is λ·W; the entry adds λ/2·W to the weights, nothing to the biases."""
    for k, p in probe.view.params.items():
        half = 0.5 * probe.l2 * p if p.ndim == 2 else 0
        assert close(probe.impl[k], probe.numeric[k] - half, 1e-6), k


def bug_adam_step(probe: Probe) -> None:
    """The step is lr·g/(|g| + 1e-8) of the entry's own gradient g, which is right."""
    assert agree(probe) == []
    moved = probe.step_gradient(probe.x, probe.y, LEARNING_RATE)
    for k, g in probe.impl.items():
        assert close(moved[k], g / (np.abs(g) + 1e-8), 1e-6), k


def bug_dropout(probe: Probe) -> None:
    """Two calls at one point give different gradients; with dropout off they are right."""
    first, second = probe.implementation(), probe.implementation()
    assert any(not close(first[k], second[k], 1e-3) for k in first)
    for layer in probe.view.net.layers:
        layer.p = 0
    assert agree(probe, probe.implementation()) == []


def bug_relu_no_copy(probe: Probe) -> None:
    """The relu's backward zeroes the array it is given where its input was ≤ 0; the gradients are right."""
    probe.view.predict(probe.x)
    relu = probe.view.net[1]
    dvalues = np.ones_like(relu.inputs)
    relu.backward(dvalues)
    assert np.any(relu.inputs <= 0), "some unit is off"
    assert close(dvalues, (relu.inputs > 0) * 1.0) and relu.dinputs is dvalues
    assert agree(Probe(probe.name)) == []


def bug_medium_sigmoid(probe: Probe) -> None:
    act = probe.view.net.layers[1]
    z = np.linspace(-2, 2, 9)
    assert close(act.activation_prime(z), z * (1 - z))
    bug_derivative(lambda z: z * (1 - z))(probe)


def bug_learning_rate_dropped(probe: Probe) -> None:
    """The step moves by the whole gradient at any learning rate."""
    for lr in (0.1, 0.01):
        moved = probe.step_gradient(probe.x, probe.y, lr)
        for k in moved:
            assert close(moved[k] * lr, probe.numeric[k], 1e-6), (lr, k)


def bug_nothing_moves(probe: Probe) -> None:
    """No array moves in a step, though every gradient (which is right) is not 0."""
    assert agree(probe) == []
    moved = probe.step_gradient(probe.x, probe.y, LEARNING_RATE)
    for k in moved:
        assert not np.any(moved[k]) and np.any(probe.numeric[k]), k


def bug_bias_row_first(probe: Probe) -> None:
    """Each dW is the true one with its last row (the bias's) moved to the front."""
    for k, g in probe.impl.items():
        assert close(g, np.roll(probe.numeric[k], 1, axis=0), 1e-6), k


BUG_CHECKS: dict[str, Callable[[Probe], None]] = {
    "augmented_rows_bias_first_in_gradient": bug_bias_row_first,
    "bias_last_full_batch_error_doubled": bug_scaled(lambda probe: 2.0),
    "bias_last_full_batch_hidden_missing_fprime": bug_hidden_without_fprime,
    "column_full_batch_db_axis0": bug_wrong_axis,
    "column_full_batch_sign_flipped": bug_sign_flipped,
    "column_full_batch_upstream_off_by_one": bug_upstream_off_by_one,
    "cs231n_adam_step": bug_adam_step,
    "cs231n_dx_not_transposed": bug_hidden_delta_through_w,
    "cs231n_loss_not_averaged": bug_batch_summed,
    "cs231n_reg_half_gradient": bug_l2_half_gradient,
    "cs231n_sigmoid_backward_of_output": bug_hidden_fprime_of_output,
    "einsum_call_dropout_left_on": bug_dropout,
    "einsum_call_left_is_output": bug_left_is_own_output,
    "einsum_call_mse_declared_half_sse": bug_loss_mismatch,
    "fixed_3541_output_missing_fprime": bug_one_output_missing_fprime,
    "float32_rows_rebinds": bug_nothing_moves,
    "medium_sigmoid_prime_of_output_formula": bug_medium_sigmoid,
    "medium_weights_lr_forgotten": bug_learning_rate_dropped,
    "nnfs_relu_backward_no_copy": bug_relu_no_copy,
    "nnfs_tanh_one_minus_inputs_squared": bug_derivative(lambda z: 1 - z ** 2),
    "params_dict_cost_summed_over_units": bug_summed_outputs,
    "softmax_ce_rows_extra_fprime": bug_extra_fprime,
    "article_fprime_of_output": bug_article_fprime_of_output,
    "article_wrong_target": bug_wrong_target,
    "bce_declared_half_sse": bug_loss_mismatch,
    "bias_last_predict_first": bug_bias_layout,
    "fixed_3541_stale_weights": bug_stale_weights,
    "full_batch_mean_unread": bug_fit_sums_for_mean,
    "l2_penalises_biases": bug_regularisation,
    "medium_backward_in_place": bug_in_place,
    "medium_lr_applied_twice": bug_lr_on_weights_twice,
    "medium_sigmoid_overflow": bug_non_finite,
    "medium_stale_input_error": bug_stale_weights,
    "medium_tanh_one_minus_tanh": bug_medium_tanh,
    "minibatch_forgets_mean": bug_batch_summed,
    "mnist_extra_fprime": bug_extra_fprime,
    "nielsen_cost_doubled": bug_scaled(lambda probe: 2.0),
    "nielsen_fprime_of_output": bug_fprime_of_output,
    "nielsen_hidden_missing_fprime": bug_hidden_missing_fprime,
    "nielsen_lr_ignored": bug_learning_rate_ignored,
    "nielsen_nondeterministic": bug_nondeterministic,
    "nielsen_weight_gradient_transposed": bug_transposed,
    "nnfs_dbiases_wrong_axis": bug_wrong_axis,
    "nnfs_relu_unmasked": bug_relu_unmasked,
    "nnfs_sigmoid_s_one_plus_s": bug_derivative(lambda z: (s := 1 / (1 + np.exp(-z))) * (1 + s)),
    "params_dict_mse_summed": bug_scaled(lambda probe: float(probe.n_outputs)),
    "params_dict_tanh_one_minus_z2": bug_derivative(lambda z: 1 - z ** 2),
    "per_sample_one_output_missing_fprime": bug_one_output_missing_fprime,
    "renamed_attrs_sign_flipped": bug_sign_flipped,
    "rows_bce_extra_fprime": bug_extra_fprime,
    "rows_frozen_bias": bug_frozen,
    "rows_keeps_input_dtype": bug_input_dtype,
    "rows_left_pre_activation": bug_left_pre_activation,
    "rows_predict_cached": bug_predict_cached,
    "rows_sign_flipped": bug_sign_flipped,
    "rows_summed_outputs": bug_summed_outputs,
    "rows_wrong_upstream": bug_wrong_upstream,
    "step_only_momentum": bug_momentum,
    "two_layer_net_wrong_axis": bug_wrong_axis,
}


def correct_base(name: str) -> str:
    """The correct entry a planted bug is one mistake away from: the one it imports, unless named here."""
    named = {"bce_declared_half_sse": "rows_separate_bias", "l2_penalises_biases": "l2_weights",
             "full_batch_mean_unread": "full_batch_mean_fit", "rows_bce_extra_fprime": "rows_bce_sigmoid"}
    if name in named:
        return named[name]
    imports = re.findall(r"^from (\w+) import", (FOLDER / f"{name}.py").read_text(), re.MULTILINE)
    return next(i for i in imports if i in CATALOGUE)


def test_every_planted_bug_has_its_ground_truth_and_a_correct_base() -> None:
    assert sorted(BUG_CHECKS) == BUGS
    assert all(correct_base(name) in CORRECT for name in BUGS)


@pytest.mark.parametrize("name", BUGS)
def test_the_ground_truth_of_a_bug_fails_on_the_correct_code_it_is_planted_in(name: str) -> None:
    """What makes each ground truth above a statement that can be false."""
    base = CATALOGUE[correct_base(name)]
    with pytest.raises(AssertionError):
        BUG_CHECKS[name](Probe(name, factory=base.make))


@pytest.mark.parametrize("name", BUGS)
def test_a_planted_bug_is_wrong_as_its_docstring_says(name: str) -> None:
    BUG_CHECKS[name](Probe(name))


# ---------------------------------------------------------------- what an entry can build


PROBES = {
    "no hidden layer": lambda act: ([2, 1], act),
    "more than one hidden layer": lambda act: ([2, 3, 3, 1], act),
    "relu": lambda act: ([2, 3, 1], "relu"),
    "tanh": lambda act: ([2, 3, 1], "tanh"),
    "sigmoid": lambda act: ([2, 3, 1], "sigmoid"),
}


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_what_is_left_out_cannot_be_built_and_the_rest_can(name: str) -> None:
    module = CATALOGUE[name]
    act = activation_of(name)
    for what, request in PROBES.items():
        layers, activation = request(act)
        if what in module.LEFT_OUT:
            with pytest.raises((ValueError, KeyError, UnboundLocalError, NameError)):
                module.make(layers, activation)
        elif module.STYLE == "fixed-architecture":
            try:
                net = module.make(layers, activation)
            except ValueError:
                continue  # a fixed architecture that refuses others
            shapes = [p.shape for p in view_of(name, net, get_loss("half_sse").gradient).params.values()]
            assert shapes[0][0] == module.DECLARE["layers"][0][0], "built the declared network anyway"
        elif "activation" not in module.DECLARE or activation in module.DECLARE["activation"]:
            Probe(name, layers=layers, activation=activation).view.predict(np.zeros(layers[0]))


def test_per_sample_code_refuses_a_batch() -> None:
    X = np.zeros((2, 4))
    refusing = {"per_sample_outer": ValueError, "per_sample_asserts_1d": AssertionError}
    for name, error in refusing.items():
        net = CATALOGUE[name].make([3, 4, 2], "tanh")
        with pytest.raises(error):
            a = X
            for layer in net.layers:
                a = layer.forward(a)
            delta = net.layers[-1].backward(np.zeros((2, 2)), None)
            delta = net.layers[0].backward(delta, net.layers[1])
            net.layers[0].update(0.1, X)


def test_renamed_attributes_are_really_renamed() -> None:
    net = CATALOGUE["renamed_activation_attrs"].make([3, 4, 2], "tanh")
    assert all(not hasattr(layer, "activation") and callable(layer.df) for layer in net.layers)


# ---------------------------------------------------------------- the README's table


ADAPTER = re.compile(r"^# --- battery adapter ---\n(.*?)^# --- end adapter ---\n", re.MULTILINE | re.DOTALL)


def adapter_lines(name: str) -> int:
    """The non-blank lines of the entry's adapter (a planted bug counts the one of its correct base)."""
    found = ADAPTER.search((FOLDER / f"{name}.py").read_text())
    if found:
        return sum(1 for line in found.group(1).splitlines() if line.strip())
    return adapter_lines(correct_base(name)) if name in BUGS else 0


def test_the_readme_table_is_the_catalogue() -> None:
    rows = {}
    for line in (FOLDER / "README.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 7 and cells[0].startswith("`") and cells[0].endswith("`"):
            rows[cells[0].strip("`")] = cells
    assert sorted(rows) == sorted(CATALOGUE)
    for name, (_, style, protocol, verdict, checks, kinds, lines) in rows.items():
        module = CATALOGUE[name]
        assert (style, protocol) == (module.STYLE, module.PROTOCOL), name
        assert verdict == ("bug" if module.EXPECTED_FAILED else "correct"), name
        assert checks == (", ".join(module.EXPECTED_FAILED) or "—"), name
        named = sorted({k for found in module.EXPECTED_KINDS.values() for k in found})
        assert kinds == (", ".join(named) or "—"), name
        assert lines == str(adapter_lines(name)), name
    readme = (FOLDER / "README.md").read_text()
    prose = re.search(r"counted \(non-blank lines\).*?catalogue:\n(.*?)\.  ", readme, re.DOTALL)
    assert prose, "the README lists the adapters' line counts"
    listed = dict(re.findall(r"(\w+) (\d+)", prose.group(1)))
    assert listed == {n: str(adapter_lines(n)) for n in CORRECT if adapter_lines(n)}
