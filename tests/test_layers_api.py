"""check-layer's edges: bad usage in one sentence with exit 2, misbehaving layers costing one check,
the JSON report, the pytest items, kinds told from names, and the public helpers for property tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings

import backprop
from backprop.cli import main
from backprop.layers import KIND_NAMES, LayerTargetError, check_ids, infer_kind
from backprop.layers.kinds import KindError
from backprop.strategies import conv_parameters, layer_shapes, network_sizes, samples
from backprop.testing import assert_gradients_close

pytest_plugins = ["pytester"]

HERE = Path(__file__).parent / "layer_implementations"
BROKEN, NNFS, CS231N = HERE / "broken_layers.py", HERE / "nnfs_layers.py", HERE / "cs231n_layers.py"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Layer_Dense", "dense"),
        ("FCLayer", "dense"),
        ("affine_forward", "dense"),
        ("Activation_ReLU", "relu"),
        ("relu_backward", "relu"),
        ("Activation_Softmax", "softmax"),
        ("Activation_Softmax_Loss_CategoricalCrossentropy", "softmax-ce"),
        ("softmax_loss", "softmax-ce"),
        ("Loss_CategoricalCrossentropy", "cross-entropy"),
        ("Loss_MeanSquaredError", "mse"),
        ("svm_loss", "svm"),
        ("conv_forward_naive", "conv"),
        ("max_pool_backward_naive", "max-pool"),
        ("batchnorm_forward", "batch-norm"),
        ("Layer_Dropout", "dropout"),
        ("tanh_layer", "tanh"),
        ("Activation_Sigmoid", "sigmoid"),
    ],
)
def test_the_kind_is_told_from_the_name(name: str, kind: str) -> None:
    assert infer_kind(name).name == kind


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("ActivationLayer", "cannot tell what kind of layer ActivationLayer is"),
        ("affine_relu_forward", "fits dense and relu"),
    ],
)
def test_a_name_that_says_no_kind_or_two_asks_for_kind(name: str, says: str) -> None:
    with pytest.raises(KindError, match=says):
        infer_kind(name)


def test_the_checks_follow_from_the_kind() -> None:
    assert check_ids("dense") == ["dx", "dW", "db", "untouched"]
    assert check_ids("conv") == ["dx", "dw", "db", "untouched"]
    assert check_ids("batch-norm") == ["dx", "dgamma", "dbeta", "untouched"]
    assert check_ids("softmax-ce") == ["dx", "untouched"]
    assert len(KIND_NAMES) == 13


BAD = {
    "unknown kind": ([f"{NNFS}:Layer_Dense", "--kind", "rnn"], "invalid choice: 'rnn'"),
    "name says no kind": ([f"{HERE / 'medium_layers.py'}:ActivationLayer"], "give it with --kind"),
    "class needs other arguments": (
        [f"{HERE / 'medium_layers.py'}:ActivationLayer", "--kind", "tanh"],
        "name a function that returns one",
    ),
    "wrong constructor": (
        [f"{BROKEN}:Layer_Dense_one_argument"],
        "cannot be called with (n_inputs, n_outputs)",
    ),
    "no methods": ([f"{BROKEN}:Layer_Dense_no_methods"], "neither forward and backward"),
    "missing pair": (
        [f"{BROKEN}:lonely_forward", "--kind", "dense"],
        "but no lonely_backward to pair it with",
    ),
    "wrong forward signature": ([f"{BROKEN}:affine_three_forward"], "does not take (x, w, b)"),
    "no name": ([str(NNFS)], "as FILE.py:NAME"),
    "missing file": (["nowhere.py:Layer_Dense"], "no such file: nowhere.py"),
    "missing name": ([f"{NNFS}:Layer_Nothing", "--kind", "dense"], "has no attribute 'Layer_Nothing'"),
    "object style for conv": ([f"{NNFS}:Layer_Dense", "--kind", "conv"], "checked as CS231n-style functions"),
    "unknown check": ([f"{NNFS}:Layer_Dense", "--only", "dz"], "its checks are: dx, dW, db, untouched"),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_usage_is_one_line_and_exit_2(case: str, capsys: pytest.CaptureFixture[str]) -> None:
    args, says = BAD[case]
    try:
        code = main(["check-layer", *args])
    except SystemExit as stop:  # argparse's own refusals
        code = stop.code
    out, err = capsys.readouterr()
    assert code == 2, err
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], err
    assert "Traceback" not in err


def test_the_installed_command_refuses_bad_usage_with_exit_2() -> None:
    """The same refusal through `python -m backprop`, the way a user's shell runs it."""
    run = subprocess.run(
        [sys.executable, "-m", "backprop", "check-layer", f"{BROKEN}:lonely_forward", "--kind", "dense"],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    assert run.stderr == (
        f"backprop check-layer: error: cannot check {BROKEN}:lonely_forward: "
        f"{BROKEN} has lonely_forward but no lonely_backward to pair it with\n"
    )


def test_a_syntax_error_in_the_layer_file_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "mylayers.py"
    path.write_text("class Layer_Dense:\n    def __init__(self, n_inputs, n_neurons)\n        pass\n")
    with pytest.raises(LayerTargetError, match=r"syntax error in .*mylayers.py, line 2"):
        backprop.check_layer(f"{path}:Layer_Dense")


def test_a_hanging_check_costs_that_check_only() -> None:
    result = backprop.check_layer(
        f"{BROKEN}:Layer_Dense_hangs_in_backward", max_examples=2, timeout=2, only=["dx", "untouched"]
    )
    assert [r.status for r in result.results] == ["errored", "errored"]
    assert result.by_id("dx").summary == "the layer did not finish within 2 s."


def test_a_layer_that_exits_costs_one_sentence_per_check() -> None:
    result = backprop.check_layer(f"{BROKEN}:relu_exits_forward", max_examples=2, timeout=20)
    assert [r.status for r in result.results] == ["errored", "errored"]
    assert "exit" in result.results[0].summary and "\n" not in result.results[0].summary


def test_a_layer_whose_output_is_not_finite_fails_dx_saying_so() -> None:
    """An output of inf leaves the finite differences nothing to difference: one sentence, not a traceback."""
    result = backprop.check_layer(f"{BROKEN}:relu_overflows_forward", max_examples=2, only=["dx"])
    assert [(r.status, r.summary) for r in result.results] == [
        ("failed", "the layer's output is not finite (NaN or inf) within a step of the case's arrays.")]


def test_the_user_file_is_imported_only_in_children() -> None:
    before = {name for name in sys.modules if "nnfs_layers" in name}
    backprop.check_layer(f"{NNFS}:Activation_ReLU", max_examples=2)
    assert {name for name in sys.modules if "nnfs_layers" in name} == before


def test_the_command_writes_json_like_the_battery(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.json"
    code = main(["check-layer", f"{NNFS}:Layer_Dense_wrong_axis", "--only", "db", "--json", str(out)])
    stdout, stderr = capsys.readouterr()
    assert code == 1, stderr
    assert "FAILED db" in stdout
    assert "diagnosis [wrong-axis]: db equals dout summed over axis 1" in stdout
    assert "0 passed · 1 failed · 0 errored · 0 skipped" in stdout
    data = json.loads(out.read_text())
    assert data["kind"] == "dense" and data["style"] == "nnfs" and data["passed"] is False
    (result,) = data["results"]
    assert result["findings"][0]["kind"] == "wrong-axis" and result["findings"][0]["axis"] == [1]
    assert result["minimal_case"]["batch"] >= 1


def test_layer_items_in_pytest(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest(
        "--backprop-layer", f"{NNFS}:Layer_Dense_wrong_axis", "--backprop-max-examples", "3", "-p", "no:xdist"
    )
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        ["*FAILED db*", "*diagnosis ?wrong-axis?: db equals dout summed over axis 1*"]
    )
    assert "Traceback" not in result.stdout.str()


def test_layer_items_are_collected_without_importing_the_layer(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--backprop-layer", "nowhere.py:conv_forward_naive", "--collect-only", "-q")
    names = [line.strip() for line in result.outlines if line.strip().startswith("backprop-layer::")]
    assert names == [f"backprop-layer::{i}" for i in ("dx", "dw", "db", "untouched")]


def test_an_unknown_kind_fails_the_one_layer_item_with_its_sentence(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--backprop-layer", f"{HERE / 'medium_layers.py'}:ActivationLayer")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*cannot tell what kind of layer ActivationLayer is*"])


def test_assert_gradients_close_passes_a_right_gradient_and_returns_the_comparison() -> None:
    x = np.array([0.3, -1.2, 2.0])
    comparison = assert_gradients_close(np.cos(x) * 2 * np.sin(x), lambda v: np.sum(np.sin(v) ** 2), at=x)
    assert comparison.passed and comparison.n_total == 3


def test_assert_gradients_close_reports_like_numpy_testing() -> None:
    x = np.array([0.3, -1.2, 2.0])
    wrong = np.cos(x) * 2 * np.sin(x)
    wrong[1] += 1e-3
    with pytest.raises(AssertionError) as error:
        assert_gradients_close(wrong, lambda v: np.sum(np.sin(v) ** 2), at=x, name="dx")
    text = str(error.value)
    assert text.startswith("Not equal: the dx analytic and numerical derivatives differ")
    assert "Mismatched elements: 1 / 3" in text and "Worst element [1]" in text
    assert "absolute error 0.001" in text and "budget there" in text


def test_assert_gradients_close_accepts_a_numerical_array_with_tolerances() -> None:
    assert_gradients_close([1.0, 2.0], [1.0, 2.0 + 1e-9], rtol=1e-6)
    with pytest.raises(AssertionError, match="shape"):
        assert_gradients_close([1.0, 2.0], [1.0, 2.0, 3.0])


def test_assert_gradients_close_hides_its_frames(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_mine="""
        import numpy as np
        from backprop.testing import assert_gradients_close

        def test_grad():
            assert_gradients_close(np.array([3.0]), lambda v: float(np.sum(v ** 2)), at=np.array([1.0]))
    """
    )
    result = pytester.runpytest("-p", "no:xdist")
    result.assert_outcomes(failed=1)
    text = result.stdout.str()
    assert "Mismatched elements: 1 / 1" in text
    assert "__tracebackhide__" not in text and "comparison = compare(" not in text


@settings(max_examples=25)
@given(conv_parameters())
def test_conv_parameters_have_whole_output_sizes(conv: dict) -> None:
    (_, _, h, w), (_, _, kh, kw) = conv["x_shape"], conv["w_shape"]
    s, p = conv["conv_param"]["stride"], conv["conv_param"]["pad"]
    assert (h + 2 * p - kh) % s == 0 and (w + 2 * p - kw) % s == 0 and h >= 1 and w >= 1


@settings(max_examples=25)
@given(layer_shapes("dense", four_d=True), network_sizes(), samples(3))
def test_the_strategies_give_what_they_say(shape: dict, sizes: list, x: np.ndarray) -> None:
    assert int(np.prod(shape["input_shape"])) == shape["n_inputs"] and shape["batch"] >= 1
    assert 2 <= len(sizes) <= 4 and all(1 <= s <= 5 for s in sizes)
    assert x.ndim == 2 and x.shape[1] == 3 and np.all(np.isfinite(x))


def test_layer_shapes_refuses_an_unknown_kind() -> None:
    with pytest.raises(KindError, match="unknown kind 'rnn'"):
        layer_shapes("rnn")


@settings(max_examples=50)
@given(layer_shapes("max-pool"))
def test_ties_are_drawn_only_where_pooling_windows_do_not_overlap(shape: dict) -> None:
    if shape["ties"]:
        assert shape["stride"] >= max(shape["pool_height"], shape["pool_width"])


def test_a_batch_norm_of_two_rows_is_priced_at_the_rounding_of_its_terms() -> None:
    # two rows normalise to ±γ within 1e-5, so ⟨output, G⟩ cancels far below its terms: its rounding
    # must be priced by the terms, or a correct layer fails (it did, on this case search)
    target = f"{CS231N}:batchnorm_forward"
    assert backprop.check_layer(target, max_examples=60, only=["dx"]).passed
