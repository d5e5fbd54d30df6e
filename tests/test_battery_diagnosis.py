"""The diagnosis functions on synthetic arrays: each names its pattern, and only its pattern."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from implementations import catalogue

from backprop.activations import sigmoid_prime, tanh, tanh_prime
from backprop.battery import check, diagnosis
from backprop.battery.cases import make_case
from backprop.battery.runner import evaluate
from backprop.findings import Finding
from backprop.losses import get_loss
from backprop.network import NeuralNetwork

RNG = np.random.default_rng(7)
HALF_SSE = get_loss("half_sse")
EXPECTED = RNG.uniform(-1, 1, (3, 4))


def said(found: Finding | None, kind: str) -> str:
    """The finding's sentence, once its kind is the one expected."""
    assert found is not None and found.kind == kind, found
    return found.sentence


def test_a_flipped_sign_is_named_with_its_accuracy() -> None:
    found = said(diagnosis.diagnose(-EXPECTED, EXPECTED), "sign-flipped")
    assert "sign is flipped" in found
    assert "exactly" in found and "all 12 elements" in found


@pytest.mark.parametrize(
    ("factor", "words"),
    [
        (2.0, ("equal 2 ×", "in all 12 elements: a constant factor, 2 (")),
        (0.5, ("equal 1/2 ×", "in all 12 elements: a constant factor, 1/2 (")),
        (0.1, ("equal 0.1 ×", "in all 12 elements: a constant factor, the learning rate (")),
        (10.0, ("equal 10 ×", "in all 12 elements: a constant factor, 1 / the learning rate (")),
        (0.5 * 3, ("equal 1.5 ×", "in all 12 elements: a constant factor, the number of outputs / 2")),
    ],
)
def test_a_constant_factor_is_named_when_it_is_a_known_one(factor: float, words: tuple[str, str]) -> None:
    found = said(diagnosis.diagnose(factor * EXPECTED, EXPECTED, learning_rate=0.1, n_outputs=3), "scaled")
    assert all(part in found for part in words), found


def test_an_unknown_factor_is_given_as_a_number_without_a_cause() -> None:
    found = said(diagnosis.scaled(1.37 * EXPECTED, EXPECTED, n_outputs=4), "scaled")
    assert "1.37 ×" in found and "constant factor" not in found


def test_an_unknown_factor_with_one_output_is_no_evidence() -> None:
    """With one output unit, any wrong output delta (a missing σ'(z) among them) scales the whole
    gradient: a factor 2.69661 names nothing."""
    assert diagnosis.scaled(2.69661 * EXPECTED, EXPECTED, n_outputs=1) is None
    assert diagnosis.scaled(2.69661 * EXPECTED, EXPECTED) is None


def test_a_factor_that_equals_two_names_gives_both_and_no_cause() -> None:
    """A gradient n_out = 2 times too large is not called "the ½ of ½‖A − y‖² dropped"."""
    found = diagnosis.scaled(2 * EXPECTED, EXPECTED, n_outputs=2)
    sentence = said(found, "scaled")
    assert "2 and the number of outputs" in sentence and "½" not in sentence, sentence
    assert found is not None and found.params["matches"] == ["2", "the number of outputs"]


def test_a_factor_is_named_to_the_precision_of_the_expected_values() -> None:
    """Against float32 estimates (budget 1e-5 of their size) a step applied twice measures 2.00001: it is
    named 2 and written 2; against exact values the same 2.00001 names nothing."""
    budget = 1e-5 * np.max(np.abs(EXPECTED))
    found = diagnosis.scaled(2.00001 * EXPECTED, EXPECTED, budget, n_outputs=1)
    assert found is not None and found.params["matches"] == ["2"]
    assert found.sentence.startswith("the values equal 2 × the expected ones")
    assert found.params["factor"] == pytest.approx(2.00001)
    assert diagnosis.scaled(2.00001 * EXPECTED, EXPECTED, n_outputs=1) is None
    assert diagnosis.scaled(2.0003 * EXPECTED, EXPECTED, budget, n_outputs=1) is None  # 15 budgets off 2


def test_a_factor_of_the_batch_size_is_named() -> None:
    found = said(diagnosis.scaled(5 * EXPECTED, EXPECTED, batch=5), "scaled")
    assert "the batch size" in found


def test_a_ratio_between_one_or_two_numbers_is_no_evidence() -> None:
    assert diagnosis.scaled(np.array([0.3]), np.array([0.7])) is None
    assert diagnosis.scaled(np.array([0.6]), np.array([0.3])) is not None  # a named factor (2) still counts


