"""What the suspected-mistake findings say, word for word: a bias gradient summed over the wrong axis
(which shapes it is recognised in, which axes it names, how closely its one value must equal the sum),
whole arrays left at 0 (how far from 0 their gradient must be, and that some other array must be right),
whether a list of findings already names a suspect, and a suspect named under a declared L2 penalty.

Each test calls one function of backprop.battery.checks.suspected on tiny arrays."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from backprop.battery.cases import make_case
from backprop.battery.checks import penalty, suspected
from backprop.battery.checks.common import model_estimates, parameter_labels, prepare, weight_estimates
from backprop.battery.profile import Profile
from backprop.battery.protocols import (
    GradientShapeError,
    LayerNetwork,
    LocalWorker,
    ModelNetwork,
    open_network,
)
from backprop.findings import Finding
from backprop.losses import HALF_SSE
from backprop.network import NeuralNetwork

sys.path.insert(0, str(Path(__file__).resolve().parent / "styles"))

from styles import catalogue  # noqa: E402

CASE = make_case((2, 3, 1), "tanh", 0.1, 1.0, 11, HALF_SSE)


def estimate(value: Any, budget: float = 1e-12) -> Any:
    """What the findings read of a numerical estimate: its value and its budget."""
    value = np.asarray(value, dtype=float)
    return SimpleNamespace(value=value, budget=np.full(value.shape, budget))


def misshapen(shape: tuple[int, ...], right: Any, given: Any, budget: float = 1e-12) -> Finding | None:
    """wrong_axis of a single bias array of `shape` whose right gradient is `right`, given `given`."""
    error = GradientShapeError("b misshapen", 0, [np.asarray(given, dtype=float)], [shape])
    return suspected.wrong_axis(error, [estimate(np.reshape(right, shape), budget)], ["b1"])


# --------------------------------------------------------------------------- wrong axis


def test_a_column_bias_summed_over_its_units_names_axis_0_where_the_samples_are_axis_1() -> None:
    """A (3, 1) column bias has its units on axis 0, so the sum belongs over axis 1: the sentence and
    params must name the axes the other way round from a row bias."""
    finding = misshapen((3, 1), [0.5, -0.25, 1.0], [1.25])
    assert finding is not None
    assert finding.kind == "wrong-axis"
    assert finding.sentence == (
        "b1's gradient has shape (1,) where b1 has shape (3, 1), and its one value equals the sum of "
        "∂L/∂b1 over its 3 units exactly: the bias gradient is summed over axis 0 (the units) where the "
        "sum belongs over axis 1 (the samples)"
    )
    assert finding.params == {"parameter": "b1", "axis": 0, "expected_axis": 1, "shape": [1]}


def test_a_row_bias_of_shape_1_by_n_summed_over_its_units_names_axis_1() -> None:
    """A (1, 3) row bias has its units on axis 1: summed over them is axis 1 where axis 0 belongs."""
    finding = misshapen((1, 3), [0.5, -0.25, 1.0], [[1.25]])
    assert finding is not None
    assert finding.params == {"parameter": "b1", "axis": 1, "expected_axis": 0, "shape": [1, 1]}


def test_the_one_value_may_differ_from_the_sum_by_the_summed_budgets() -> None:
    """The estimate's budget is summed with the values: a value off by less than that sum is the sum."""
    finding = misshapen((3,), [0.5, -0.25, 1.0], [1.25 + 1e-5], budget=1e-5)
    assert finding is not None
    assert "over its 3 units to 1e-05: " in finding.sentence


def test_a_matrix_parameter_summed_to_one_value_is_no_wrong_axis() -> None:
    """A (2, 3) array is no bias of one value per unit: one value equal to its sum is not named."""
    assert misshapen((2, 3), [[0.5, -0.25, 1.0], [1.0, 2.0, 3.0]], [7.25]) is None


def test_a_three_axis_parameter_summed_to_one_value_is_no_wrong_axis() -> None:
    """A bias of three axes is not the layout the finding describes, even with two of them of size 1."""
    assert misshapen((2, 1, 1), [0.5, -0.25], [0.25]) is None


def test_a_one_unit_bias_given_as_one_value_is_no_wrong_axis() -> None:
    """With one unit, the sum over the units is the gradient itself: nothing was summed wrongly."""
    assert misshapen((1,), [0.5], [0.5]) is None


# --------------------------------------------------------------------------- frozen arrays


def frozen(values: list[Any], given: list[Any], budget: float = 1e-12) -> list[Finding]:
    labels = [f"p{n}" for n in range(1, len(values) + 1)]
    estimates = [estimate(v, budget) for v in values]
    return suspected.frozen_arrays([np.asarray(g, dtype=float) for g in given], estimates, labels, "the step")


def test_an_array_right_within_its_budget_counts_as_right_beside_a_frozen_one() -> None:
    """The right arrays are right within their estimate's budget, not only exactly."""
    found = frozen([[0.5, -0.5], [2.0]], [[0.5 + 1e-6, -0.5], [0.0]], budget=1e-5)
    assert [(f.kind, f.sentence, f.params) for f in found] == [
        (
            "frozen",
            "the step is 0 in every element of p2 where ∂L/∂p is not, and right in p1: p2 is left out",
            {"parameters": ["p2"]},
        )
    ]


