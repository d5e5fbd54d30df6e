"""What the weight-gradient and update checks say, word for word: a layer update reproducing a usual
mistake everywhere is named by it, in the update's own words; an update that clips its gradient is read
as a step; a float32 update is judged within its weights' rounding; a model's gradient derived from step
places its disagreement between the two learning rates with its arrays' index name; and the second sample
that measures a wrong model gradient's penalty is derived from one step at the case's rate.

Each test runs one check on one fixed case, in this process."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from backprop.battery import diagnosis
from backprop.battery.cases import make_case
from backprop.battery.profile import Profile
from backprop.battery.runner import evaluate
from backprop.losses import HALF_SSE

sys.path.insert(0, str(Path(__file__).resolve().parent / "styles"))

from implementations import (  # noqa: E402
    float32_network,
    output_delta_missing_fprime,
    update_gradient_clipped,
)
from step_only_dict import Adapter  # noqa: E402

LAYERS = Profile("layer-level", frozenset({"activation", "activation_prime"}))
MODEL = Profile("model-level", frozenset({"step", "predict"}))
CASE = make_case((2, 3, 1), "tanh", 0.1, 1.0, 11, HALF_SSE)


def test_an_update_reproducing_a_usual_mistake_everywhere_is_named_by_it_in_the_update_s_words() -> None:
    """The output delta without f'(z) makes every layer's update ÷ the learning rate that of the suspect:
    the suspect comes first, said of the update, before each layer's own inherited delta."""
    evidence = evaluate("update-is-sgd-step", output_delta_missing_fprime.make, CASE, HALF_SSE, LAYERS)
    assert evidence.status == "failed"
    assert [f.kind for f in evidence.findings] == ["missing-fprime", "inherited", "inherited"]
    finding = evidence.findings[0]
    assert finding.params == {
        "layers": [2],
        "mistake": "backprop with the factor f'(z) missing at the output layer",
        "gap": finding.params["gap"],
        "changed": ["layer 1", "layer 2"],
    }
    assert finding.sentence == (
        "every layer's update ÷ the learning rate equals that of backprop with the factor f'(z) missing at "
        f"the output layer {diagnosis.within(finding.params['gap'])} in all 16 elements (the mistake changes "
        "12 of 12 elements of layer 1, 4 of 4 of layer 2): multiply by f'(z)"
    )


def test_an_update_clipping_its_gradient_is_read_as_a_step_that_is_not_sgd() -> None:
    """update clips aᵀδ to [−1, 1]: at order-three inputs two elements of layer 1's gradient pass ±1, and
    the update is the expected one clipped, a pattern a step alone can show."""
    case = make_case((4, 3, 3), "tanh", 0.1, 3.0, 1, HALF_SSE)
    evidence = evaluate("update-is-sgd-step", update_gradient_clipped.make, case, HALF_SSE, LAYERS)
    assert (evidence.status, evidence.where) == ("failed", "layer 1 of 2, W[4, 2]")
    assert evidence.summary == "the update (W_before − W_after) / learning rate is wrong in 1 of 2 layers"
    assert [f.kind for f in evidence.findings] == ["not-sgd-step"]
    finding = evidence.findings[0]
    gap = finding.params["agreement"]
    assert finding.params == {"clip": finding.params["clip"], "clipped": 2, "agreement": gap}
    assert abs(finding.params["clip"] - 1.0) < 1e-12
    assert finding.sentence == (
        f"the values equal the expected ones clipped to [−1, 1] {diagnosis.within(gap)} in all 20 elements "
        "(2 of them beyond ±1): the gradient is clipped element by element, so the step is not learning "
        "rate × the loss's gradient"
    )


def test_a_correct_float32_layer_update_passes_within_its_weights_rounding() -> None:
    """At learning rate 0.001 a float32 weight's rounding, divided by the rate, is beyond the numerical
    estimate's budget: the update is judged with that rounding added, and passes."""
    case = make_case((2, 3, 1), "tanh", 0.001, 1.0, 11, HALF_SSE)
    evidence = evaluate("update-is-sgd-step", float32_network.make, case, HALF_SSE, LAYERS)
    assert (evidence.status, evidence.where, evidence.findings) == ("passed", "", [])