def test_a_transposed_gradient_is_recognised_from_its_shape() -> None:
    assert "transpose" in said(diagnosis.diagnose(EXPECTED.T, EXPECTED), "transposed")


def test_a_square_transposed_gradient_is_recognised_from_its_values() -> None:
    square = RNG.uniform(-1, 1, (3, 3))
    assert "transpose" in said(diagnosis.diagnose(square.T, square), "transposed")


def test_a_frozen_bias_row_is_named_as_the_bias_row() -> None:
    analytic = EXPECTED.copy()
    analytic[0] = 0.0
    found = said(diagnosis.diagnose(analytic, EXPECTED), "frozen")
    assert "row 0" in found and "bias row" in found


def test_a_frozen_column_is_named_with_its_index() -> None:
    analytic = EXPECTED.copy()
    analytic[:, 2] = 0.0
    assert "column 2" in said(diagnosis.diagnose(analytic, EXPECTED), "frozen")


def test_dz_taken_at_a_is_recognised() -> None:
    z = RNG.uniform(-2, 2, 5)
    found = said(diagnosis.dz_is_fprime_of_a(tanh_prime(tanh(z)), tanh(z), tanh_prime), "fprime-of-output")
    assert "f'(A)" in found
    assert diagnosis.dz_is_fprime_of_a(tanh_prime(z), tanh(z), tanh_prime) is None


def test_a_delta_with_fprime_of_a_is_recognised() -> None:
    z = RNG.uniform(-2, 2, 4)
    expected = RNG.uniform(-1, 1, 4) * tanh_prime(z)
    wrong = expected / tanh_prime(z) * tanh_prime(tanh(z))
    found = diagnosis.delta_uses_fprime_of_a(wrong, expected, tanh_prime(z), tanh_prime(tanh(z)))
    assert "f'(A)" in said(found, "fprime-of-output")


def test_a_delta_missing_its_fprime_factor_is_recognised() -> None:
    z = RNG.uniform(-2, 2, 4)
    dl_da = RNG.uniform(-1, 1, 4)
    found = said(diagnosis.missing_fprime(dl_da, dl_da * tanh_prime(z), dl_da), "missing-fprime")
    assert "f'(z)" in found and "missing" in found
    assert diagnosis.missing_fprime(dl_da * tanh_prime(z), dl_da * tanh_prime(z), dl_da) is None


def test_a_delta_with_fprime_twice_is_recognised() -> None:
    z = RNG.uniform(-2, 2, 4)
    expected = RNG.uniform(-1, 1, 4) * tanh_prime(z)
    found = diagnosis.extra_fprime(expected * tanh_prime(z), expected, tanh_prime(z))
    assert "extra factor" in said(found, "extra-fprime")


def test_noise_is_not_diagnosed() -> None:
    noisy = EXPECTED + RNG.normal(0, 0.3, EXPECTED.shape)
    assert diagnosis.diagnose(noisy, EXPECTED) is None


def test_agreement_within_the_budget_counts_as_agreement() -> None:
    assert diagnosis.agreement(EXPECTED + 1e-3, EXPECTED, budget=2e-3) is not None
    assert diagnosis.agreement(EXPECTED + 1e-3, EXPECTED) is None


def test_a_size_note_states_only_what_the_smaller_network_showed() -> None:
    found = said(diagnosis.needs_size("several outputs", (3, 1), "1 output", 16), "needs-size")
    assert "several outputs" in found and "[3, 1]" in found and "all 16 cases" in found
    assert "only" not in found  # a rare failure on the smaller network is not ruled out


def test_a_derivative_that_drifts_from_zero_is_described_with_its_errors() -> None:
    z = np.array([-3.0, -1.5, -0.5, -0.1, 0.1, 0.5, 1.5, 3.0])
    found = said(diagnosis.drifts_from_zero(0.25 - z**2 / 16, sigmoid_prime(z), z), "wrong-derivative")
    assert "near z = 0" in found
    assert "at |z| = 0.1" in found and "7.9 at |z| = 3" in found  # the numbers, smallest |z| first


@pytest.mark.parametrize("wrong", [lambda e, z: 2 * e, lambda e, z: e + RNG.normal(0, 0.1, z.shape)])
def test_errors_that_do_not_grow_with_z_are_not_called_a_drift(wrong) -> None:  # type: ignore[no-untyped-def]
    z = np.array([-3.0, -1.5, -0.5, -0.1, 0.1, 0.5, 1.5, 3.0])
    assert diagnosis.drifts_from_zero(wrong(sigmoid_prime(z), z), sigmoid_prime(z), z) is None


