"""The layout mapping: each code style's parameter arrays are found to be the reference network they are
(confirmed by predict), and the judge's backprop of that network, converted back, is the style's own
gradient."""

from __future__ import annotations

import numpy as np
import pytest
from styles import catalogue

from backprop.battery import layout, suspects
from backprop.battery.profile import Profile
from backprop.battery.protocols import LocalWorker, ModelNetwork, open_network
from backprop.losses import get_loss

STYLES = catalogue()

ROWS = "W as (n_in, n_out), separate biases of shape "
COLUMNS = "W as (n_out, n_in), separate biases of shape "
ENTRIES = [  # (entry, layers, activation, loss, what the layout must be)
    ("nielsen_column", (3, 4, 2), "sigmoid", "half_sse", COLUMNS + "(n, 1)"),
    ("nielsen_column", (3, 3, 3), "tanh", "half_sse", COLUMNS + "(n, 1)"),
    ("params_dict_functional", (2, 3, 2), "tanh", "half_sse", COLUMNS + "(n, 1)"),
    ("rows_separate_bias", (3, 4, 4, 2), "relu", "half_sse", ROWS + "(n,)"),
    ("rows_bce_sigmoid", (3, 4, 2), "tanh", "bce", ROWS + "(n,), sigmoid outputs"),
    ("two_layer_net", (3, 4, 2), "relu", "half_sse", ROWS + "(n,), a linear output"),
    ("nnfs_objects", (2, 3, 2), "sigmoid", "half_sse", ROWS + "(1, n)"),
    ("medium_fclayer", (3, 2, 2), "tanh", "mse", ROWS + "(1, n)"),
]


def model(name: str, layers: tuple[int, ...], activation: str, loss: str) -> ModelNetwork:
    profile = Profile(protocol="model-level", loss=loss)
    net = open_network(LocalWorker(STYLES[name].make), layers, activation, profile)
    assert isinstance(net, ModelNetwork)
    rng = np.random.default_rng(5)
    net.set_weights([rng.uniform(-1, 1, a.shape) for a in net.weight_arrays()])
    return net


def found(net: ModelNetwork, layers: tuple[int, ...], activation: str, loss: str) -> layout.Layout:
    rng = np.random.default_rng(6)
    xs = rng.uniform(-1, 1, (2, layers[0]))
    predictions = [(x, net.predict(x, layers[-1], at_weights=True)) for x in xs]
    mapping = layout.find_layout(net.weight_arrays(), layers, activation, get_loss(loss), predictions)
    assert mapping is not None
    return mapping


@pytest.mark.parametrize(("name", "layers", "activation", "loss", "words"), ENTRIES)
def test_each_style_maps_to_the_reference_network_its_predict_computes(name, layers, activation, loss, words):
    net = model(name, layers, activation, loss)
    mapping = found(net, layers, activation, loss)
    assert mapping.describe().startswith(words), mapping.describe()
    arrays = net.weight_arrays()
    back = mapping.from_reference(mapping.to_reference(arrays))
    for mine, theirs in zip(back, arrays, strict=True):
        assert mine.shape == theirs.shape and np.array_equal(mine, theirs)


@pytest.mark.parametrize(("name", "layers", "activation", "loss", "words"), ENTRIES)
def test_the_judges_backprop_converted_back_is_the_styles_own_gradient(name, layers, activation, loss, words):
    net = model(name, layers, activation, loss)
    mapping = found(net, layers, activation, loss)
    rng = np.random.default_rng(8)
    x, y = rng.uniform(-1, 1, layers[0]), rng.uniform(0.1, 0.9, layers[-1])
    reference = mapping.reference(net.weight_arrays(), activation, get_loss(loss))
    correct, _ = suspects.backprops(reference, x, y)
    shapes = [a.shape for a in net.weight_arrays()]
    if "gradients" in net.offers:
        theirs = net.gradients(x, y, shapes)
    else:  # Medium updates inside backward: its gradient is its move over the learning rate
        before = net.copy_weights()
        net.step(x, y, 0.01)
        theirs = [(b - a) / 0.01 for b, a in zip(before, net.copy_weights(), strict=True)]
    for mine, own in zip(mapping.from_reference(correct.gradients), theirs, strict=True):
        np.testing.assert_allclose(mine, own, rtol=1e-7, atol=1e-9)


def test_a_layout_predict_does_not_confirm_is_not_taken() -> None:
    """Shapes that fit but a predict that is not their forward pass (a cached output): no layout."""
    net = model("rows_separate_bias", (3, 4, 2), "tanh", "half_sse")
    x, arrays, loss = np.full(3, 0.5), net.weight_arrays(), get_loss("half_sse")
    assert layout.find_layout(arrays, (3, 4, 2), "tanh", loss, [(x, np.zeros(2))]) is None
    assert layout.find_layout(arrays, (3, 4, 2), "tanh", loss, []) is None


def test_a_bias_inside_w_is_found_first_or_last() -> None:
    rng = np.random.default_rng(2)
    reference = [rng.uniform(-1, 1, (4, 3)), rng.uniform(-1, 1, (4, 2))]
    ref = suspects.Reference(reference, "tanh", "tanh", get_loss("half_sse"))
    xs = rng.uniform(-1, 1, (2, 3))
    predictions = [(x, ref.forward(x)[2][-1]) for x in xs]
    last = [np.concatenate((w[1:], w[:1])) for w in reference]
    for arrays, where in ((reference, "first"), (last, "last"), ([w.T for w in last], "last")):
        mapping = layout.find_layout(arrays, (3, 3, 2), "tanh", get_loss("half_sse"), predictions)
        assert mapping is not None and mapping.layers[0].inside == where
        for mine, right in zip(mapping.to_reference(arrays), reference, strict=True):
            np.testing.assert_array_equal(mine, right)


def test_shapes_that_fit_no_layer_sizes_give_no_candidates() -> None:
    assert layout.candidates([(3, 4), (4,), (5, 2), (2,)], (3, 4, 2), "tanh") == []
    assert layout.candidates([(3, 4)], (3, 4, 2), "tanh") == []
