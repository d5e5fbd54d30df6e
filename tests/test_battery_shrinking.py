"""Failures shrink to the smallest network that shows them, and the report says so.

The planted bugs here are subclasses of the reference layer with one mistake that needs a
particular shape to show: several outputs, or a hidden layer.
"""

from __future__ import annotations

import time

import numpy as np

import backprop
from backprop.network import Layer, NeuralNetwork

FEW = 8
"""Cases per check: hypothesis finds these bugs within a few cases, and shrinking does the rest."""


class ReversedErrorLayer(Layer):
    """The output error's units come out in reverse order: invisible with one output."""

    def backward(self, y, rightLayer):
        if self.isoutputLayer:
            self.delta = np.atleast_2d((self.A - y)[..., ::-1] * self.dZ)
            return self.delta
        return super().backward(y, rightLayer)


class HiddenSignLayer(Layer):
    """A hidden layer's delta has its sign flipped: invisible without a hidden layer."""

    def backward(self, y, rightLayer):
        delta = super().backward(y, rightLayer)
        if not self.isoutputLayer:
            self.delta = -delta
        return self.delta


def network_of(layer_class: type[Layer]):
    def make(layers, activation):
        net = NeuralNetwork(layers, activation)
        for layer in net.layers:
            layer.__class__ = layer_class
        return net

    return make


def test_a_bug_that_needs_two_outputs_shrinks_to_two_outputs_and_no_hidden_layer() -> None:
    result = backprop.check(network_of(ReversedErrorLayer), only=["output-delta"], max_examples=FEW)
    found = result.by_id("output-delta")
    assert found.status == "failed"
    assert found.minimal_case is not None
    layers = found.minimal_case["layers"]
    assert layers[-1] == 2 and len(layers) == 2, layers
    assert layers[0] == 1, layers
    assert "several outputs" in (found.diagnosis or "")


def test_a_hidden_layer_bug_shrinks_to_one_narrow_hidden_layer_and_is_located_there() -> None:
    result = backprop.check(
        network_of(HiddenSignLayer), only=["hidden-delta", "output-delta"], max_examples=FEW
    )
    assert result.by_id("output-delta").status == "passed"
    found = result.by_id("hidden-delta")
    assert found.status == "failed"
    assert found.minimal_case is not None and found.minimal_case["layers"] == [1, 1, 1]
    assert found.where.startswith("layer 1 of 2")
    assert "sign is flipped" in (found.diagnosis or "")


def test_the_minimal_case_reproduces_the_failure_by_itself() -> None:
    from backprop import numerical

    found = backprop.check(network_of(HiddenSignLayer), only=["hidden-delta"], max_examples=FEW).by_id(
        "hidden-delta"
    )
    case = found.minimal_case
    assert case is not None
    net = network_of(HiddenSignLayer)(case["layers"], case["activation"])
    for layer, weight in zip(net.layers, case["weights"], strict=True):
        layer.weight[...] = np.array(weight)
    x1 = np.concatenate(([1.0], case["x"]))
    estimates = numerical.preactivation_gradient_estimates(net, x1, np.array(case["y"]))
    a = x1
    for layer in net.layers:
        a = layer.forward(a)
    delta = net.layers[-1].backward(np.array(case["y"]), None)
    hidden = net.layers[0].backward(delta, net.layers[1])
    assert not numerical.compare(hidden.ravel(), estimates[0]).passed


def test_the_same_seed_finds_the_same_smallest_case() -> None:
    make = network_of(ReversedErrorLayer)
    first = backprop.check(make, only=["output-delta"], max_examples=FEW, seed=3).by_id("output-delta")
    again = backprop.check(make, only=["output-delta"], max_examples=FEW, seed=3).by_id("output-delta")
    assert first.minimal_case == again.minimal_case
    assert first.details == again.details


def test_a_correct_network_passes_with_the_worst_error_reported() -> None:
    result = backprop.check(NeuralNetwork, only=["output-delta", "weight-gradient"], max_examples=FEW)
    assert result.passed
    for found in result.results:
        assert found.worst_rel_error is not None and found.worst_rel_error < 1e-4
        assert found.minimal_case is None


def test_when_time_runs_out_while_shrinking_the_smallest_failure_so_far_is_reported(monkeypatch) -> None:
    from backprop.battery import checks, runner
    from backprop.battery.checks import Evidence
    from backprop.losses import HALF_SSE

    def slow_check(factory, case, loss, protocol):
        if case.n_outputs < 2:
            return Evidence("passed", 0.0)
        time.sleep(0.3)  # every failing case is slow: shrinking cannot take all the steps it wants in 1 s
        return Evidence("failed", 0.5, "layer 1 of 1, unit 0")

    monkeypatch.setitem(checks.CHECKS, "output-delta", slow_check)
    found = runner.run_check("output-delta", NeuralNetwork, "layer-level", HALF_SSE, 0, 200, None, 1.0)
    assert found.status == "failed"
    assert found.minimal_case is not None and found.minimal_case["layers"][-1] >= 2
    assert "shrinking stopped at the time limit" in found.details


def test_when_time_runs_out_before_any_failure_the_check_says_how_many_cases_passed(monkeypatch) -> None:
    from backprop.battery import checks, runner
    from backprop.battery.checks import Evidence
    from backprop.losses import HALF_SSE

    def slow_pass(factory, case, loss, protocol):
        time.sleep(0.05)
        return Evidence("passed", 1e-12)

    monkeypatch.setitem(checks.CHECKS, "output-delta", slow_pass)
    found = runner.run_check("output-delta", NeuralNetwork, "layer-level", HALF_SSE, 0, 200, None, 0.5)
    assert found.status == "passed"
    assert "cases tried before the time limit" in found.summary and "of 200" in found.summary