class _FixedRateUnnamed(Adapter):
    """parameters() gives a list (no names), and the step always moves by 0.1 × the gradient."""

    def parameters(self) -> list:
        return list(self.params.values())

    def apply(self, grads: dict, lr: float) -> None:
        for name, g in grads.items():
            self.params[name] -= 0.1 * g


def test_an_unnamed_array_ignoring_the_learning_rate_is_placed_with_its_index_name() -> None:
    """Unnamed arrays are "parameter 4 of 4", their elements "parameter 4 of 4, p[0]": the place where the
    two learning rates disagree is written so in the summary's where, the details and the finding."""
    evidence = evaluate("update-is-sgd-step", _FixedRateUnnamed, CASE, HALF_SSE, MODEL)
    assert (evidence.status, evidence.where) == ("failed", "parameter 4 of 4, p[0]")
    assert evidence.summary == (
        "the gradient derived from step(x, y, lr) differs between the two learning rates"
    )
    assert evidence.details == (
        "parameter 4 of 4, p[0]: (W_before − W_after) / lr is 0.0762697 at learning rate 0.1 and 0.610158 at "
        "0.0125"
    )
    assert [(f.kind, f.params) for f in evidence.findings] == [
        ("learning-rate-ignored", {"learning_rates": [0.1, 0.0125], "where": "parameter 4 of 4, p[0]"})
    ]


class _UndeclaredPenaltyStep(Adapter):
    """A step that adds 0.25 · W to the weights' gradient (an L2 penalty nobody declared), recording on the
    class every learning rate it is called with."""

    rates: list[float] = []

    def step(self, x: np.ndarray, y: np.ndarray, learning_rate: float) -> None:
        type(self).rates.append(float(learning_rate))
        super().step(x, y, learning_rate)

    def apply(self, grads: dict, lr: float) -> None:
        for name, g in grads.items():
            self.params[name] -= lr * (g + 0.25 * self.params[name]) if name.startswith("W") else lr * g


def test_an_undeclared_penalty_in_a_step_is_measured_on_a_second_sample_stepped_once() -> None:
    """The step's gradient is wrong by λ·W at both rates alike: λ is fitted over the case's sample and the
    first extra sample (9 weights each), whose gradient is derived from one step at the case's rate alone."""
    _UndeclaredPenaltyStep.rates = []
    evidence = evaluate("update-is-sgd-step", _UndeclaredPenaltyStep, CASE, HALF_SSE, MODEL)
    assert (evidence.status, evidence.where) == ("failed", "W2[1, 0]")
    assert _UndeclaredPenaltyStep.rates == [0.1, 0.0125, 0.1]
    assert [f.kind for f in evidence.findings] == ["regularisation"]
    finding = evidence.findings[0]
    assert finding.params == {"l2": finding.params["l2"], "declared": 0.0}
    assert abs(finding.params["l2"] - 0.25) < 1e-9
    assert finding.sentence == (
        "the gradient derived from step(x, y, lr) equals ∂C/∂W + λ·W with λ = 0.25 (least squares) to 8e-12 "
        "in 18 weight values: an L2 penalty that is not declared; declare it with l2=0.25"
    )


def test_an_undeclared_penalty_s_fit_is_as_close_as_both_samples_show() -> None:
    """At seed 1 the fit of λ·W over the case's sample and the first extra sample (its target the one
    drawn after its single row) holds to 8e-12, the figure the sentence gives."""
    case = make_case((2, 3, 1), "tanh", 0.1, 1.0, 1, HALF_SSE)
    evidence = evaluate("update-is-sgd-step", _UndeclaredPenaltyStep, case, HALF_SSE, MODEL)
    assert evidence.status == "failed"
    assert [f.sentence for f in evidence.findings] == [
        "the gradient derived from step(x, y, lr) equals ∂C/∂W + λ·W with λ = 0.25 (least squares) to 8e-12 "
        "in 18 weight values: an L2 penalty that is not declared; declare it with l2=0.25"
    ]
