"""Behaviours of the layer checker (`backprop check-layer`) that its other tests leave unchecked: the
exact sentence of a window check and of a pooling diagnosis, the shapes in words, the report's lines,
the arguments the command passes on, the reference maths a diagnosis measures against.  Each test calls
the smallest function that shows its behaviour, in this process (no sandboxed child), and asserts the
exact value."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from backprop.battery.results import CheckResult
from backprop.findings import Finding
from backprop.layers import command
from backprop.layers.checks import Verdict, draw, draw_input, judge, window_sums
from backprop.layers.diagnosis import diagnose
from backprop.layers.kinds import conv_backward, get_kind, name_words, output_terms, pool_maxima
from backprop.layers.runner import LayerResult, check_layer, report, resolve_kind
from backprop.layers.shapes import LayerCase
from backprop.layers.styles import NnfsAdapter, Spec, canonical_shapes, discover
from backprop.numerical import Estimate

LAYERS = Path(__file__).resolve().parent / "layer_implementations"
NNFS, MEDIUM, CS231N = LAYERS / "nnfs_layers.py", LAYERS / "medium_layers.py", LAYERS / "cs231n_layers.py"


@pytest.fixture(autouse=True)
def _forget_user_modules() -> Iterator[None]:
    """discover() imports the layer file here; forget it after, so that other tests still see the
    layer checker import user files only in its children."""
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if "_layers" in name:
            del sys.modules[name]


def _case(kind: str, seed: int = 0, **dims: object) -> LayerCase:
    return LayerCase(kind, dict(dims), seed)


# ---------------------------------------------------------------- checks


TIED_POOL = _case(
    "max-pool", 1, batch=1, channels=1, pool_height=2, pool_width=2, stride=2, ties=True, height=2, width=4
)
"""x is [[1, 1, 2, 2], [0, 0, 2, 2]]: two tied maxima in the first window, four in the second."""

ALL_TIES_SENTENCE = (
    "dx summed over window (0, 0, 0, 0) is 1.81071, but moving those values together changes "
    "⟨output, dout⟩ at the rate 0.905356: each window's gradient must reach its maximum exactly once."
)


def _each_tie_gets_all(x: np.ndarray, dout: np.ndarray, size: int, stride: int) -> np.ndarray:
    dx = np.zeros(x.shape)
    for n, c, i, j, maxima in pool_maxima(x, size, size, stride):
        dx[n, c, i * stride : i * stride + size, j * stride : j * stride + size] += maxima * dout[n, c, i, j]
    return dx


def test_window_sums_name_the_first_window_whose_gradient_reaches_its_maximum_twice() -> None:
    """Windows apart (stride ≥ pool): each window's total is checked on its own, and the sentence names
    the first window that is off with both numbers; the right gradient gives no sentence."""
    _, adapter = discover(f"{CS231N}:max_pool_backward_naive", "max-pool")
    data = draw(adapter, TIED_POOL)
    assert data.upstream is not None
    right = adapter.backward(data.upstream)["x"]
    assert window_sums(adapter, data, right) is None
    wrong = _each_tie_gets_all(data.x, data.upstream, 2, 2)
    assert window_sums(adapter, data, wrong) == ALL_TIES_SENTENCE


def test_a_gradient_given_in_full_to_every_tie_fails_dx_on_its_window_sum() -> None:
    """Every tie given the whole gradient is within each element's range at a kink; only the window
    check beyond the element-wise comparison sees it, and dx fails with that check's sentence."""
    _, adapter = discover(f"{CS231N}:max_pool_all_ties_forward", "max-pool")
    verdict = judge("dx", adapter, TIED_POOL)
    assert (verdict.failing, verdict.summary, verdict.where) == (True, ALL_TIES_SENTENCE, "dx")