def test_a_zero_array_whose_gradient_is_below_ten_budgets_is_not_frozen() -> None:
    """0 where the gradient is within 10 budgets of 0 could be rounding: nothing is named."""
    assert frozen([[0.5], [5e-12]], [[0.5], [0.0]]) == []


def test_a_zero_array_whose_gradient_is_exactly_ten_budgets_is_not_frozen() -> None:
    """The gradient must be more than 10 budgets from 0 for its array's zeros to be called frozen."""
    assert frozen([[0.5], [1.25]], [[0.5], [0.0]], budget=0.125) == []


def test_a_zero_array_whose_gradient_is_just_over_ten_budgets_is_frozen() -> None:
    """Just over 10 budgets is enough."""
    found = frozen([[0.5], [1.3]], [[0.5], [0.0]], budget=0.125)
    assert [f.params for f in found] == [{"parameters": ["p2"]}]


def test_every_array_frozen_is_not_named_frozen() -> None:
    """With no array right, the step may be missing altogether: the frozen finding needs a right one."""
    assert frozen([[0.5], [2.0]], [[0.0], [0.0]]) == []


def test_every_array_right_is_no_frozen_finding() -> None:
    assert frozen([[0.5], [2.0]], [[0.5], [2.0]]) == []


# --------------------------------------------------------------------------- named


def test_a_finding_with_a_mistake_param_names_a_suspect() -> None:
    """Only a finding carrying the suspect's "mistake" param counts as one naming a suspect."""
    assert suspected.named([Finding("sign-flipped", "s", {"mistake": "sign"})]) is True
    assert suspected.named([Finding("frozen", "s", {"parameters": ["b1"]})]) is False


# --------------------------------------------------------------------------- suspects under a penalty


SIGN_FLIPPED = (
    "every gradient equals that of backprop with the output error's sign flipped (y − A where A − y belongs) "
)
ALL_13 = (
    " in all 13 elements (the mistake changes 6 of 6 elements of parameter 1 of 4, 3 of 3 of parameter 2 "
    "of 4, 3 of 3 of parameter 3 of 4, 1 of 1 of parameter 4 of 4): write the error as A − y"
)


def assert_named_sign_flipped(found: list[Finding], changed: list[str], extent: str) -> None:
    """The one finding names layer 2's output error sign-flipped, to whatever agreement, over `extent`."""
    assert [(f.kind, f.params["layer"], f.params["changed"]) for f in found] == [("sign-flipped", 2, changed)]
    pattern = re.escape(SIGN_FLIPPED) + "(exactly|to [0-9]e-[0-9]+)" + re.escape(extent)
    assert re.fullmatch(pattern, found[0].sentence), found[0].sentence


def test_a_sign_flipped_gradient_carrying_the_declared_penalty_is_named_sign_flipped() -> None:
    """With an L2 penalty declared, the estimates and the code's gradients carry λ·W on the weights
    (not the biases): the judge's suspects carry it too, so the sign-flipped data gradient is named."""
    profile = Profile("model-level", l2=0.5)
    net = prepare(LocalWorker(catalogue()["rows_sign_flipped"].make), CASE, profile)
    assert isinstance(net, ModelNetwork)
    estimates = model_estimates(net, CASE, HALF_SSE)
    gradients = net.gradients(CASE.x, CASE.y, [a.shape for a in net.weight_arrays()])
    extra = penalty.penalty_gradients(net.weight_arrays(), profile, model=True)
    given = [g + p for g, p in zip(gradients, extra, strict=True)]
    labels = parameter_labels(net)[0]
    found = suspected.findings(net, CASE, HALF_SSE, given, estimates, "every gradient", labels=labels)
    assert_named_sign_flipped(found, labels, ALL_13)


def test_no_suspect_is_named_for_layers_whose_forward_is_not_the_judge_s() -> None:
    """A layer network's suspects are named only when what its forward gave is the judge's A = f(aW):
    outputs off by 0.5 mean the judge's picture of the network is wrong, and nothing is named."""
    profile = Profile("layer-level")
    net = open_network(LocalWorker(NeuralNetwork), [2, 3, 1], "tanh", profile)
    assert isinstance(net, LayerNetwork)
    x1 = net.with_one(CASE.x)
    estimates = weight_estimates(net, x1, CASE.y, HALF_SSE)
    flipped = [-np.asarray(e.value, dtype=float) for e in estimates]
    seen = net.forward(x1)
    named = suspected.findings(
        net, CASE, HALF_SSE, flipped, estimates, "every gradient", seen=seen, penalised=False
    )
    assert [f.kind for f in named] == ["sign-flipped"]
    off = [*seen[:-1], np.asarray(seen[-1], dtype=float) + 0.5]
    assert (
        suspected.findings(
            net, CASE, HALF_SSE, flipped, estimates, "every gradient", seen=off, penalised=False
        )
        == []
    )
