"""The gradient checks name the usual mistake a planted bug is, under every protocol: on one fixed case
each, the catalogue's planted bugs carry their kind, and the correct entries pass with no finding.
(And a step that applies the learning rate twice to some arrays, or leaves whole arrays out, is named
for it.)"""

from __future__ import annotations

import pytest
from styles import catalogue

from backprop.battery.cases import make_case
from backprop.battery.profile import Profile
from backprop.battery.runner import evaluate
from backprop.losses import get_loss

STYLES = catalogue()

PLANTED = [  # (entry, check, layers, activation, loss, the kind its failure must carry first)
    ("nielsen_fprime_of_output", "weight-gradient", (3, 4, 2), "sigmoid", "half_sse", "fprime-of-output"),
    ("nielsen_hidden_missing_fprime", "weight-gradient", (3, 4, 2), "sigmoid", "half_sse", "missing-fprime"),
    ("nielsen_hidden_missing_fprime", "update-is-sgd-step", (3, 4, 2), "tanh", "half_sse", "missing-fprime"),
    ("nielsen_weight_gradient_transposed", "weight-gradient", (3, 3, 3), "tanh", "half_sse", "transposed"),
    ("params_dict_tanh_one_minus_z2", "weight-gradient", (3, 4, 2), "tanh", "half_sse", "wrong-derivative"),
    ("rows_bce_extra_fprime", "weight-gradient", (3, 4, 2), "tanh", "bce", "extra-fprime"),
    ("bce_declared_half_sse", "weight-gradient", (3, 4, 2), "tanh", "half_sse", "loss-mismatch"),
    ("rows_left_pre_activation", "weight-gradient", (3, 4, 2), "tanh", "half_sse", "wrong-left-activation"),
    ("rows_sign_flipped", "update-is-sgd-step", (3, 4, 2), "sigmoid", "half_sse", "sign-flipped"),
    ("rows_summed_outputs", "weight-gradient", (3, 4, 2), "tanh", "half_sse", "summed-outputs"),
    ("rows_wrong_upstream", "weight-gradient", (4, 4, 4, 4), "tanh", "half_sse", "wrong-upstream"),
    ("nnfs_relu_unmasked", "weight-gradient", (3, 6, 2), "relu", "half_sse", "missing-fprime"),
    ("nnfs_sigmoid_s_one_plus_s", "weight-gradient", (3, 4, 2), "sigmoid", "half_sse", "wrong-derivative"),
    ("medium_tanh_one_minus_tanh", "weight-gradient", (3, 4, 2), "tanh", "mse", "wrong-derivative"),
    ("nnfs_dbiases_wrong_axis", "weight-gradient", (3, 4, 2), "tanh", "half_sse", "wrong-axis"),
    ("two_layer_net_wrong_axis", "weight-gradient", (3, 4, 2), "relu", "half_sse", "wrong-axis"),
    ("per_sample_one_output_missing_fprime", "weight-gradient", (3, 4, 1), "tanh", "half_sse",
     "missing-fprime"),
    ("article_fprime_of_output", "weight-gradient", (2, 3, 2), "tanh", "half_sse", "fprime-of-output"),
    ("renamed_attrs_sign_flipped", "update-is-sgd-step", (2, 3, 2), "tanh", "half_sse", "sign-flipped"),
    ("medium_lr_applied_twice", "update-is-sgd-step", (3, 4, 2), "tanh", "mse", "scaled"),
    ("rows_frozen_bias", "update-is-sgd-step", (3, 4, 2), "tanh", "half_sse", "frozen"),
]

CORRECT = [
    ("nielsen_column", (3, 4, 2), "sigmoid", "half_sse"),
    ("params_dict_functional", (3, 4, 2), "tanh", "half_sse"),
    ("rows_separate_bias", (4, 4, 4, 4), "tanh", "half_sse"),
    ("rows_bce_sigmoid", (3, 4, 2), "tanh", "bce"),
    ("two_layer_net", (3, 4, 2), "relu", "half_sse"),
    ("nnfs_objects", (3, 6, 2), "relu", "half_sse"),
    ("medium_fclayer", (3, 4, 2), "tanh", "mse"),
    ("per_sample_outer", (3, 4, 1), "tanh", "half_sse"),
]
NO_STEP = {"params_dict_functional", "two_layer_net", "nnfs_objects"}


def run(entry: str, check: str, layers: tuple[int, ...], activation: str, loss: str):
    module = STYLES[entry]
    protocol = "layer-level" if module.PROTOCOL == "layer-level" else "model-level"
    case = make_case(layers, activation, 0.1, 1.0, 11, get_loss(loss))
    return evaluate(check, module.make, case, get_loss(loss), Profile(protocol=protocol, loss=loss))


