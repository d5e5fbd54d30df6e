"""What the battery's findings, layout, report and results say, pinned exactly: each test calls the smallest
function that shows one behaviour (a diagnosis, the layout's confirmation by predict, a line of the report,
a result read back from JSON, one check on one fixed case driven in this process) and asserts its whole
value, a Finding's kind, sentence and params in full, a report's line word for word."""

from __future__ import annotations

import dataclasses
import re
import warnings
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from implementations import float32_network, output_delta_missing_fprime, unseeded_initial_weights
from styles import catalogue
from styles.step_only_dict import Adapter
from test_suspects import Mlp, explained, planted

from backprop.battery import BatteryResult, CheckResult, diagnosis, layout, suspects
from backprop.battery.cases import make_case
from backprop.battery.checks import deltas as delta_checks
from backprop.battery.checks import gradients, hygiene, identities, penalty
from backprop.battery.checks.common import prepare
from backprop.battery.profile import Profile, as_profile
from backprop.battery.protocols import LocalWorker, PluginError
from backprop.battery.report import explain, header, render, table
from backprop.battery.runner import evaluate
from backprop.findings import Finding
from backprop.losses import get_loss
from backprop.network import NeuralNetwork

HALF_SSE = get_loss("half_sse")


# ----------------------------------------------------------------------------------------- diagnosis


@pytest.mark.parametrize(
    ("shape", "sentence", "reshaped"),
    [
        (
            (3, 2),
            "the delta equals (δ_right · W′) × f'(z), with W′ the right layer's W reshaped to 2 × 3 instead "
            "of transposed, exactly in all 3 elements: a reshape keeps the elements' order and a transpose "
            "does not; use W.T",
            True,
        ),
        (
            (2, 2),
            "the delta equals (δ_right · W) × f'(z), with the right layer's W where its transpose belongs, "
            "exactly in all 2 elements: use W.T",
            False,
        ),
    ],
)
def test_a_reshaped_weight_says_whether_it_was_reshaped_or_used_as_it_is(
    shape: tuple[int, int], sentence: str, reshaped: bool
) -> None:
    """The "transposed" finding's params say whether W was reshaped (not square) or used as is (square)."""
    w = np.arange(1.0, 1 + shape[0] * shape[1]).reshape(shape) / 4
    given, fz = np.array([0.5, -1.0]), np.linspace(0.3, 0.9, shape[0])
    wrong = (given @ w.reshape(shape[1], shape[0])) * fz
    found = diagnosis.reshaped_weights(wrong, (given @ w.T) * fz, given, w, fz)
    assert found == Finding("transposed", sentence, {"agreement": 0.0, "reshaped": reshaped})


FROZEN_EXPECTED = np.arange(1.0, 13).reshape(3, 4) / 8


@pytest.mark.parametrize(
    ("zeroed", "word", "lines"),
    [((slice(None), [1, 3]), "columns", [1, 3]), (([0, 2], slice(None)), "rows", [0, 2])],
)
def test_several_frozen_lines_are_named_in_the_plural(zeroed: tuple, word: str, lines: list[int]) -> None:
    """Two lines left at 0: "columns 1, 3 stay ... those columns ... never move", their indices in params."""
    analytic = FROZEN_EXPECTED.copy()
    analytic[zeroed] = 0
    assert diagnosis.frozen_lines(analytic, FROZEN_EXPECTED) == Finding(
        "frozen",
        f"{word} {lines[0]}, {lines[1]} stay at 0 where the expected values are not, and every other "
        f"{word[:-1]} agrees exactly: those {word} of the weight never move",
        {word: lines, "agreement": 0.0},
    )


# ------------------------------------------------------------------------------------------- suspects