def test_a_relu_case_at_zero_puts_exact_zeros_in_x() -> None:
    """A relu case that asks for inputs at the kink has about 40% of x exactly 0 (drawn after x)."""
    dims = {"batch": 3, "n_features": 4}
    x, y = draw_input("relu", {**dims, "at_zero": True}, np.random.default_rng(0))
    rng = np.random.default_rng(0)
    plain = rng.normal(size=(3, 4))
    zeros = rng.random((3, 4)) < 0.4
    assert y is None and zeros.sum() == 5
    np.testing.assert_array_equal(x, np.where(zeros, 0.0, plain))
    x_off, _ = draw_input("relu", {**dims, "at_zero": False}, np.random.default_rng(0))
    np.testing.assert_array_equal(x_off, plain)


# ---------------------------------------------------------------- diagnosis


def test_assigned_overlapping_pool_gradients_are_diagnosed_in_these_words() -> None:
    """Overlapping windows (stride 1, pool 2×2) routed by = instead of +=: the finding says so in full."""
    _, adapter = discover(f"{CS231N}:max_pool_backward_naive", "max-pool")
    case = _case(
        "max-pool", batch=1, channels=1, pool_height=2, pool_width=2, stride=1, ties=False, height=3, width=3
    )
    verdict = judge("dx", adapter, case)
    assert verdict.data is not None and verdict.data.upstream is not None
    x, dout = verdict.data.x, verdict.data.upstream
    assigned = np.zeros(x.shape)
    for n, c, i, j, maxima in pool_maxima(x, 2, 2, 1):
        top, left = np.unravel_index(int(np.argmax(maxima)), maxima.shape)
        assigned[n, c, i + top, j + left] = dout[n, c, i, j]
    verdict.failing, verdict.analytic = True, {None: assigned}
    assert diagnose(verdict, "max-pool", "cs231n") == [
        Finding(
            "pool-routing",
            "dx equals the gradients of overlapping windows assigned rather than added to the last bit: "
            "where windows overlap only the last one's gradient is kept (= instead of +=)",
            {"gradient": "dx", "agreement": 0.0},
        )
    ]


def test_a_conv_bias_gradient_summed_over_the_right_axes_is_never_called_a_wrong_axis() -> None:
    """db = dout summed over (0, 2, 3) is the right reduction: when it fails (here forward leaves the
    bias out, so the numerical gradient is 0) no wrong-axis finding names it, and nothing is said."""
    _, adapter = discover(f"{CS231N}:conv_forward_naive", "conv")
    case = _case(
        "conv", batch=2, channels=1, filters=2, kernel_height=1, kernel_width=1, stride=1, pad=0,
        height=2, width=2,
    )
    verdict = judge("db", adapter, case)
    assert verdict.data is not None and verdict.data.upstream is not None and verdict.estimate is not None
    right = verdict.data.upstream.sum(axis=(0, 2, 3))
    verdict.failing, verdict.analytic = True, {None: right}
    verdict.estimate = Estimate(np.zeros(2), verdict.estimate.budget, "central")
    assert diagnose(verdict, "conv", "cs231n") == []


def test_stale_weights_are_diagnosed_from_the_two_learning_rates() -> None:
    """A Medium-style dense layer that backpropagates through its already-updated weights: dx equals
    output_error·(W − rate·ΔW)ᵀ at both rates, read from the update of W."""
    _, adapter = discover(f"{MEDIUM}:FCLayerStaleWeights", "dense")
    verdict = judge("dx", adapter, _case("dense", batch=1, n_inputs=2, n_outputs=2, input_shape=(2,)))
    assert verdict.failing
    assert diagnose(verdict, "dense", "medium") == [
        Finding(
            "stale-weights",
            "dx at learning rates 0.1 and 0.3 equals output_error·(W − learning rate·ΔW)ᵀ to the last bit: "
            "the input error is computed with the weights already updated",
            {"gradient": "dx", "learning_rates": [0.1, 0.3]},
        )
    ]


# ---------------------------------------------------------------- reference maths and names