@pytest.mark.parametrize(("entry", "check", "layers", "activation", "loss", "kind"), PLANTED)
def test_a_planted_bug_carries_the_kind_of_its_mistake_first(entry, check, layers, activation, loss, kind):
    evidence = run(entry, check, layers, activation, loss)
    assert evidence.status == "failed", evidence.summary
    assert evidence.findings and evidence.findings[0].kind == kind, [f.sentence for f in evidence.findings]
    assert evidence.diagnosis == evidence.findings[0].sentence


@pytest.mark.parametrize(("entry", "layers", "activation", "loss"), CORRECT)
@pytest.mark.parametrize("check", ["weight-gradient", "update-is-sgd-step"])
def test_a_correct_entry_passes_with_no_finding(entry, layers, activation, loss, check):
    if check == "update-is-sgd-step" and entry in NO_STEP:
        pytest.skip("the entry has no step")
    evidence = run(entry, check, layers, activation, loss)
    assert evidence.status == "passed" and not evidence.findings, evidence.summary


def test_wrong_axis_says_which_axis() -> None:
    evidence = run("nnfs_dbiases_wrong_axis", "weight-gradient", (3, 4, 2), "tanh", "half_sse")
    finding = evidence.findings[0]
    assert finding.params["axis"] == 1 and finding.params["expected_axis"] == 0
    assert finding.params["parameter"] == "b1" and finding.params["shape"] == [1, 1]


def test_a_misshapen_gradient_that_is_no_wrong_axis_still_errors() -> None:
    """A bias gradient of the wrong size that is not the sum over the units is not called wrong-axis."""

    class Halved(STYLES["two_layer_net"].Adapter):
        def bias_grad(self, dout):
            return 0.5 * dout.sum(axis=1)

    def make(layers, activation):
        return Halved(*layers, std=0.5)

    case = make_case((3, 4, 2), "relu", 0.1, 1.0, 11, get_loss("half_sse"))
    evidence = evaluate("weight-gradient", make, case, get_loss("half_sse"), "model-level")
    assert evidence.status == "errored" and "shape (1,)" in evidence.summary


def _model_findings(entry: str, activation: str, judged_as: str) -> list:
    from backprop.battery.checks import suspected
    from backprop.battery.checks.common import model_estimates, parameter_labels, prepare
    from backprop.battery.protocols import LocalWorker, ModelNetwork

    loss = get_loss("half_sse")
    case = make_case((3, 4, 2), activation, 0.1, 1.0, 11, loss)
    net = prepare(LocalWorker(STYLES[entry].make), case, Profile(protocol="model-level"))
    assert isinstance(net, ModelNetwork)
    estimates = model_estimates(net, case, loss)
    gradients = net.gradients(case.x, case.y, [a.shape for a in net.weight_arrays()])
    judged = make_case((3, 4, 2), judged_as, 0.1, 1.0, 11, loss)
    labels = parameter_labels(net)[0]
    return suspected.findings(net, judged, loss, gradients, estimates, "every gradient", labels=labels)


def test_a_model_is_explained_only_as_the_network_its_predict_confirms() -> None:
    """The same sign bug, judged as the network it is, is named; judged as a network of another
    activation (so that no layout's forward equals its predict), nothing is named."""
    assert [f.kind for f in _model_findings("rows_sign_flipped", "tanh", "tanh")] == ["sign-flipped"]
    assert _model_findings("rows_sign_flipped", "tanh", "relu") == []
    assert _model_findings("rows_separate_bias", "tanh", "tanh") == []


def test_a_layer_level_hidden_delta_from_the_output_delta_is_named_wrong_upstream() -> None:
    """The article's layers with every hidden delta built from the output layer's delta: nothing local
    names it (each layer backpropagates a delta it is not given), the whole network's deltas do."""
    import numpy as np

    from backprop.network import Layer, NeuralNetwork

    class FromOutput(Layer):
        def backward(self, y, rightLayer):
            if self.isoutputLayer:
                return super().backward(y, rightLayer)
            output = self.network.layers[-1]
            self.delta = np.atleast_2d(output.delta.dot(rightLayer.weight.T) * self.dZ)
            return self.delta

    def make(layers, activation):
        net = NeuralNetwork(layers, activation)
        for layer in net.layers:
            layer.__class__, layer.network = FromOutput, net
        return net

    case = make_case((2, 3, 3, 4), "tanh", 0.1, 1.0, 11, get_loss("half_sse"))
    evidence = evaluate("hidden-delta", make, case, get_loss("half_sse"), "layer-level")
    assert evidence.status == "failed"
    kinds = [f.kind for f in evidence.findings]
    assert kinds[0] == "wrong-upstream", [f.sentence for f in evidence.findings]
