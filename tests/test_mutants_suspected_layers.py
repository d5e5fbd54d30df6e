"""How the judge rebuilds the network it backpropagates with each suspect mistake planted, and how the
suspect it names is worded: a model's layout is confirmed by its predict on exactly the case's x and one
more sample, at the judge's copy of the weights (not wherever an earlier request left the subject's);
an article layer network is confirmed by what its forward gave, to rounding even where an output is 0,
and an input that overflows the judge's forward names nothing without a numpy warning; a loss-mismatch
hint declares the loss the way the profile's interface declares options.

Each test calls a function of backprop.battery.checks.suspected on a tiny network."""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray
from test_mutants_suspected import ALL_13, CASE, assert_named_sign_flipped, catalogue

from backprop.battery.cases import make_case
from backprop.battery.checks import suspected
from backprop.battery.checks.common import model_estimates, parameter_labels, prepare, weight_estimates
from backprop.battery.profile import Profile
from backprop.battery.protocols import LayerNetwork, LocalWorker, ModelNetwork
from backprop.losses import HALF_SSE
from backprop.network import NeuralNetwork

SIGMOID_CASE = make_case((2, 3, 1), "sigmoid", 0.1, 1.0, 11, HALF_SSE)


def model(name: str) -> ModelNetwork:
    """The catalogue's model `name`, prepared at CASE's weights under the default profile."""
    net = prepare(LocalWorker(catalogue()[name].make), CASE, Profile("model-level"))
    assert isinstance(net, ModelNetwork)
    return net


def layers_with_a_zero_output_layer() -> tuple[LayerNetwork, NDArray, list[Any], list[NDArray]]:
    """The article's [2, 3, 1] tanh layers with the output layer's weights all 0 (so its output is 0):
    the network, x with its 1, the numerical estimates, and gradients with the error's sign flipped."""
    net = prepare(LocalWorker(NeuralNetwork), CASE, Profile("layer-level"))
    assert isinstance(net, LayerNetwork)
    first, second = net.weight_arrays()
    net.set_weights([first.copy(), np.zeros(second.shape)])
    x1 = net.with_one(CASE.x)
    estimates = weight_estimates(net, x1, CASE.y, HALF_SSE)
    flipped = [-np.asarray(e.value, dtype=float) for e in estimates]
    return net, x1, estimates, flipped


# --------------------------------------------------------------------------- a model's layout


def test_a_model_s_layout_is_confirmed_by_predict_on_the_case_s_x_and_one_more_sample() -> None:
    """predict is asked on exactly PREDICTIONS = 2 samples, x then the case's first extra sample: the
    judge makes no more requests of the subject than it documents."""
    from rows_separate_bias import MLP

    asked: list[NDArray] = []

    class Recording(MLP):
        def predict(self, x: NDArray) -> NDArray:
            asked.append(np.array(x, dtype=float))
            return super().predict(x)

    net = prepare(
        LocalWorker(lambda layers, activation: Recording(layers, activation)), CASE, Profile("model-level")
    )
    assert isinstance(net, ModelNetwork)
    asked.clear()
    found = suspected.model_layout(net, CASE, HALF_SSE)
    assert found is not None
    assert found.describe() == "W as (n_in, n_out), separate biases of shape (n,), tanh outputs"
    assert len(asked) == 2
    np.testing.assert_array_equal(asked[0], CASE.x)
    np.testing.assert_array_equal(asked[1], CASE.extra_samples(HALF_SSE, 1)[0][0])


def test_a_suspect_is_named_at_the_judge_s_weights_where_a_request_left_the_subject_s_changed() -> None:
    """A request at other weights (as the large-weights check makes last) leaves the subject's weights
    changed: predict must be asked at the judge's copy, which puts them back, or the judge backpropagates
    the changed weights, disagrees with the estimates, and names nothing."""
    net = model("rows_sign_flipped")
    estimates = model_estimates(net, CASE, HALF_SSE)
    gradients = net.gradients(CASE.x, CASE.y, [a.shape for a in net.weight_arrays()])
    moved = [np.full(a.shape, 2.0) for a in net.weight_arrays()]
    net.request("method_at", moved, "predict", CASE.x)
    labels = parameter_labels(net)[0]
    found = suspected.findings(net, CASE, HALF_SSE, gradients, estimates, "every gradient", labels=labels)
    assert_named_sign_flipped(found, labels, ALL_13)