def test_an_output_error_summed_over_the_outputs_is_recognised() -> None:
    dl_da, fz = RNG.uniform(-1, 1, 3), RNG.uniform(0.2, 1, 3)
    found = said(diagnosis.summed_error(np.sum(dl_da) * fz, dl_da * fz, dl_da, fz), "summed-outputs")
    assert "summed over the outputs" in found and "all 3 units" in found
    assert diagnosis.summed_error(dl_da * fz, dl_da * fz, dl_da, fz) is None
    one = np.array([0.4])  # with one output the sum is the error itself: no evidence
    assert diagnosis.summed_error(one * 0.5, one * 0.5, one, np.array([0.5])) is None


@pytest.mark.parametrize(("shape", "words"), [((4, 3), "reshaped to 3 × 4"), ((3, 3), "where its transpose")])
def test_a_hidden_delta_through_a_reshaped_weight_is_recognised(shape: tuple[int, int], words: str) -> None:
    w, given, fz = RNG.uniform(-1, 1, shape), RNG.uniform(-1, 1, shape[1]), RNG.uniform(0.2, 1, shape[0])
    wrong = (given @ w.reshape(shape[1], shape[0])) * fz
    found = said(diagnosis.reshaped_weights(wrong, (given @ w.T) * fz, given, w, fz), "transposed")
    assert words in found and "W.T" in found
    assert diagnosis.reshaped_weights((given @ w.T) * fz, (given @ w.T) * fz, given, w, fz) is None




# ----------------------------------------------------- the battery's diagnoses of planted bugs

CATALOGUE_DIAGNOSES = {
    # catalogue entry: (check, the kind of its first finding, words its sentence must contain)
    "predict_bias_last": ("predict-is-forward", "bias-layout", "constant 1 appended after the inputs"),
    "sigmoid_prime_small_z": ("activation-derivative", "wrong-derivative", "drift away as |z| grows"),
    "output_error_summed": ("output-delta", "summed-outputs", "summed over the outputs"),
    "hidden_delta_reshaped_weights": ("hidden-delta", "transposed", "where its transpose belongs"),
}


@pytest.mark.parametrize("name", sorted(CATALOGUE_DIAGNOSES))
def test_the_battery_names_the_planted_mistake(name: str) -> None:
    check_id, kind, words = CATALOGUE_DIAGNOSES[name]
    found = check(catalogue()[name].make, max_examples=8, only=[check_id]).by_id(check_id)
    assert found.status == "failed" and found.findings, found
    assert words in said(found.findings[0], kind), found.findings


def test_a_delta_built_on_a_wrong_activation_prime_blames_activation_prime() -> None:
    found = check(catalogue()["sigmoid_prime_small_z"].make, max_examples=8, only=["output-delta"]).results[0]
    assert found.findings and found.findings[0].kind == "wrong-derivative", found.findings
    assert "the layer's own activation_prime(z)" in (found.diagnosis or ""), found.diagnosis
    assert "backward is right" in (found.diagnosis or "")


def test_the_size_note_says_what_the_smaller_network_showed_not_more() -> None:
    found = check(catalogue()["update_gradient_clipped"].make, max_examples=8, only=["update-is-sgd-step"])
    sizes = [f for f in found.results[0].findings if f.kind == "needs-size"]
    assert sizes, found.results[0].findings
    note = sizes[0].sentence
    assert "was not seen with 1 output" in note and "shows only" not in note, note


def test_a_gradient_clipped_element_by_element_is_not_an_sgd_step() -> None:
    found = said(diagnosis.diagnose(np.clip(3 * EXPECTED, -1, 1), 3 * EXPECTED, step=True), "not-sgd-step")
    assert diagnosis.diagnose(np.clip(3 * EXPECTED, -1, 1), 3 * EXPECTED) is None  # a gradient is no step
    assert "clipped to [−1, 1]" in found
    assert diagnosis.clipped(3 * EXPECTED, 3 * EXPECTED) is None  # nothing beyond the largest value


def test_an_uphill_step_is_called_sign_flipped_only_when_it_is_minus_the_sgd_step() -> None:
    """A wrong tanh derivative can send a step uphill without any sign being flipped."""
    from backprop.battery.checks.descent import _descent_finding

    gradient = RNG.uniform(-1, 1, 12)
    assert _descent_finding(-gradient, gradient, 0.1).kind == "sign-flipped"
    bent = -gradient * RNG.uniform(0.2, 1.5, 12)  # uphill, every element, but not −1 × the step
    found = _descent_finding(bent, gradient, 0.1)
    assert found.kind == "uphill" and "sign" not in found.sentence and found.params["cosine"] < 0


# ----------------------------------------------- the layer-protocol diagnoses on deeper networks