def test_the_reference_conv_backward_is_the_cs231n_one_with_stride_and_padding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The reference a conv diagnosis measures mistakes against equals the naive CS231n backward."""
    monkeypatch.syspath_prepend(str(LAYERS.parent.parent / "examples"))
    from student_layers_fixed import conv_backward_naive, conv_forward_naive

    rng = np.random.default_rng(3)
    x, w, b = rng.normal(size=(2, 2, 3, 5)), rng.normal(size=(2, 2, 2, 3)), rng.normal(size=2)
    out, cache = conv_forward_naive(x, w, b, {"stride": 2, "pad": 1})
    dout = rng.normal(size=out.shape)
    for mine, theirs in zip(conv_backward(dout, x, w, 2, 1), conv_backward_naive(dout, cache)):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-12)


def test_a_name_is_split_into_its_words_and_their_runs() -> None:
    assert name_words("Activation_Softmax_Loss_CategoricalCrossentropy") == [
        "activation", "softmax", "loss", "categorical", "crossentropy", "categoricalcrossentropy",
        "activationsoftmax", "softmaxloss", "losscategoricalcrossentropy",
    ]
    assert name_words("conv_forward_naive") == ["conv", "forward", "naive", "convforward", "forwardnaive"]


def test_a_conv_outputs_terms_are_bounded_per_filter() -> None:
    """Each filter's output is summed from terms at most Σ|w_f|·max|x| + |b_f| (2 filters, 3×3 outputs)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, 1, 3, 3))
    params = {"w": rng.normal(size=(2, 1, 1, 1)), "b": np.array([0.5, -2.0])}
    out = np.zeros((1, 2, 3, 3))
    out[0, 0, 0, 0] = 100.0
    bounds = [abs(params["w"][f]).sum() * abs(x).max() + abs(params["b"][f]) for f in range(2)]
    expected = np.empty((1, 2, 3, 3))
    for f in range(2):
        expected[0, f] = bounds[f]
    expected[0, 0, 0, 0] = 100.0
    np.testing.assert_array_equal(output_terms("conv", x, params, out), expected)


def test_the_canonical_parameter_shapes_of_each_kind() -> None:
    dims = {"filters": 3, "channels": 2, "kernel_height": 1, "kernel_width": 4, "n_features": 5}
    assert canonical_shapes(get_kind("conv"), dims) == {"w": (3, 2, 1, 4), "b": (3,)}
    assert canonical_shapes(get_kind("batch-norm"), dims) == {"gamma": (5,), "beta": (5,)}
    assert canonical_shapes(get_kind("relu"), dims) == {}


# ---------------------------------------------------------------- shapes in words


@pytest.mark.parametrize(
    ("case", "words"),
    [
        (
            _case("conv", batch=2, channels=1, height=3, width=4, filters=2, kernel_height=1,
                  kernel_width=2, stride=2, pad=1),
            "x (2, 1, 3, 4), w (2, 1, 1, 2), stride 2, pad 1",
        ),
        (_case("softmax-ce", batch=2, n_classes=3), "x (2, 3)"),
        (_case("relu", batch=1, n_features=4, at_zero=True), "x (1, 4), some x exactly 0"),
    ],
)
def test_a_case_is_described_by_its_shapes(case: LayerCase, words: str) -> None:
    assert case.describe() == words


# ---------------------------------------------------------------- styles


class DropoutWithTrainingFlag:
    """The nnfs book's later dropout: forward(inputs, training) passes the inputs through unless training."""

    def __init__(self, rate: float) -> None:
        self.rate = 1 - rate

    def forward(self, inputs: np.ndarray, training: bool) -> None:
        self.inputs = inputs
        if not training:
            self.output = inputs.copy()
            return
        self.binary_mask = np.random.binomial(1, self.rate, size=inputs.shape) / self.rate
        self.output = inputs * self.binary_mask

    def backward(self, dvalues: np.ndarray) -> None:
        self.dinputs = dvalues * self.binary_mask


def test_an_nnfs_forward_that_takes_training_is_run_in_training_mode() -> None:
    """A layer whose forward takes `training` is checked as it trains: the dropout drops values, and its
    gradient (through the mask it drew) passes."""
    spec = Spec("here.py:DropoutWithTrainingFlag", "dropout", "nnfs", "DropoutWithTrainingFlag")
    adapter = NnfsAdapter(get_kind("dropout"), DropoutWithTrainingFlag, spec)
    adapter.construct({"p": 0.5})
    out = adapter.forward({"x": np.ones((2, 4))}, {})
    assert set(np.unique(out)) == {0.0, 2.0}
    assert not judge("dx", adapter, _case("dropout", batch=2, n_features=3, p=0.5)).failing


