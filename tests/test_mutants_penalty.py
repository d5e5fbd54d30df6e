"""What the declared L2 penalty's helpers return: which elements are weights in the layer-level protocol,
how the penalty's exact gradient shifts an estimate and its bounds, and the sentence that says a gradient
penalises the biases too."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from typing import Any

import numpy as np

from backprop.battery.checks import penalty
from backprop.battery.profile import Profile


@dataclasses.dataclass
class _Estimate:
    value: Any
    budget: Any
    lower: Any = None
    upper: Any = None


def test_layer_weight_mask_drops_only_the_bias_row() -> None:
    """Only a 2-D layer matrix with rows loses its bias row; a 1-D array stays all weights."""
    first = penalty.weight_masks([np.ones((1, 2)), np.ones(3)], Profile(bias="first"), model=False)
    assert first[0].tolist() == [[False, False]]
    assert first[0].dtype == bool
    assert first[1].tolist() == [True, True, True]
    last = penalty.weight_masks([np.ones((2, 1))], Profile(bias="last"), model=False)
    assert last[0].tolist() == [[True], [False]]
    empty = penalty.weight_masks([np.ones((0, 2))], Profile(), model=False)
    assert empty[0].shape == (0, 2)


def test_with_penalty_shifts_value_and_both_bounds_by_lambda_w() -> None:
    """The penalty's gradient λ·W is added to the estimate and to its lower and upper bounds alike."""
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    e = _Estimate(value=np.zeros((2, 2)), budget=0.0, lower=np.full((2, 2), -1.0), upper=np.ones((2, 2)))
    (out,) = penalty.with_penalty([e], [w], Profile(l2=0.5, bias="first"), model=False)
    assert out.value.tolist() == [[0.0, 0.0], [1.5, 2.0]]
    assert out.lower.tolist() == [[-1.0, -1.0], [0.5, 1.0]]
    assert out.upper.tolist() == [[1.0, 1.0], [2.5, 3.0]]
    (bare,) = penalty.with_penalty([_Estimate(np.zeros((2, 2)), 0.0)], [w], Profile(l2=0.5), model=False)
    assert bare.lower is None and bare.upper is None


def test_penalty_value_and_gradient_on_integer_weights() -> None:
    """λ/2·‖W‖² and λ·W are computed in floats even for integer weights."""
    w = np.array([[1, 2], [3, 4]])
    profile = Profile(l2=0.5)
    assert penalty.penalty_value([w], profile, model=False) == 0.25 * 25
    (g,) = penalty.penalty_gradients([w], profile, model=False)
    assert g.tolist() == [[0.0, 0.0], [1.5, 2.0]]


def _residual_case(lam_on_biases: float, l2: float, l2_biases: bool) -> Any:
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    grad = 0.5 * w
    grad[0] = lam_on_biases * w[0]
    e = SimpleNamespace(value=np.zeros((2, 2)), budget=0.0)
    return penalty.regularisation_finding(
        [([grad], [e])], [w], Profile(l2=l2, l2_biases=l2_biases), False, "the gradient"
    )


def test_biases_penalised_too_is_said_in_full() -> None:
    """A gradient carrying λ·b on the biases, undeclared, is named with the option that declares it."""
    f = _residual_case(0.5, 0.5, False)
    assert f is not None
    assert f.kind == "regularisation"
    assert f.sentence == (
        "the gradient penalises the biases too: their gradient equals ∂C/∂b + λ·b with λ = 0.5 exactly; "
        "declare l2_biases=True if that is meant, or leave the biases out of the penalty"
    )
    assert f.params == {"l2": 0.5, "biases": True}


def test_declared_penalty_missing_is_said_in_full() -> None:
    """A gradient without λ·W, though λ is declared, is reported with its params exactly."""
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    e = SimpleNamespace(value=np.zeros((2, 2)), budget=0.0)
    f = penalty.regularisation_finding(
        [([np.zeros((2, 2))], [e])], [w], Profile(l2=0.5), False, "the gradient"
    )
    assert f is not None
    assert f.sentence == (
        "the gradient equals ∂C/∂W exactly, without the declared penalty's λ·W "
        "(λ = 0.5): the penalty is missing"
    )
    assert f.params == {"l2": 0.0, "declared": 0.5, "factor": 0.0}
