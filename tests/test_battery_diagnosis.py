"""The diagnosis functions on synthetic arrays: each names its pattern, and only its pattern."""

from __future__ import annotations

import numpy as np
import pytest

from backprop.activations import tanh, tanh_prime
from backprop.battery import diagnosis

RNG = np.random.default_rng(7)
EXPECTED = RNG.uniform(-1, 1, (3, 4))


def test_a_flipped_sign_is_named_with_its_accuracy() -> None:
    found = diagnosis.diagnose(-EXPECTED, EXPECTED)
    assert found is not None and "sign is flipped" in found
    assert "exactly" in found and "all 12 elements" in found


@pytest.mark.parametrize(
    ("factor", "words"),
    [
        (2.0, "equal 2 ×"),
        (0.5, "equal 1/2 ×"),
        (0.1, "the learning rate ×"),
        (10.0, "1 / the learning rate ×"),
        (0.5 * 3, "the number of outputs / 2"),
    ],
)
def test_a_constant_factor_is_named_when_it_is_a_known_one(factor: float, words: str) -> None:
    found = diagnosis.diagnose(factor * EXPECTED, EXPECTED, learning_rate=0.1, n_outputs=3)
    assert found is not None and words in found, found


def test_an_unknown_factor_is_given_as_a_number() -> None:
    found = diagnosis.scaled(1.37 * EXPECTED, EXPECTED)
    assert found is not None and "1.37 ×" in found


def test_a_ratio_between_one_or_two_numbers_is_no_evidence() -> None:
    assert diagnosis.scaled(np.array([0.3]), np.array([0.7])) is None
    assert diagnosis.scaled(np.array([0.6]), np.array([0.3])) is not None  # a named factor (2) still counts


def test_a_transposed_gradient_is_recognised_from_its_shape() -> None:
    found = diagnosis.diagnose(EXPECTED.T, EXPECTED)
    assert found is not None and "transpose" in found


def test_a_square_transposed_gradient_is_recognised_from_its_values() -> None:
    square = RNG.uniform(-1, 1, (3, 3))
    found = diagnosis.diagnose(square.T, square)
    assert found is not None and "transpose" in found


def test_a_frozen_bias_row_is_named_as_the_bias_row() -> None:
    analytic = EXPECTED.copy()
    analytic[0] = 0.0
    found = diagnosis.diagnose(analytic, EXPECTED)
    assert found is not None and "row 0" in found and "bias row" in found


def test_a_frozen_column_is_named_with_its_index() -> None:
    analytic = EXPECTED.copy()
    analytic[:, 2] = 0.0
    found = diagnosis.diagnose(analytic, EXPECTED)
    assert found is not None and "column 2" in found


def test_dz_taken_at_a_is_recognised() -> None:
    z = RNG.uniform(-2, 2, 5)
    found = diagnosis.dz_is_fprime_of_a(tanh_prime(tanh(z)), tanh(z), tanh_prime)
    assert found is not None and "f'(A)" in found
    assert diagnosis.dz_is_fprime_of_a(tanh_prime(z), tanh(z), tanh_prime) is None


def test_a_delta_with_fprime_of_a_is_recognised() -> None:
    z = RNG.uniform(-2, 2, 4)
    expected = RNG.uniform(-1, 1, 4) * tanh_prime(z)
    wrong = expected / tanh_prime(z) * tanh_prime(tanh(z))
    found = diagnosis.delta_uses_fprime_of_a(wrong, expected, tanh_prime(z), tanh_prime(tanh(z)))
    assert found is not None and "f'(A)" in found


def test_a_delta_missing_its_fprime_factor_is_recognised() -> None:
    z = RNG.uniform(-2, 2, 4)
    dl_da = RNG.uniform(-1, 1, 4)
    found = diagnosis.missing_fprime(dl_da, dl_da * tanh_prime(z), dl_da)
    assert found is not None and "f'(z)" in found and "missing" in found
    assert diagnosis.missing_fprime(dl_da * tanh_prime(z), dl_da * tanh_prime(z), dl_da) is None


def test_a_delta_with_fprime_twice_is_recognised() -> None:
    z = RNG.uniform(-2, 2, 4)
    expected = RNG.uniform(-1, 1, 4) * tanh_prime(z)
    found = diagnosis.extra_fprime(expected * tanh_prime(z), expected, tanh_prime(z))
    assert found is not None and "extra factor" in found


def test_noise_is_not_diagnosed() -> None:
    noisy = EXPECTED + RNG.normal(0, 0.3, EXPECTED.shape)
    assert diagnosis.diagnose(noisy, EXPECTED) is None


def test_agreement_within_the_budget_counts_as_agreement() -> None:
    assert diagnosis.agreement(EXPECTED + 1e-3, EXPECTED, budget=2e-3) is not None
    assert diagnosis.agreement(EXPECTED + 1e-3, EXPECTED) is None


@pytest.mark.parametrize(
    ("layers", "words"),
    [
        ((3, 1), None),
        ((3, 4, 1), None),
        ((3, 2), "several outputs"),
        ((3, 4, 4, 1), "deep networks"),
        ((3, 4, 4, 2), "several outputs and deep networks"),
    ],
)
def test_the_smallest_case_says_when_a_bug_shows(layers: tuple[int, ...], words: str | None) -> None:
    found = diagnosis.only_when(layers)
    assert found == words if words is None else (found is not None and words in found)