def _sigmoid_output_twice(self: Mlp, a: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
    return (a - y) * self.f(1)[1](z) ** 2


def _hidden_prime_at_linear_output(self: Mlp, a: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
    return (a - y) * self.f(0)[1](z)


@pytest.mark.parametrize(
    ("output_delta", "output", "mistake", "hint", "params"),
    [
        (_sigmoid_output_twice, "sigmoid", "backprop with f'(z) applied twice at the output layer",
         "multiply by f'(z) once", {"layer": 2}),
        (_hidden_prime_at_linear_output, "identity",
         "backprop with the hidden activation's f'(z) at the linear output layer",
         "the output layer is linear: its f' is 1", {"layer": 2, "activation": "tanh"}),
    ],
)
def test_an_extra_fprime_at_the_output_is_named_with_the_mistake_it_is(
    output_delta: object, output: str, mistake: str, hint: str, params: dict
) -> None:
    """f'(z) twice at a sigmoid output, or the hidden tanh's f' at a linear one: named, with its words."""
    found, *_ = explained(planted(output_delta=output_delta)((3, 4, 2), "tanh", output, "half_sse"))
    assert found is not None and found.kind == "extra-fprime", found
    gap = found.params["gap"]
    assert gap < 1e-12
    assert found.params == {**params, "mistake": mistake, "gap": gap, "changed": ["W1", "W2"]}
    assert found.sentence == (
        f"every parameter's gradient equals that of {mistake} {diagnosis.within(gap)} in all 26 elements "
        f"(the mistake changes 16 of 16 elements of W1, 10 of 10 of W2): {hint}"
    )


# -------------------------------------------------------------------------------------------- layout

LAYERS = (3, 3, 2)


def _tanh_network() -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Reference-layout arrays (bias row first) of a tanh network, a sample x and its forward output."""
    rng = np.random.default_rng(2)
    arrays = [rng.uniform(-1, 1, (4, 3)), rng.uniform(-1, 1, (4, 2))]
    x = rng.uniform(-1, 1, 3)
    return arrays, x, suspects.Reference(arrays, "tanh", "tanh", HALF_SSE).forward(x)[2][-1]


def test_a_layout_is_confirmed_by_a_predict_that_equals_its_forward() -> None:
    arrays, x, out = _tanh_network()
    mapping = layout.find_layout(arrays, LAYERS, "tanh", HALF_SSE, [(x, out)])
    assert mapping is not None
    assert mapping.describe() == "W as (n_in, n_out), the bias as W's first row, tanh outputs"


def test_a_predict_of_another_length_confirms_no_layout() -> None:
    """One output (or none) where the network has two: no layout's forward can be what predict computed."""
    arrays, x, out = _tanh_network()
    for short in (out[:1], out[:0]):
        assert layout.find_layout(arrays, LAYERS, "tanh", HALF_SSE, [(x, short)]) is None


def test_a_forward_that_overflows_confirms_no_layout() -> None:
    """Weights whose forward pass is not finite (an infinite weight) agree with no predict(x)."""
    arrays, x, out = _tanh_network()
    arrays[1][0, 0] = np.inf
    assert layout.find_layout(arrays, LAYERS, "tanh", HALF_SSE, [(x, out)]) is None


# -------------------------------------------------------------------------------------------- report


def _result(**fields: Any) -> BatteryResult:
    return BatteryResult("net.py:make", "layer-level", "half_sse", 3, 8, **fields)


def test_the_header_states_the_networks_the_cases_were_drawn_from() -> None:
    result = _result(space={"description": "1 hidden layer, widths 1 to 8, 1 to 4 outputs; tanh"})
    assert header(result, "9.9") == (
        "backprop 9.9 · target net.py:make · protocol layer-level · loss half_sse · "
        "8 cases per check · seed 3"
        "\n  checked: 1 hidden layer, widths 1 to 8, 1 to 4 outputs; tanh"
    )
    assert header(_result(space={"layers": [1, 1]}), "9.9").count("\n") == 0  # no description, no line


def test_a_failures_smallest_case_is_stated_with_where_its_weights_are() -> None:
    case = {"layers": [1, 1], "activation": "tanh", "x": [0.5], "y": [0.1], "learning_rate": 0.1}
    r = CheckResult("output-delta", "failed", "the output delta is wrong", minimal_case=case)
    assert explain(_result(results=[r]), r, first=True) == [
        "FAILED output-delta",
        "  (the first failure in causal order: start here)",
        "  the output delta is wrong",
        "  smallest case: layers [1, 1], tanh, x = [0.5], y = [0.1], learning rate 0.1 "
        "(weights in the JSON report)",
    ]


def test_the_header_gives_each_left_out_and_tampering_finding_its_own_line_and_nothing_else() -> None:
    result = _result(
        left_out=[
            Finding("left-out", "2 outputs: make(2) raised"),
            Finding("left-out", "relu: no such name"),
        ],
        integrity=[
            Finding("tampering", "replaced numpy.dot"),
            Finding("uses-reference", "builds on backprop.network"),
            Finding("tampering", "imported backprop.battery"),
        ],
    )
    assert header(result, "9.9") == (
        "backprop 9.9 · target net.py:make · protocol layer-level · loss half_sse · "
        "8 cases per check · seed 3"
        "\n  left out: 2 outputs: make(2) raised"
        "\n  left out: relu: no such name"
        "\n  integrity (tampering): replaced numpy.dot"
        "\n  integrity (tampering): imported backprop.battery"
    )


def test_the_table_shows_a_skip_in_lower_case_without_its_where_and_an_exact_zero_error_as_0() -> None:
    result = _result(
        results=[
            CheckResult("output-delta", "passed", worst_rel_error=0.0, where="unit 1"),
            CheckResult("hidden-deltas", "skipped", where="layer 1"),
            CheckResult("weight-gradient", "failed", worst_rel_error=0.25, where="W1[0, 1]"),
        ]
    )
    assert table(result) == [
        "  check            status   worst rel. error   where",
        "  output-delta     passed   0                  unit 1",
        "  hidden-deltas    skipped",
        "  weight-gradient  FAILED   2.5e-01            W1[0, 1]",
    ]


def test_the_skipped_checks_are_listed_after_a_blank_line_below_the_counts() -> None:
    result = _result(results=[CheckResult("hidden-deltas", "skipped", "needs hidden layers")])
    assert render(result, "9.9").splitlines()[-4:] == [
        "",
        "  0 passed · 0 failed · 0 errored · 1 skipped",
        "",
        "  skipped hidden-deltas: needs hidden layers",
    ]


def test_a_finding_repeated_after_another_is_stated_once() -> None:
    repeated, other = Finding("scaled", "W1 is scaled by 2"), Finding("transposed", "W2 is transposed")
    r = CheckResult(
        "weight-gradient", "failed", "the gradient is wrong", findings=[repeated, other, repeated]
    )
    assert explain(_result(results=[r]), r, first=True) == [
        "FAILED weight-gradient",
        "  (the first failure in causal order: start here)",
        "  the gradient is wrong",
        "  diagnosis [scaled]: W1 is scaled by 2",
        "  also [transposed]: W2 is transposed",
    ]


# ------------------------------------------------------------------------------------------- profile


def test_a_bare_protocol_name_is_that_protocol_with_the_articles_conventions() -> None:
    assert as_profile("model-level") == Profile(protocol="model-level")
    declared = Profile(protocol="model-level", bias="last", loss="mse")
    assert as_profile(declared) is declared


@pytest.mark.parametrize("protocol", [None, "model", "Layer-level", ""])
def test_a_name_that_is_no_protocol_is_refused_with_the_protocols_it_could_be(protocol: object) -> None:
    with pytest.raises(ValueError, match=r"unknown protocol .*: expected one of layer-level, model-level"):
        as_profile(protocol)  # type: ignore[arg-type]


def test_a_factor_shared_by_arrays_is_written_to_the_digits_they_agree_on() -> None:
    from backprop.battery.checks.common import _shared
    assert _shared([2.000000000036967, 2.000000000063447]) == "2"
    assert _shared([1.2345678, 1.2345678]) == "1.23457"
    assert _shared([2.000046638, 2.000043708]) == "2"  # float32: they agree to 1.5e-6
    assert _shared([2.0046, 2.0043]) == "2"
    assert _shared([1.25, 1.2]) == "1"  # they agree to one digit only


# ------------------------------------------------------------------------------------------- package


def test_an_unknown_name_of_the_package_is_an_attribute_error_that_names_it() -> None:
    """Only `check` is loaded on first use; any other missing name says which one it is."""
    import backprop.battery

    with pytest.raises(AttributeError) as raised:
        backprop.battery.nothing_here  # noqa: B018
    assert str(raised.value) == "module 'backprop.battery' has no attribute 'nothing_here'"
    assert getattr(backprop.battery, "nothing_here", None) is None
    from backprop.battery.runner import check

    assert backprop.battery.check is check


# ------------------------------------------------------------------------------------------- results


def test_a_result_read_back_from_json_is_the_result_written() -> None:
    """What a grading process writes and the grader reads back: every field from_json restores."""
    flipped = Finding("sign-flipped", "flipped", {"factor": -1.0})
    failed = CheckResult("output-delta", "failed", "wrong", 0.5, "layer 2", findings=[flipped])
    result = _result(
        results=[CheckResult("activation-derivative", "passed"), failed],
        isolation="subprocess",
        space={"description": "1 hidden layer", "layers": [[1, 2, 1]]},
        left_out=[Finding("left-out", "it cannot build 3 layers", {"layers": [1, 2, 2, 1]})],
        integrity=[Finding("tampering", "it replaced numpy.exp", {"name": "numpy.exp"})],
        scheme="per-sample",
        bias="last",
        conventions=["fit trains per sample, in order (observed)"],
    )
    assert BatteryResult.from_json(result.to_json()) == result


def test_reference_matrices_come_back_as_float_arrays_of_the_models_shapes() -> None:
    """Integer reference matrices (bias row first) become float64 arrays in the model's order and shapes:
    W as (n_out, n_in), then a separate bias of shape (n, 1)."""
    mapping = layout.Layout((layout.LayerLayout(weight=0, bias=1, columns=True),), ((2, 3), (2, 1)))
    weight, bias = mapping.from_reference([[[1, 2], [3, 4], [5, 6], [7, 8]]])
    assert weight.dtype == np.float64 and bias.dtype == np.float64
    np.testing.assert_array_equal(weight, [[3.0, 5.0, 7.0], [4.0, 6.0, 8.0]])
    np.testing.assert_array_equal(bias, [[1.0], [2.0]])


def test_backprop_through_w_where_its_transpose_belongs_is_named_with_what_to_change() -> None:
    """A hidden delta computed through the right layer's W (square) instead of Wᵀ: the finding names the
    mistake and the layer, and ends with the fix to make."""
    wrong = planted(hidden_delta=lambda self, k, d, o, z, a: (d @ self.W[k + 1]) * self.f(k)[1](z))
    finding, *_ = explained(wrong((3, 3, 3), "tanh"))
    assert finding is not None and finding.kind == "transposed"
    mistake = "backprop through the right layer's W where Wᵀ belongs at layer 1"
    assert finding.sentence.startswith(f"every parameter's gradient equals that of {mistake} to ")
    assert finding.sentence.endswith(
        " in all 24 elements (the mistake changes 12 of 12 elements of W1): "
        "backpropagate through the transpose of the right layer's weights"
    )
    gap = finding.params["gap"]
    assert finding.params == {"layers": [1], "mistake": mistake, "gap": gap, "changed": ["W1"]}
    assert 0 <= gap < 1e-12


def test_a_result_read_back_without_a_bias_has_the_bias_first() -> None:
    """A JSON result written before the bias was recorded reads back with the default position, first."""
    data = BatteryResult("mynet.py:make", "network", "half_sse", 0, 25).to_json()
    del data["bias"]
    assert BatteryResult.from_json(data).bias == "first"


def test_a_result_read_back_with_only_the_required_keys_takes_every_default() -> None:
    """A JSON result written by an older version, with none of the optional keys, reads back as the
    result built without them: no isolation, no space, nothing left out, no scheme, the bias first."""
    full = BatteryResult("mynet.py:make", "network", "half_sse", 0, 25).to_json()
    required = {key: full[key] for key in ("target", "protocol", "loss", "seed", "max_examples", "results")}
    assert BatteryResult.from_json(required) == BatteryResult("mynet.py:make", "network", "half_sse", 0, 25)


def test_a_square_gradient_equal_to_the_expected_one_is_not_called_transposed_even_when_symmetric() -> None:
    """Values that agree with the expected ones as they are, are not a transposed product, though the
    transpose of a symmetric matrix agrees too; a transposed non-symmetric one still is."""
    symmetric = np.array([[1.0, 2.0], [2.0, -3.0]])
    assert diagnosis.transposed(symmetric, symmetric) is None
    assert diagnosis.transposed(symmetric + 1e-12, symmetric) is None
    skew = np.array([[1.0, 2.0], [5.0, -3.0]])
    found = diagnosis.transposed(skew.T, skew)
    assert found is not None and (found.kind, found.params) == ("transposed", {"agreement": 0.0})


def test_a_result_prints_as_the_report_of_this_version() -> None:
    from backprop import __version__

    assert str(_result()).splitlines()[0] == (
        f"backprop {__version__} · target net.py:make · protocol layer-level · loss half_sse · "
        "8 cases per check · seed 3"
    )


def test_ipython_shows_the_report_and_a_placeholder_for_a_result_inside_itself() -> None:
    shown: list[str] = []
    printer = SimpleNamespace(text=shown.append)
    _result()._repr_pretty_(printer, cycle=False)
    _result()._repr_pretty_(printer, cycle=True)
    assert shown == [str(_result()), "BatteryResult(...)"]


def test_a_check_result_of_an_unknown_status_is_refused_naming_the_statuses() -> None:
    with pytest.raises(ValueError) as raised:
        CheckResult("output-delta", "ok")
    assert str(raised.value) == "status must be one of passed, failed, errored, skipped, not 'ok'"


# ------------------------------------------------------------------------------------------ registry


def test_a_spec_files_each_protocols_use_or_reason_under_that_protocol() -> None:
    """A check's spec, built the way REGISTRY builds them: its id, function and line, the layer-level and
    model-level uses under their protocols, or the reason the model-level protocol is not applicable; by
    default it follows from the gradient chain so far, and off the chain it does not join it."""
    from backprop.battery import registry

    chain = tuple(registry._CHAIN)
    layer = registry.Use("reads `weight`", frozenset({"weight"}))
    model = registry.Use("calls `gradients`", frozenset({"gradients"}))
    assert registry._spec("some-check", "module:function", "what it verifies", layer, model,
                          follows=("output-delta",), chain=False) == registry.CheckSpec(
        "some-check", "module:function", "what it verifies",
        {registry.LAYER_LEVEL: layer, registry.MODEL_LEVEL: model}, {}, ("output-delta",))
    assert registry._spec("other-check", "module:other", "what else", None, "the model hides it",
                          chain=False) == registry.CheckSpec(
        "other-check", "module:other", "what else", {}, {registry.MODEL_LEVEL: "the model hides it"}, chain)
    assert tuple(registry._CHAIN) == chain


def test_arrays_given_without_labels_are_named_by_their_place_counted_from_one() -> None:
    """Without labels, the arrays a mistake changes are "array 1", "array 2"... in the sentence and params."""
    suspect = suspects.Suspect(deltas=[np.zeros(2)], gradients=[np.array([1.0, 2.0]), np.array([3.0])],
                               kind="extra-fprime", params={"layers": [2]},
                               description="backprop with f'(z) twice", hint="drop one f'(z)")
    found = suspects.explanations([np.array([1.0, 2.0]), np.array([3.0])],
                                  [np.array([1.0, 4.0]), np.array([3.0])], [suspect])
    assert found == [Finding(
        "extra-fprime",
        "every parameter's gradient equals that of backprop with f'(z) twice exactly in all 3 elements "
        "(the mistake changes 1 of 2 elements of array 1): drop one f'(z)",
        {"layers": [2], "mistake": "backprop with f'(z) twice", "gap": 0.0, "changed": ["array 1"]})]


def test_the_constant_one_of_the_bias_goes_where_the_profile_says_on_every_row() -> None:
    """Bias first (the article): 1 before the inputs; bias last: after them; a batch gets it on each row."""
    x = np.array([[2.0, 3.0], [4.0, 5.0]])
    np.testing.assert_array_equal(Profile(bias="first").with_one(x), [[1.0, 2.0, 3.0], [1.0, 4.0, 5.0]])
    np.testing.assert_array_equal(Profile(bias="last").with_one(x[0]), [2.0, 3.0, 1.0])


# ------------------------------------------------------------------------------------- weight gradient


def test_an_outer_product_that_overflows_float32_is_refused_naming_its_layer_counted_from_one() -> None:
    """A float32 network at inputs and weights of order 1e8: layer 2's aᵀδ exceeds float32's range (layer
    1's does not), and the check stops on the layer that overflowed, numbered as the report numbers it."""
    case = make_case((1, 1, 1), "relu", 0.1, 1e8, 2, HALF_SSE)
    with pytest.raises(PluginError) as raised, np.errstate(over="ignore"):
        gradients.weight_gradient(LocalWorker(float32_network.make), case, HALF_SSE, Profile("layer-level"))
    assert str(raised.value) == "layer 2's aᵀδ holds 1 non-finite value(s) (NaN or inf)"


def test_a_bias_gradient_summed_over_the_units_fails_at_that_bias_with_the_shape_it_was_given() -> None:
    """A model whose db sums over axis 1: the failure is at b1, says the gradient is misshapen, gives the
    shape error as its details and the wrong-axis finding as its diagnosis."""
    case = make_case((2, 2, 1), "relu", 0.1, 1.0, 11, HALF_SSE)
    profile = Profile(protocol="model-level", loss="half_sse")
    evidence = gradients.weight_gradient(
        LocalWorker(catalogue()["two_layer_net_wrong_axis"].make), case, HALF_SSE, profile
    )
    assert (evidence.status, evidence.rel_error, evidence.where, evidence.summary, evidence.details) == (
        "failed", None, "b1", "the weight gradient of b1 is misshapen",
        "gradient 2 from gradients(x, y) has shape (1,), expected (2,)",
    )
    (finding,) = evidence.findings
    # the agreement is rounding error (4e-13 here): its size depends on the machine's arithmetic
    agreement = re.fullmatch(r"\d(?:\.\d+)?e-1[0-6]", finding.sentence.split(" units to ")[1].split(":")[0])
    assert agreement, finding.sentence
    assert (finding.kind, finding.sentence.replace(agreement.group(), "ROUNDING"), finding.params) == (
        "wrong-axis",
        "b1's gradient has shape (1,) where b1 has shape (2,), and its one value equals the sum of ∂L/∂b1 "
        "over its 2 units to ROUNDING: the bias gradient is summed over axis 1 (the units) where the sum "
        "belongs over axis 0 (the samples)",
        {"parameter": "b1", "axis": 1, "expected_axis": 0, "shape": [1]},
    )


# ----------------------------------------------------------------------------------------- determinism


class _RateDecaysAcrossNetworks(NeuralNetwork):
    """fit divides the learning rate by how many fits ran before, counted on the class: the second network
    made under the same np.random.seed trains at half the rate of the first."""

    fits = [0]  # the mistake: shared by every instance

    def fit(self, X: Any, y: Any, learning_rate: float = 0.1, epochs: int = 10000) -> None:
        self.fits[0] += 1
        super().fit(X, y, learning_rate / self.fits[0], epochs)


@pytest.mark.parametrize(
    ("make", "stage", "sentence"),
    [
        (unseeded_initial_weights.make, "initial",
         "the implementation draws from a random source that np.random.seed does not control (an unseeded "
         "np.random.default_rng(), random, or the clock)"),
        (_RateDecaysAcrossNetworks, "trained",
         "training draws from a random source that np.random.seed does not control"),
    ],
)
def test_weights_the_same_seed_does_not_reproduce_are_named_by_layer_stage_and_seed(
    make: Any, stage: str, sentence: str
) -> None:
    """Initial weights from an unseeded generator, or training whose result differs between two networks:
    the first layer that differs, how many of its weights do, under which np.random.seed, and whether it
    was the initialisation or the training that escaped the seed."""
    case = make_case((2, 3, 1), "tanh", 0.1, 1.0, 11, HALF_SSE)
    profile = Profile("layer-level", frozenset({"fit", "predict"}))
    evidence = hygiene.deterministic(LocalWorker(make), case, HALF_SSE, profile)
    assert (evidence.status, evidence.where, evidence.summary, evidence.details) == (
        "failed", "layer 1", f"the same np.random.seed gave different {stage} weights",
        f"layer 1: 12 of 12 {stage} weights differ between two runs seeded with np.random.seed(11)",
    )
    assert evidence.findings == [
        Finding("nondeterministic", sentence, {"stage": stage, "layer": 1, "differ": 12})
    ]


# ---------------------------------------------------------------------------------------------- predict


class _FirstAnswerInHalfPrecision(NeuralNetwork):
    """predict keeps its first answer, in float16 (within the 64 ulps float16 is allowed), for every x."""

    def predict(self, x: Any) -> Any:
        if not hasattr(self, "answer"):
            self.answer = super().predict(x).astype(np.float16)
        return self.answer


def test_a_predict_repeating_its_own_earlier_answer_to_integers_is_not_called_an_integer_mistake() -> None:
    """predict(x′) of integers gives back predict(x)'s float16 answer, which matched forward(x) only
    within float16's rounding: the repeat is what predict returned before (predict-not-forward), not a
    difference between integer and float inputs (input-dtype)."""
    case = make_case((2, 3, 1), "tanh", 0.1, 1.0, 0, HALF_SSE)
    profile = Profile("layer-level", frozenset({"predict"}))
    worker = LocalWorker(_FirstAnswerInHalfPrecision)
    evidence = identities.predict_is_forward(worker, case, HALF_SSE, profile)
    assert (evidence.status, evidence.where, evidence.summary) == (
        "failed", "predict(x) of integers", "predict(x) of integers differs from the forward pass"
    )
    assert evidence.findings == [Finding(
        "predict-not-forward",
        "predict(x′) is not the forward pass of its input: 1 of 1 output(s) differ, by up to 0.355 "
        "(0.645996 against 0.290878)",
        {},
    )]


# ---------------------------------------------------------------------------------------------- penalty


def _estimate(value: Any) -> Any:
    """What the penalty's finding reads of a numerical estimate: its value and a budget of 1e-12."""
    value = np.asarray(value, dtype=float)
    return SimpleNamespace(value=value, budget=np.full(value.shape, 1e-12))


def test_a_penalty_gradient_at_half_its_factor_is_said_to_drop_the_2_of_the_derivative() -> None:
    """λ·W found at 0.5 × (λ = 0.25 declared): the factor, and the mistake that gives it."""
    weights = [np.array([[1.0, 2.0], [-1.0, 0.5]]), np.array([0.5, -0.25])]
    samples = [([0.125 * weights[0], np.zeros(2)], [_estimate(np.zeros((2, 2))), _estimate(np.zeros(2))])]
    profile = Profile("model-level", l2=0.25)
    finding = penalty.regularisation_finding(samples, weights, profile, True, "the step")
    assert finding == Finding(
        "regularisation",
        "the step equals ∂C/∂W + 0.5 × λ·W (λ = 0.25 declared) exactly: the penalty's gradient has a wrong "
        "factor (λ/2·W: the 2 of ‖W‖²'s derivative dropped)",
        {"l2": 0.125, "declared": 0.25, "factor": 0.5},
    )


def test_weights_all_zero_give_no_penalty_finding_and_no_warning() -> None:
    """At W = 0 the penalty λ·W is 0 whatever λ is: nothing can be fitted, and nothing is divided by 0."""
    weights = [np.zeros((2, 2)), np.array([0.5, -0.25])]
    samples = [([np.zeros((2, 2)), np.zeros(2)], [_estimate(np.zeros((2, 2))), _estimate(np.zeros(2))])]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert penalty.regularisation_finding(samples, weights, Profile("model-level", l2=0.25), True,
                                              "the step") is None


# --------------------------------------------------------------------------------------- a model's deltas


DELTAS = Profile("model-level", frozenset({"step", "predict", "deltas"}))
DELTAS_CASE = make_case((2, 3, 1), "tanh", 0.1, 1.0, 11, HALF_SSE)
WITHIN = re.compile(r"(?:exactly|to \de-\d\d)(?= in )")
"""How closely a relation holds when that is rounding error: its size depends on the machine's arithmetic."""


class _Deltas(Adapter):
    """deltas(x, y) of the dict model, right: each layer's ∂L/∂z from dA = A − y, backpropagated leftwards;
    `reported` is what it gives for layer `number` (a subclass plants its mistake there)."""

    def reported(self, number: int, dz: np.ndarray) -> np.ndarray:
        return dz

    def deltas(self, x: np.ndarray, y: np.ndarray) -> list:
        self.forward(x)
        deltas: list = []
        da = self.cache[f"A{self.n}"] - y
        for number in range(self.n, 0, -1):
            dz = da * self.df(self.cache[f"Z{number}"])
            deltas.insert(0, self.reported(number, dz))
            da = self.params[f"W{number}"] @ dz
        return deltas


class _DeltasOutputFirst(_Deltas):
    """The right deltas, listed from the output layer leftwards: one per bias, their sizes in reverse."""

    def deltas(self, x: np.ndarray, y: np.ndarray) -> list:
        return super().deltas(x, y)[::-1]


class _HiddenDeltaDoubled(_Deltas):
    """The hidden layer's delta reported at 2 × its value; the output's right, and backpropagated right."""

    def reported(self, number: int, dz: np.ndarray) -> np.ndarray:
        return 2 * dz if number == 1 else dz


class _OutputDeltaWithoutFprime(_Deltas):
    """The output layer's delta is A − y (f'(z) left out), and the hidden delta is backpropagated from it."""

    def deltas(self, x: np.ndarray, y: np.ndarray) -> list:
        self.forward(x)
        dz = self.cache[f"A{self.n}"] - y
        return [(self.params["W2"] @ dz) * self.df(self.cache["Z1"]), dz]


class _OutputDeltaNegated(_Deltas):
    """The output layer's delta reported negated; the hidden one is backpropagated from the right one."""

    def reported(self, number: int, dz: np.ndarray) -> np.ndarray:
        return -dz if number == self.n else dz


class _HiddenDeltaTimesRate(_Deltas):
    """The hidden layer's delta reported at 0.1 × its value, the case's learning rate."""

    def reported(self, number: int, dz: np.ndarray) -> np.ndarray:
        return 0.1 * dz if number == 1 else dz


def test_a_model_s_delta_scaled_by_the_learning_rate_is_said_so_as_a_layers_is() -> None:
    """The model-level deltas are diagnosed with the case's learning rate and outputs, as the layer-level
    ones are: a hidden delta 0.1 × the right one (lr = 0.1) was failed with no finding."""
    evidence = evaluate("hidden-delta", _HiddenDeltaTimesRate, DELTAS_CASE, HALF_SSE, DELTAS)
    assert evidence.status == "failed"
    (finding,) = evidence.findings
    assert (finding.kind, finding.params["matches"]) == ("scaled", ["the learning rate"])
    assert finding.sentence.startswith("the values equal 0.1 × the expected ones")


def test_a_model_s_deltas_listed_from_the_output_first_are_skipped_with_the_reason() -> None:
    """One delta per bias vector, but the sizes are the biases' in reverse order (1, 3 for b1 of 3 and b2 of
    1): each delta can be no bias's gradient, so nothing is compared and the check says why."""
    evidence = evaluate("output-delta", _DeltasOutputFirst, DELTAS_CASE, HALF_SSE, DELTAS)
    assert (evidence.status, evidence.where, evidence.summary, evidence.findings) == (
        "skipped", "",
        "deltas(x, y) cannot be checked: parameters() does not hold one bias vector per layer, whose "
        "gradient would be that layer's ∂L/∂z",
        [],
    )


def test_a_model_s_wrong_hidden_delta_is_judged_at_its_hidden_layer_alone() -> None:
    """hidden-delta compares layer 1 of 2 (and only it) with b1's gradient: "the hidden delta is wrong in
    1 of 1 layer", at b1, the factor 2 named; output-delta, which judges layer 2 alone, passes."""
    evidence = evaluate("hidden-delta", _HiddenDeltaDoubled, DELTAS_CASE, HALF_SSE, DELTAS)
    assert (evidence.status, evidence.where, evidence.summary) == (
        "failed", "layer 1 of 2 (b1), unit 1", "the hidden delta is wrong in 1 of 1 layer"
    )
    (finding,) = evidence.findings
    assert (finding.kind, finding.params) == (
        "scaled",
        {"factor": pytest.approx(2.0, rel=1e-9), "matches": ["2"], "agreement": pytest.approx(0, abs=1e-10)},
    )
    assert WITHIN.sub("WITHIN", finding.sentence) == (
        "the values equal 2 × the expected ones WITHIN in all 3 elements: a constant factor, 2 (the ½ of "
        "½‖A − y‖² dropped, a mean squared error with one output, or a step applied twice)"
    )
    passed = evaluate("output-delta", _HiddenDeltaDoubled, DELTAS_CASE, HALF_SSE, DELTAS)
    assert (passed.status, passed.where, passed.summary, passed.findings) == ("passed", "", "", [])


def test_a_model_s_wrong_output_delta_is_said_of_the_output_with_the_mistake_every_delta_makes() -> None:
    """A − y at the output, and the hidden delta built on it: "the output delta is wrong in 1 of 1 layer",
    at b2, and the finding is the mistake the whole network's deltas reproduce, said of every layer's delta
    and naming the layers by their labels."""
    evidence = evaluate("output-delta", _OutputDeltaWithoutFprime, DELTAS_CASE, HALF_SSE, DELTAS)
    assert (evidence.status, evidence.where, evidence.summary) == (
        "failed", "layer 2 of 2 (output) (b2), unit 0", "the output delta is wrong in 1 of 1 layer"
    )
    (finding,) = evidence.findings
    assert (finding.kind, finding.params) == ("missing-fprime", {
        "layers": [2],
        "mistake": "backprop with the factor f'(z) missing at the output layer",
        "gap": pytest.approx(0.0, abs=1e-15),
        "changed": ["layer 1 of 2", "layer 2 of 2 (output)"],
    })
    assert WITHIN.sub("WITHIN", finding.sentence) == (
        "every layer's delta equals that of backprop with the factor f'(z) missing at the output layer "
        "WITHIN in all 4 elements (the mistake changes 3 of 3 elements of layer 1 of 2, 1 of 1 of layer 2 "
        "of 2 (output)): multiply by f'(z)"
    )


def test_a_model_without_a_hidden_layer_passes_hidden_delta_saying_there_is_none() -> None:
    """A (2, 1) model has one bias vector and one delta, its output's: there is no hidden delta to judge."""
    case = make_case((2, 1), "tanh", 0.1, 1.0, 11, HALF_SSE)
    evidence = evaluate("hidden-delta", _Deltas, case, HALF_SSE, DELTAS)
    assert (evidence.status, evidence.rel_error, evidence.where, evidence.summary, evidence.findings) == (
        "passed", None, "", "no hidden layer in this case", []
    )


@pytest.mark.parametrize("check_id", ["output-delta", "hidden-delta"])
def test_a_model_s_deltas_are_judged_without_a_penalty_declared_on_the_biases(check_id: str) -> None:
    """δ is ∂L/∂z of the data loss: with λ = 0.5 declared on the biases too, ∂(L + λ/2·‖b‖²)/∂b is δ + λ·b,
    yet the right deltas pass, judged against the bias gradients of the data loss alone."""
    profile = DELTAS.but(l2=0.5, l2_biases=True)
    evidence = evaluate(check_id, _Deltas, DELTAS_CASE, HALF_SSE, profile)
    assert (evidence.status, evidence.where, evidence.summary, evidence.findings) == ("passed", "", "", [])
    assert evidence.rel_error is not None and evidence.rel_error < 1e-8


def test_a_model_s_small_output_delta_of_the_wrong_sign_is_flipped_within_its_estimate_s_budget() -> None:
    """Near the target (y = A − 1e-6) the output delta is ≈ 9e-7: its negation differs from −1 × the
    estimate by more than 1e-6 of it, but by less than the estimate's budget, within which it is stated."""
    output = prepare(LocalWorker(_Deltas), DELTAS_CASE, DELTAS).predict(DELTAS_CASE.x, 1)
    case = dataclasses.replace(DELTAS_CASE, y=output - 1e-6)
    evidence = evaluate("output-delta", _OutputDeltaNegated, case, HALF_SSE, DELTAS)
    assert (evidence.status, evidence.where, evidence.summary) == (
        "failed", "layer 2 of 2 (output) (b2), unit 0", "the output delta is wrong in 1 of 1 layer"
    )
    (finding,) = evidence.findings
    assert (finding.kind, finding.params) == (
        "sign-flipped", {"factor": -1.0, "agreement": pytest.approx(0, abs=1e-10)}
    )
    assert finding.params["agreement"] > 1e-6 * 9e-7  # beyond the relative tolerance: the budget is needed
    assert WITHIN.sub("WITHIN", finding.sentence) == (
        "the values equal −1 × the expected ones WITHIN in the only element: the sign is flipped (A − y "
        "written y − A, or a gradient added instead of subtracted)"
    )


def test_an_output_delta_of_a_minus_y_under_half_sse_says_it_is_also_cross_entropy_s() -> None:
    """Layers whose output delta is A − y, half-SSE declared: f'(z) is missing, and the sentence goes on to
    say that A − y is bce's output delta on sigmoid outputs, naming how to declare that loss."""
    case = make_case((2, 3, 1), "tanh", 0.1, 1.0, 11, HALF_SSE)
    profile = Profile("layer-level", frozenset({"activation", "activation_prime"}))
    evidence = evaluate("output-delta", output_delta_missing_fprime.make, case, HALF_SSE, profile)
    assert (evidence.status, evidence.where) == ("failed", "layer 2 of 2 (output), unit 0")
    assert evidence.findings[0] == Finding(
        "missing-fprime",
        "the delta equals ∂L/∂A exactly in the only element: the factor f'(z) (dZ) that turns it into ∂L/∂z "
        "is missing; A − y is also the output delta of cross-entropy on sigmoid outputs: if that is the loss "
        "meant, declare it with loss='bce'",
        {"agreement": 0.0, "also": "bce"},
    )


def test_an_output_delta_of_a_minus_y_where_f_prime_is_all_but_1_is_failed_without_a_diagnosis() -> None:
    """At weights of scale 0.01 the output's z is ≈ −9e-5 and tanh'(z) is 1 − 9e-9: A − y fails against the
    estimate, but ∂L/∂A equals the expected delta within 1e-6 of it, so no relation can tell that f'(z) is
    missing (nor any other mistake) and none is stated."""
    case = make_case((2, 3, 1), "tanh", 0.1, 0.01, 11, HALF_SSE)
    profile = Profile("layer-level", frozenset({"activation", "activation_prime"}))
    evidence = evaluate("output-delta", output_delta_missing_fprime.make, case, HALF_SSE, profile)
    assert (evidence.status, evidence.where, evidence.summary, evidence.findings) == (
        "failed", "layer 2 of 2 (output), unit 0", "the output delta is wrong in 1 of 1 layer", []
    )


def _delta_finding(
    delta: np.ndarray, expected: np.ndarray, a: np.ndarray, y: np.ndarray, output: bool = True,
    budget: float = 1e-12,
) -> Finding | None:
    """What _delta_diagnosis says of a tanh layer's delta at A = `a` (target `y`, half-SSE declared), with
    f'(z) = 0.8 and f'(A) = 0.7 at every unit, ∂L/∂A = A − y, and an estimate's budget (1e-12 unless told)."""
    case = SimpleNamespace(y=y, learning_rate=0.1, n_outputs=y.size)
    fz, fa = np.full(y.size, 0.8), np.full(y.size, 0.7)
    return delta_checks._delta_diagnosis(delta, expected, np.full(y.size, budget), a - y, fz, fa, a, case,
                                         HALF_SSE, output, "python")


@pytest.mark.parametrize(
    ("output", "finding"),
    [
        (True, Finding(
            "loss-mismatch",
            "the output delta equals ∂L/∂z of mse (mean squared error over the outputs, ‖A − y‖² / n_out) "
            "exactly: it is right for that loss; declare it with loss='mse' if it is the one meant",
            {"loss": "mse", "declared": "half_sse", "agreement": 0.0},
        )),
        (False, Finding(
            "scaled",
            "the values equal 2 × the expected ones exactly in the only element: a constant factor, 2 (the ½ "
            "of ½‖A − y‖² dropped, a mean squared error with one output, or a step applied twice)",
            {"factor": 2.0, "matches": ["2"], "agreement": 0.0},
        )),
    ],
)
def test_a_delta_of_2_a_minus_y_is_mse_s_at_the_output_and_a_factor_2_in_a_hidden_layer(
    output: bool, finding: Finding
) -> None:
    """2(A − y)·f'(z) with one output: at the output, the losses after the declared one (skipped) are tried
    and mse's ∂L/∂z is it; a hidden layer's delta is no loss's, and is the generic factor 2."""
    a, y = np.array([0.3]), np.array([0.5])
    expected = (a - y) * 0.8
    assert _delta_finding(2 * (a - y) * 0.8, expected, a, y, output) == finding


def test_an_output_delta_equal_to_the_declared_loss_s_is_never_said_to_belong_to_another_loss() -> None:
    """(A − y)·f'(z) where the estimate is its negation: the declared half-SSE is not offered as the loss
    the delta is right for; the delta is the sign flip it is."""
    a, y = np.array([0.3]), np.array([0.5])
    assert _delta_finding((a - y) * 0.8, -(a - y) * 0.8, a, y) == Finding(
        "sign-flipped",
        "the values equal −1 × the expected ones exactly in the only element: the sign is flipped (A − y "
        "written y − A, or a gradient added instead of subtracted)",
        {"factor": -1.0, "agreement": 0.0},
    )


def test_an_output_delta_off_by_rounding_is_not_mse_s_where_mse_s_delta_is_the_expected_one() -> None:
    """With two outputs mse's ∂L/∂z, 2(A − y)/2 · f'(z), is half-SSE's: a delta 1e-8 off the expected one
    agrees with mse's as closely, but naming mse would say nothing, so no finding is made."""
    a, y = np.array([0.3, 0.6]), np.array([0.5, 0.2])
    expected = (a - y) * 0.8
    assert _delta_finding(expected * (1 + 1e-8), expected, a, y) is None


def test_a_loss_undefined_at_the_outputs_is_passed_over_without_a_warning() -> None:
    """At A = 1 bce's ∂L/∂A divides by A(1 − A) = 0: that loss is skipped silently (no RuntimeWarning), and
    the negated delta is still found to be a sign flip."""
    a, y = np.array([1.0]), np.array([0.5])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = _delta_finding(-(a - y) * 0.8, (a - y) * 0.8, a, y)
    assert found == Finding(
        "sign-flipped",
        "the values equal −1 × the expected ones exactly in the only element: the sign is flipped (A − y "
        "written y − A, or a gradient added instead of subtracted)",
        {"factor": -1.0, "agreement": 0.0},
    )


def test_an_output_delta_is_not_said_to_be_the_loss_whose_delta_the_estimate_is_within_its_budget() -> None:
    """Two outputs, where mse's ∂L/∂z is half-SSE's: the estimate is 3.25e-7 below it, more than 1e-6 of
    the delta's scale (3.2e-7) but within that plus the budget (1e-8), and the delta is 3e-7 above it, so it
    fails; mse is the estimate's own loss as far as the budget can tell, so it is not named."""
    a, y = np.array([0.3, 0.6]), np.array([0.5, 0.2])
    mse = (a - y) * 0.8
    assert _delta_finding(mse + 3e-7, mse - 3.25e-7, a, y, budget=1e-8) is None


def test_an_output_delta_carrying_f_prime_twice_is_said_to_carry_an_extra_factor() -> None:
    """(A − y)·f'(z)·f'(z) at the output: the delta is ∂L/∂z × f'(z), an extra factor f'(z)."""
    a, y = np.array([0.3]), np.array([0.5])
    expected = (a - y) * 0.8
    assert _delta_finding(expected * 0.8, expected, a, y) == Finding(
        "extra-fprime",
        "the delta equals ∂L/∂z × f'(z) exactly in the only element: an extra factor f'(z) (for "
        "cross-entropy on sigmoid outputs the output delta is A − y, without f'(z))",
        {"agreement": 0.0},
    )


def test_a_minus_y_is_not_said_to_miss_f_prime_where_it_is_the_estimate_within_the_budget() -> None:
    """A − y = −0.2 as the output delta, the estimate 2.05e-7 above it: more than 1e-6 of it (2e-7), within
    that plus the budget (1e-8). ∂L/∂A cannot be told from ∂L/∂z, so f'(z) is not said to be missing."""
    a, y = np.array([0.3]), np.array([0.5])
    assert _delta_finding(a - y, a - y + 2.05e-7, a, y, budget=1e-8) is None


def test_an_output_delta_with_f_prime_of_a_where_f_prime_of_z_belongs_is_said_to_use_f_prime_of_a() -> None:
    """(A − y)·f'(A) where (A − y)·f'(z) belongs (f'(A) = 0.7, f'(z) = 0.8): f'(A) is used in its place."""
    a, y = np.array([0.3]), np.array([0.5])
    expected = (a - y) * 0.8
    assert _delta_finding(expected / 0.8 * 0.7, expected, a, y) == Finding(
        "fprime-of-output",
        "the delta equals (∂L/∂z ÷ f'(z)) × f'(A) exactly in the only element: f'(A) is used where f'(z) "
        "belongs",
        {"agreement": 0.0},
    )


@pytest.mark.parametrize(
    ("a", "y", "factor", "sentence"),
    [
        ([0.3], [0.5], 0.1,
         "the values equal 0.1 × the expected ones WITHIN in the only element: a constant factor, the "
         "learning rate (the learning rate applied twice)"),
        ([0.3, 0.6, -0.2], [0.5, 0.2, 0.1], 3.0,
         "the values equal 3 × the expected ones WITHIN in all 3 elements: a constant factor, the number of "
         "outputs (a gradient summed over the outputs where the loss averages them)"),
    ],
    ids=["learning-rate", "outputs"],
)
def test_a_delta_scaled_by_the_case_s_learning_rate_or_output_count_is_said_to_be_scaled_by_it(
    a: list[float], y: list[float], factor: float, sentence: str
) -> None:
    """The generic factor is named from the case: its learning rate (0.1) and its number of outputs (3)."""
    a_, y_ = np.array(a), np.array(y)
    expected = (a_ - y_) * 0.8
    found = _delta_finding(factor * expected, expected, a_, y_)
    assert found is not None
    assert (found.kind, WITHIN.sub("WITHIN", found.sentence), found.params["factor"]) == (
        "scaled", sentence, pytest.approx(factor, rel=1e-12)
    )


def test_a_negated_delta_is_said_to_be_flipped_within_the_estimate_s_budget() -> None:
    """−(A − y)·f'(z) + 2e-7: off −1 × the estimate by more than 1e-6 of it (1.6e-7), within that plus the
    budget (1e-7): the sign flip is stated to 2e-07."""
    a, y = np.array([0.3]), np.array([0.5])
    expected = (a - y) * 0.8
    found = _delta_finding(-expected + 2e-7, expected, a, y, budget=1e-7)
    assert found == Finding(
        "sign-flipped",
        "the values equal −1 × the expected ones to 2e-07 in the only element: the sign is flipped (A − y "
        "written y − A, or a gradient added instead of subtracted)",
        {"factor": -1.0, "agreement": pytest.approx(2e-7, rel=1e-6)},
    )


def _prime_as_a_row(layers: list[int], activation: str) -> NeuralNetwork:
    """The output delta A − y of output_delta_missing_fprime, with each layer's activation_prime giving
    tanh'(z) as a row (1, n) whatever the shape of z."""
    net = output_delta_missing_fprime.make(layers, activation)
    for layer in net.layers:
        layer.activation_prime = lambda z, prime=layer.activation_prime: np.atleast_2d(prime(z))
    return net


def test_an_activation_prime_giving_a_row_is_read_in_z_s_shape_and_found_to_be_f_prime() -> None:
    """activation_prime(z) of z's size in another shape is taken in z's shape: it is f'(z), so the layer's
    own derivative explains nothing, and A − y where tanh'(z) = 1 − 9e-9 is failed without a diagnosis."""
    case = make_case((2, 3, 1), "tanh", 0.1, 0.01, 11, HALF_SSE)
    profile = Profile("layer-level", frozenset({"activation", "activation_prime"}))
    evidence = evaluate("output-delta", _prime_as_a_row, case, HALF_SSE, profile)
    assert (evidence.status, evidence.where, evidence.summary, evidence.findings) == (
        "failed", "layer 2 of 2 (output), unit 0", "the output delta is wrong in 1 of 1 layer", []
    )
