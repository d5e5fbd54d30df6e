"""What the judge's view of an implementation says, word for word, when a reply is wrong (a loss that is not
one number, deltas that are not a list, an activation that returns nothing), and what it makes of the
replies it accepts (a loss as a one-element list, deltas as one array); and how the checks' shared
pieces word what they found: the loss-mismatch reading of gradients every array of which is scaled by
one factor (which factor, to which digits, which losses), and the deltas quoted in a sentence.

Each test drives the smallest piece: a network of backprop.battery.protocols over a scripted worker,
or a function of backprop.battery.checks.common on findings made by hand."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from backprop.battery.checks import common
from backprop.battery.profile import Profile
from backprop.battery.protocols import LayerNetwork, ModelNetwork, PluginError
from backprop.findings import Finding


class Scripted:
    """A worker whose model holds one parameter array and replies to every other request with `reply`."""

    def __init__(self, reply: Any) -> None:
        self.reply = reply

    def request(self, name: str, *args: Any) -> Any:
        if name == "weights":
            return {"arrays": [np.zeros((3, 2))], "names": None}
        return self.reply


def model(reply: Any) -> ModelNetwork:
    return ModelNetwork(Scripted(reply), {"offers": ["loss", "deltas", "gradients"]})


# --------------------------------------------------------------------------- loss(x, y)


def test_a_loss_returned_as_a_one_element_list_is_read_as_its_number() -> None:
    """loss(x, y) may hand back [0.25] (a numpy reduction kept its axis): the loss is the number 0.25."""
    assert model([0.25]).loss(np.zeros(2), np.zeros(2)) == 0.25
    assert model(np.array([[0.25]])).loss(np.zeros(2), np.zeros(2)) == 0.25


@pytest.mark.parametrize(
    ("reply", "sentence"),
    [
        (None, "loss(x, y) is None"),
        (float("nan"), "loss(x, y) holds 1 non-finite value(s) (NaN or inf)"),
        ("low", "loss(x, y) is not an array of real numbers (str)"),
        ([0.25, 0.5], "loss(x, y) returned 2 values, not one number"),
    ],
)
def test_a_loss_that_is_not_one_finite_number_is_refused_naming_loss(reply: Any, sentence: str) -> None:
    """The error names the call the bad value came from, so its author knows which method to fix."""
    with pytest.raises(PluginError) as raised:
        model(reply).loss(np.zeros(2), np.zeros(2))
    assert str(raised.value) == sentence


# --------------------------------------------------------------------------- deltas(x, y)


def test_deltas_returned_as_one_array_are_its_rows_each_flattened() -> None:
    """deltas(x, y) may return one numpy array whose rows are the layers' deltas (equal widths)."""
    out = model(np.array([[1.0, 2.0], [3.0, 4.0]])).deltas(np.zeros(2), np.zeros(2))
    assert [d.tolist() for d in out] == [[1.0, 2.0], [3.0, 4.0]]
    ints = model(np.array([[1, 2]])).deltas(np.zeros(2), np.zeros(2))
    assert [d.tolist() for d in ints] == [[1.0, 2.0]]


def test_deltas_of_one_unit_layers_returned_as_a_flat_array_are_one_value_each() -> None:
    """A network of one-unit layers may return its deltas as a flat array: each element is a layer's."""
    out = model(np.array([0.5, -1.5])).deltas(np.zeros(1), np.zeros(1))
    assert [d.tolist() for d in out] == [[0.5], [-1.5]]


@pytest.mark.parametrize(
    ("reply", "sentence"),
    [
        ((np.zeros(2), np.zeros(1)), "deltas(x, y) returned a tuple, not a list"),
        ({"W1": np.zeros(2)}, "deltas(x, y) returned a dict, not a list"),
        (np.array(0.5), "deltas(x, y) returned a ndarray, not a list"),
        (np.array(["a", "b"]), "deltas(x, y) returned a ndarray, not a list"),
        (None, "deltas(x, y) returned a NoneType, not a list"),
    ],
)
def test_deltas_that_are_not_a_list_are_refused_naming_what_came_back(reply: Any, sentence: str) -> None:
    """Anything but a list (or an array of numbers with a layer axis) is refused, saying what it was."""
    with pytest.raises(PluginError) as raised:
        model(reply).deltas(np.zeros(2), np.zeros(2))
    assert str(raised.value) == sentence


@pytest.mark.parametrize(
    ("reply", "sentence"),
    [
        ([np.zeros(2), None], "delta 2 from deltas(x, y) is None"),
        ([[np.inf], np.zeros(2)], "delta 1 from deltas(x, y) holds 1 non-finite value(s) (NaN or inf)"),
    ],
)
def test_a_bad_delta_is_named_by_its_layer_counted_from_one(reply: Any, sentence: str) -> None:
    """The error says which layer's delta is bad, numbered as the report numbers layers (from 1)."""
    with pytest.raises(PluginError) as raised:
        model(reply).deltas(np.zeros(2), np.zeros(2))
    assert str(raised.value) == sentence


# --------------------------------------------------------------------------- a layer's own functions


def layers(reply: Any) -> LayerNetwork:
    """Two layers, each with its own unregistered activation and derivative, evaluated by the subject."""
    described = [
        {"callable": ["activation", "activation_prime"], "functions": [2 * i, 2 * i + 1]} for i in range(2)
    ]
    return LayerNetwork(Scripted(reply), {"layers": described})