def test_discovery_of_a_layer_class_gives_its_kind_style_and_name() -> None:
    target = f"{NNFS}:Layer_Dense"
    spec, _ = discover(target, "dense")
    assert spec == Spec(target, "dense", "nnfs", "Layer_Dense")


# ---------------------------------------------------------------- runner and command


def test_a_layer_target_without_a_name_is_refused_and_one_with_a_name_says_its_kind() -> None:
    assert resolve_kind("layers.py:Layer_Dense", None).name == "dense"
    assert resolve_kind(" layers.py:anything ", "conv").name == "conv"
    with pytest.raises(ValueError, match=r"^name the layer in the target, as FILE.py:NAME \(got 'C:x'\)$"):
        resolve_kind("C:x", None)


def test_a_bad_seed_is_refused_before_anything_is_loaded() -> None:
    with pytest.raises(ValueError, match=r"^seed must be a non-negative integer, not -1$"):
        check_layer(f"{NNFS}:Activation_ReLU", seed=-1)


def test_a_failed_checks_result_carries_the_verdicts_numbers_and_findings() -> None:
    finding = Finding("in-place", "the layer wrote into dout", {"argument": "dout", "changed": 1, "total": 4})
    verdict = Verdict(True, "Forward or backward changed dout.", "dout", "worst line", 0.25, [finding])
    case = _case("relu", 7, batch=1, n_features=4, at_zero=False)
    spec = Spec("layers.py:relu_forward", "relu", "cs231n", "relu_forward", "relu_backward")
    result = report("untouched", spec, verdict, case, "backprop check-layer ...", "stopped early")
    assert (result.id, result.status, result.summary, result.worst_rel_error, result.where) == (
        "untouched", "failed", "Forward or backward changed dout.", 0.25, "dout",
    )
    assert result.details == "smallest case: x (1, 4) (seed 7)\nworst line\nstopped early"
    assert (result.diagnosis, result.findings) == ("the layer wrote into dout", [finding])
    assert result.minimal_case == {"kind": "relu", "seed": 7, "batch": 1, "n_features": 4, "at_zero": False}
    assert result.reproduce == "backprop check-layer ..."


def _passed_result(seed: int) -> LayerResult:
    result = LayerResult("layers.py:relu_forward", "cs231n", "none", seed, 20, kind="relu")
    result.results = [
        CheckResult("dx", "passed", "passed on 20 cases", 1e-9),
        CheckResult("untouched", "passed", "passed on 20 cases"),
    ]
    return result


def test_the_report_of_a_passing_layer_line_by_line() -> None:
    assert command.render(_passed_result(3), "1.0") == (
        "backprop 1.0 · layer layers.py:relu_forward · cs231n style · kind relu · "
        "20 cases per check · seed 3\n"
        "\n"
        "  check      status   worst rel. error   where\n"
        "  dx         passed   1.0e-09\n"
        "  untouched  passed\n"
        "\n"
        "  2 passed · 0 failed · 0 errored · 0 skipped\n"
    )


def test_the_command_passes_every_option_on_to_check_layer(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[tuple[str, dict]] = []

    def fake(target: str, **options: object) -> LayerResult:
        calls.append((target, options))
        seed = options["seed"]
        assert isinstance(seed, int)
        return _passed_result(seed)

    monkeypatch.setattr(command, "check_layer", fake)
    args = argparse.Namespace(
        target="layers.py:relu_forward", kind="relu", max_examples=7, seed=5, only=["dx"], timeout=9.0,
        json=None,
    )
    assert command.run(args) == command.EXIT_PASSED
    options = {"kind": "relu", "max_examples": 7, "seed": 5, "only": ["dx"], "timeout": 9.0}
    assert calls == [("layers.py:relu_forward", options)]
    assert "seed 5\n" in capsys.readouterr().out