TWO_HIDDEN = make_case((2, 3, 3, 1), "tanh", 0.1, 1.0, 5, HALF_SSE)
THREE_HIDDEN = make_case((3, 4, 2, 3, 2), "tanh", 0.1, 1.0, 5, HALF_SSE)


def derivative_written_for_a(layers: Any, activation: str) -> NeuralNetwork:
    """tanh's activation_prime written for the output A (1 − A²) and given z: 1 − z²."""
    net = NeuralNetwork(layers, activation)
    for layer in net.layers:
        layer.activation_prime = lambda z: 1 - z**2
    return net


def kinds_by_layer(findings: list[Finding]) -> dict[int, str]:
    return {int(f.params["layer"]): f.kind for f in findings}


@pytest.mark.parametrize("case", [TWO_HIDDEN, THREE_HIDDEN], ids=lambda c: str(list(c.layers)))
def test_a_derivative_that_expects_a_is_named_in_every_layer_of_a_deep_network(case: Any) -> None:
    found = evaluate("activation-derivative", derivative_written_for_a, case, HALF_SSE, "layer-level")
    assert found.status == "failed" and len(found.findings) == len(case.layers) - 1, found.findings
    for finding in found.findings:
        assert finding.kind == "wrong-derivative" and finding.params["formula"] == "1 − z²", finding
        assert "it expects A" in finding.sentence, finding.sentence
    hidden = evaluate("hidden-delta", derivative_written_for_a, case, HALF_SSE, "layer-level")
    n_hidden = len(case.layers) - 2
    assert kinds_by_layer(hidden.findings) == dict.fromkeys(range(1, n_hidden + 1), "wrong-derivative")
    assert all("the derivative it is given is wrong" in f.sentence for f in hidden.findings), hidden.findings


@pytest.mark.parametrize("case", [TWO_HIDDEN, THREE_HIDDEN], ids=lambda c: str(list(c.layers)))
@pytest.mark.parametrize(("name", "check_id"), [("update_during_backward", "fit-one-sample"),
                                                ("cached_transposed_weights", "fit-two-samples")])
def test_stale_weights_are_named_in_every_hidden_layer_of_a_deep_network(name: str, check_id: str,
                                                                          case: Any) -> None:
    """Every hidden layer backpropagates through its right neighbour's weights, so each is stale."""
    found = evaluate(check_id, catalogue()[name].make, case, HALF_SSE, "layer-level")
    n_hidden = len(case.layers) - 2
    assert found.status == "failed", found.summary
    stale = dict.fromkeys(range(1, n_hidden + 1), "stale-weights")
    assert kinds_by_layer(found.findings) == stale, found.findings


def test_a_value_smaller_than_expected_is_not_called_clipped() -> None:
    """One element (or every element) cut down is no evidence of a clip: nothing agrees below it."""
    assert diagnosis.clipped(np.array([0.3]), np.array([0.7])) is None
    assert diagnosis.clipped(np.array([[0.3, -0.3]]), np.array([[0.7, -0.9]])) is None


def test_dropout_left_on_in_gradients_is_nondeterministic_and_a_deterministic_model_is_not() -> None:
    """Two calls in a row at the same weights: dropout drawn from np.random repeats under one seed, so
    only the repeated call shows it."""
    from pathlib import Path

    styles = Path(__file__).parent / "styles"
    target = f"{styles / 'einsum_call_dropout_left_on.py'}:make"
    result = check(target, max_examples=3, only=["deterministic"])
    found = result.by_id("deterministic")
    assert found.status == "failed" and found.findings[0].kind == "nondeterministic", found
    assert found.findings[0].params["call"] == "gradients(x, y)"
    # the correct style it is planted in passes
    assert check(f"{styles / 'einsum_call.py'}:make", max_examples=3, only=["deterministic"]).passed


def test_a_step_that_follows_the_gradient_s_sign_is_not_an_sgd_step() -> None:
    """Adam's first step from a fresh state is lr·g/(|g| + ε): the sign of g, whatever its size."""
    step = EXPECTED / (np.abs(EXPECTED) + 1e-8)
    found = said(diagnosis.diagnose(step, EXPECTED, step=True), "not-sgd-step")
    assert "sign(expected)" in found and "Adam" in found
    assert diagnosis.sign_of(EXPECTED, EXPECTED) is None  # the gradient itself
    assert diagnosis.sign_of(np.sign(EXPECTED[0, :2]), EXPECTED[0, :2]) is None  # two elements prove nothing


def test_an_array_that_never_moves_is_frozen() -> None:
    assert "never moves" in said(diagnosis.diagnose(np.zeros_like(EXPECTED), EXPECTED), "frozen")
    assert diagnosis.all_zero(EXPECTED * 1e-3, EXPECTED) is None
