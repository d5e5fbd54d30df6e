"""How the judge reads a model-level network's gradients(x, y): a list of arrays in parameters() order,
or a dict keyed by the parameters' names; flat arrays of the right size reshaped to their parameter's
shape; and, word for word, why a reply is refused (a dict missing a name, not a list, the wrong number
of arrays).  Also the sentence that names a layer's stored value of the wrong shape, how predict(x) is
asked and refused, and why a model without predict or loss has no loss to differentiate.

Each test drives the smallest piece: a network of backprop.battery.protocols over a scripted worker."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from backprop.battery.checks.common import model_loss_of
from backprop.battery.protocols import LayerNetwork, ModelNetwork, PluginError
from backprop.losses import HALF_SSE

SHAPES = [(3, 2), (2,)]


class Named:
    """A worker whose model holds two parameter arrays, named when `names` is given, and that replies
    to every other request with `reply`."""

    def __init__(self, reply: Any, names: list[str] | None = None) -> None:
        self.reply, self.names = reply, names

    def request(self, name: str, *args: Any) -> Any:
        if name == "weights":
            return {"arrays": [np.zeros(s) for s in SHAPES], "names": self.names}
        return self.reply


def model(reply: Any, names: list[str] | None = None) -> ModelNetwork:
    net = ModelNetwork(Named(reply, names), {"offers": ["gradients"]})
    net.weight_arrays()
    return net


def gradients(net: ModelNetwork) -> list[np.ndarray]:
    return net.gradients(np.zeros(3), np.zeros(2), SHAPES)


def test_a_named_model_may_return_its_gradients_as_a_list_in_parameters_order() -> None:
    """Naming the parameters does not oblige gradients(x, y) to return a dict: a list is read in order."""
    w, b = np.arange(6.0).reshape(3, 2), np.array([7.0, 8.0])
    got = gradients(model([w, b], names=["W", "b"]))
    assert [g.tolist() for g in got] == [w.tolist(), b.tolist()]


def test_gradients_returned_as_a_dict_are_read_in_the_order_of_the_parameters_names() -> None:
    """A dict of gradients is put in parameters() order by name, whatever order its keys are in."""
    w, b = np.arange(6.0).reshape(3, 2), np.array([7.0, 8.0])
    got = gradients(model({"b": b, "W": w}, names=["W", "b"]))
    assert [g.tolist() for g in got] == [w.tolist(), b.tolist()]


def test_a_dict_of_gradients_missing_a_name_is_refused_naming_the_first_missing() -> None:
    """The error names the first parameter (in parameters() order) the dict has no gradient for."""
    with pytest.raises(PluginError) as raised:
        gradients(model({"W": np.zeros((3, 2))}, names=["W", "b"]))
    assert str(raised.value) == "gradients(x, y) has no entry for 'b'"
    with pytest.raises(PluginError) as raised:
        gradients(model({"a": np.zeros((3, 2))}, names=["a", "b", "c"]))
    assert str(raised.value) == "gradients(x, y) has no entry for 'b'"


@pytest.mark.parametrize(
    ("reply", "sentence"),
    [
        ((np.zeros((3, 2)), np.zeros(2)), "gradients(x, y) returned a tuple, not a list"),
        ({"W": np.zeros((3, 2)), "b": np.zeros(2)}, "gradients(x, y) returned a dict, not a list"),
        (np.zeros(8), "gradients(x, y) returned a ndarray, not a list"),
    ],
)
def test_gradients_that_are_not_a_list_are_refused_naming_what_came_back(reply: Any, sentence: str) -> None:
    """Anything but a list (or a dict, when the parameters are named) is refused, saying what it was."""
    with pytest.raises(PluginError) as raised:
        gradients(model(reply))
    assert str(raised.value) == sentence


def test_a_list_of_gradients_of_the_wrong_length_is_refused_counting_both() -> None:
    """The error says how many arrays came back and how many parameters there are."""
    with pytest.raises(PluginError) as raised:
        gradients(model([np.zeros((3, 2))]))
    assert str(raised.value) == "gradients(x, y) returned 1 arrays for 2 parameters"


def test_a_flat_gradient_of_the_right_size_is_reshaped_to_its_parameters_shape() -> None:
    """A gradient returned flattened (or as a column) is read in its parameter's shape, not refused."""
    got = gradients(model([np.arange(6.0), [[7.0], [8.0]]]))
    assert [g.shape for g in got] == SHAPES
    assert [g.tolist() for g in got] == [[[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]], [7.0, 8.0]]


def test_a_stored_value_of_the_wrong_shape_is_refused_naming_the_layer_and_the_value() -> None:
    """The error says which layer's stored value (A, dZ, delta) has which shape, and what was expected."""
    net = LayerNetwork(Named(np.zeros(3)), {"layers": [{}, {}]})
    with pytest.raises(PluginError) as raised:
        net.stored("delta", 2, (1, 2))
    assert str(raised.value) == "layer 2's delta has shape (3,), expected (1, 2)"


class Recording(Named):
    """The named worker, keeping the name of every request it is sent."""

    def __init__(self, reply: Any) -> None:
        super().__init__(reply)
        self.sent: list[str] = []

    def request(self, name: str, *args: Any) -> Any:
        self.sent.append(name)
        return super().request(name, *args)


def test_predict_asks_the_model_as_it_is_unless_asked_at_the_judge_s_weights() -> None:
    """predict(x) alone is a plain call of the model's predict; only at_weights=True sends the judge's
    weights along with it (a call that sets them first)."""
    worker = Recording(np.array([0.5, -0.5]))
    net = ModelNetwork(worker, {"offers": ["gradients", "predict"]})
    assert net.predict(np.zeros(3), 2).tolist() == [0.5, -0.5]
    assert worker.sent[0] == "method" and "method_at" not in worker.sent
    worker.sent.clear()
    net.predict(np.zeros(3), 2, at_weights=True)
    assert "method_at" in worker.sent and "method" not in worker.sent


def test_a_prediction_of_the_wrong_size_is_refused_naming_predict_and_both_shapes() -> None:
    """Three outputs where the case has two: one sentence naming predict(x), what it gave and what was due."""
    net = ModelNetwork(Named(np.zeros(3)), {"offers": ["gradients", "predict"]})
    with pytest.raises(PluginError) as raised:
        net.predict(np.zeros(3), 2)
    assert str(raised.value) == "predict(x) has shape (3,), expected (2,)"


def test_a_model_with_neither_predict_nor_loss_has_no_loss_to_differentiate() -> None:
    """The numerical estimate needs the model's loss: without predict(x) or loss(x, y) that is said."""
    net = model(None)
    with pytest.raises(PluginError) as raised:
        model_loss_of(net, HALF_SSE, np.zeros(3), np.zeros(2), 2)
    assert str(raised.value) == (
        "the model offers neither predict(x) nor loss(x, y), so its loss cannot be computed"
    )
