"""How the rounding allowed to a model's gradients is sized: a model computing in float32 mixes every
layer's values into each gradient, so each element is allowed the rounding of the largest gradient element
of the whole network (never less than its own terms); a float64 model keeps each estimate as it is."""

from __future__ import annotations

import numpy as np

from backprop.battery.checks.common import _whole_gradient_terms
from backprop.numerical.estimate import Estimate


def _estimates() -> list[Estimate]:
    """Two layers' estimates: the first without term sizes, the second with its own (one above the
    largest gradient element, one below)."""
    first = Estimate(np.array([[5e-6, -2e-6]]), np.full((1, 2), 1e-12), "central")
    second = Estimate(np.array([[0.03], [-0.05]]), np.full((2, 1), 1e-12), "central",
                      term_scale=np.array([[0.2], [0.01]]))
    return [first, second]


def test_a_float64_model_s_estimates_are_kept_as_they_are() -> None:
    """float64 gradients round as their own terms: nothing is widened to the network's largest element."""
    estimates = _estimates()
    grads = [np.zeros((1, 2)), np.zeros((2, 1))]
    assert all(a is b for a, b in zip(_whole_gradient_terms(grads, estimates), estimates, strict=True))


def test_a_float32_model_s_gradients_carry_the_rounding_of_its_largest_gradient_element() -> None:
    """One float32 gradient makes every element's term size at least 0.05 (the largest |estimate| of the
    whole network, not 1): the first layer's 5e-6 gets 0.05, and the second's own 0.2 stays."""
    grads = [np.zeros((1, 2), dtype=np.float32), np.zeros((2, 1))]
    first, second = _whole_gradient_terms(grads, _estimates())
    np.testing.assert_array_equal(first.term_scale, [[0.05, 0.05]])
    np.testing.assert_array_equal(second.term_scale, [[0.2], [0.05]])
    np.testing.assert_array_equal(first.value, [[5e-6, -2e-6]])


def test_an_empty_parameter_array_adds_nothing_to_the_largest_element() -> None:
    """A model may hold a parameter array of size 0 (a layer's unused bias, say): its estimate is empty,
    and the largest element is taken over the others, not refused."""
    empty = Estimate(np.zeros((0, 3)), np.zeros((0, 3)), "central")
    grads = [np.zeros((0, 3), dtype=np.float32), np.zeros((1, 2)), np.zeros((2, 1))]
    terms = _whole_gradient_terms(grads, [empty, *_estimates()])
    assert terms[0].term_scale.shape == (0, 3)
    np.testing.assert_array_equal(terms[1].term_scale, [[0.05, 0.05]])