# --------------------------------------------------------------------------- an article layer network


def test_layers_whose_zero_output_is_off_by_one_rounding_of_1_are_still_the_judge_s() -> None:
    """Where the judge's forward gives exactly 0, the layers' output may be off by rounding (2.2e-16,
    as 1 − 2/(e^2z + 1) gives at z = 0): the 1e-12 allowed still confirms them, and the suspect is named."""
    net, x1, estimates, flipped = layers_with_a_zero_output_layer()
    seen = net.forward(x1)
    np.testing.assert_array_equal(seen[-1], [0.0])
    rounded = [*seen[:-1], np.asarray(seen[-1], dtype=float) + 2.2e-16]
    found = suspected.findings(
        net, CASE, HALF_SSE, flipped, estimates, "every gradient", seen=rounded, penalised=False
    )
    assert_named_sign_flipped(
        found,
        ["layer 2"],
        " in all 16 elements (the mistake changes 4 of 4 elements of layer 2): write the error as A − y",
    )


def test_an_input_that_overflows_the_judge_s_forward_names_nothing_and_warns_nothing() -> None:
    """What the layers saw may overflow the judge's z = aW (inf): the layers are then not the judge's,
    nothing is named, and numpy's overflow warning stays inside the judge (warnings are errors here)."""
    net, x1, estimates, flipped = layers_with_a_zero_output_layer()
    seen = net.forward(x1)
    first = net.weight_arrays()[0]
    huge = [1.7e308 * np.sign(first[:, 0]), *seen[1:]]
    with np.errstate(all="ignore"):
        assert not np.all(np.isfinite(huge[0] @ first))
    with np.errstate(all="warn"), warnings.catch_warnings():
        warnings.simplefilter("error")
        found = suspected.findings(
            net, CASE, HALF_SSE, flipped, estimates, "every gradient", seen=huge, penalised=False
        )
    assert found == []


# --------------------------------------------------------------------------- how a suspect is worded


def test_a_loss_mismatch_hint_declares_the_loss_as_the_profile_s_interface_does() -> None:
    """Under the Python interface (the profile's default) the hint says `loss='bce'`, which check()
    takes, not the command line's `--loss bce`."""
    factory = LocalWorker(catalogue()["bce_declared_half_sse"].make)
    net = prepare(factory, SIGMOID_CASE, Profile("model-level"))
    assert isinstance(net, ModelNetwork)
    estimates = model_estimates(net, SIGMOID_CASE, HALF_SSE)
    gradients = net.gradients(SIGMOID_CASE.x, SIGMOID_CASE.y, [a.shape for a in net.weight_arrays()])
    labels = parameter_labels(net)[0]
    found = suspected.findings(
        net, SIGMOID_CASE, HALF_SSE, gradients, estimates, "every gradient", labels=labels
    )
    assert [f.kind for f in found] == ["loss-mismatch", "missing-fprime"]
    assert found[0].params["loss"] == "bce"
    assert re.fullmatch(
        re.escape(
            "every gradient equals that of backprop of the bce loss (binary cross-entropy on sigmoid "
            "outputs, −Σ y log A + (1 − y) log(1 − A)) "
        )
        + "(exactly|to [0-9]e-[0-9]+)"
        + re.escape(
            " in all 13 elements (the mistake changes 6 of 6 elements of parameter 1 of 4, 3 of 3 of "
            "parameter 2 of 4, 3 of 3 of parameter 3 of 4, 1 of 1 of parameter 4 of 4); the numbers fit "
            "backprop with the factor f'(z) missing at the output layer as well: it is right for bce: "
            "declare that loss (loss='bce') if it is the one meant"
        ),
        found[0].sentence,
    )