@pytest.mark.parametrize(
    ("name", "reply", "sentence"),
    [
        ("activation", None, "layer 2's activation(z) is None"),
        ("activation_prime", "steep", "layer 2's activation_prime(z) is not an array of real numbers"),
    ],
)
def test_a_layer_function_that_returns_no_numbers_is_refused_naming_its_layer(
    name: str, reply: Any, sentence: str
) -> None:
    """The error names the layer (counted from 1) and the function whose value was not numbers."""
    with pytest.raises(PluginError) as raised:
        getattr(layers(reply).layers[1], name)(np.zeros(3))
    assert str(raised.value) == sentence


# --------------------------------------------------------------------------- the checks' shared wording


def test_a_delta_quoted_in_a_sentence_has_four_digits_and_is_cut_past_six_values() -> None:
    """Deltas quoted in a sentence are rounded to 4 decimals, and arrays of 7 values or more abridged."""
    assert common._values(np.array([0.123456789, -2.0])) == "[ 0.1235, -2.    ]"
    assert common._values(np.arange(7.0)) == "[0., 1., 2., ..., 4., 5., 6.]"
    assert common._values(np.arange(6.0)) == "[0., 1., 2., 3., 4., 5.]"


@pytest.mark.parametrize(
    ("factors", "shared"),
    [
        ([0.5, 0.5], "0.5"),
        ([40.1234, 40.1334], "40.1"),
        ([1.234, 1.246463], "1"),
        ([0.54, 0.56], "0.5"),
        ([0.123456789, 0.1234567899], "0.123457"),
        ([2.0, 2.0 + 2e-9], "2"),
    ],
)
def test_the_factor_the_arrays_share_is_written_to_the_digits_they_agree_on(
    factors: list[float], shared: str
) -> None:
    """The first array's factor, to as many significant digits as the factors' relative spread leaves
    (six at most): 40.1234 and 40.1334 agree to 40.1, not to 4e+01 nor to 40.12."""
    assert common._shared(factors) == shared


MSE_AGAINST_HALF_SSE = "2 / the number of outputs (mean squared error against half-SSE)"
HALF_SSE_AGAINST_MSE = "the number of outputs / 2 (half-SSE against mean squared error)"


def scaled(factor: float, matches: list[str]) -> Finding:
    """A failing array's finding: its gradient is `factor` × the expected one (the names it matches)."""
    return Finding(
        "scaled",
        f"the values equal {factor} × the expected ones",
        {"factor": factor, "matches": matches, "agreement": 0.0},
    )


def declared(loss: str) -> Any:
    """A model network as _loss_reading reads it: only its profile (the declared loss, the interface)."""
    return SimpleNamespace(profile=Profile("model-level", loss=loss))


def test_every_array_scaled_by_two_over_the_outputs_reads_as_mse_declared_half_sse() -> None:
    """Gradients all 2/n × half-SSE's are mean squared error's: the finding says so and how to declare it."""
    findings = [scaled(0.5, [MSE_AGAINST_HALF_SSE]), scaled(0.5000001, [MSE_AGAINST_HALF_SSE])]
    assert common._loss_reading(findings, 2, declared("half_sse"), 4) == Finding(
        "loss-mismatch",
        "every failing array's gradient is 0.5 × the expected one, the ratio of mse's gradient to "
        "half_sse's: the model computes the gradient of mse; declare loss='mse' if it is the loss meant",
        {"loss": "mse", "declared": "half_sse", "factor": 0.5},
    )


def test_a_factor_of_two_with_one_output_reads_as_mse_declared_half_sse() -> None:
    """With one output the ratio of mse's gradient to half-SSE's is 2, a factor named only "2"."""
    assert common._loss_reading([scaled(2.0, ["2"])], 1, declared("half_sse"), 1) == Finding(
        "loss-mismatch",
        "every failing array's gradient is 2 × the expected one, the ratio of mse's gradient to "
        "half_sse's: the model computes the gradient of mse; declare loss='mse' if it is the loss meant",
        {"loss": "mse", "declared": "half_sse", "factor": 2.0},
    )


def test_a_factor_of_two_with_four_outputs_reads_as_half_sse_declared_mse() -> None:
    """With four outputs, 2 is n/2, half-SSE's gradient over mse's: not the one-output reading of 2."""
    findings = [scaled(2.0, ["2", HALF_SSE_AGAINST_MSE])]
    assert common._loss_reading(findings, 1, declared("mse"), 4) == Finding(
        "loss-mismatch",
        "every failing array's gradient is 2 × the expected one, the ratio of half_sse's gradient to "
        "mse's: the model computes the gradient of half_sse; declare loss='half_sse' if it is the loss meant",
        {"loss": "half_sse", "declared": "mse", "factor": 2.0},
    )
    assert common._loss_reading([scaled(2.0, ["2"])], 1, declared("half_sse"), 4) is None


def test_no_loss_reading_unless_every_failing_array_shares_one_named_loss_ratio() -> None:
    """A loss mismatch scales every array by the same named ratio, for the declared loss: anything else
    (another finding, an array scaled by another factor, a ratio to another loss) is not one."""
    mse = scaled(0.5, [MSE_AGAINST_HALF_SSE])
    model = declared("half_sse")
    assert common._loss_reading([mse, scaled(0.7, [])], 2, model, 4) is None
    assert common._loss_reading([mse, scaled(0.5, ["1/2"])], 2, model, 4) is None
    assert common._loss_reading([mse], 2, model, 4) is None
    assert common._loss_reading([], 0, model, 4) is None
    other = Finding("sign-flipped", "the values are the expected ones negated", {})
    assert common._loss_reading([other], 1, model, 4) is None
    assert common._loss_reading([mse], 1, declared("mse"), 4) is None
    assert common._loss_reading([scaled(0.25, ["1 / the number of outputs"])], 1, model, 4) is None
