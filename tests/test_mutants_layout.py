"""What the layout search and the battery's cases give, exactly: every candidate mapping the shapes allow
(each order of the arrays, the cap on their number), the agreement a forward must reach with predict (its
bound, its floor of one, an integer prediction's magnitude, no warning from a candidate that overflows),
the conversions' dtype and their count of matrices, the layout in words; and the cases drawn and built
from a seed (the default case, the smallest softmax case, the streams of extra samples, integer inputs
and weights)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import find, settings

from backprop.battery import layout
from backprop.battery.cases import cases, default_case, make_case
from backprop.battery.layout import LayerLayout, Layout
from backprop.battery.suspects import IDENTITY, Reference
from backprop.losses import HALF_SSE, get_loss

SIZES = (3, 4, 2)


def reference_network(seed: int = 4) -> list[np.ndarray]:
    """Reference matrices (bias row first) of a (3, 4, 2) network."""
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1, 1, (4, 4)), rng.uniform(-1, 1, (5, 2))]


def predictions(matrices: list[np.ndarray], output: str = "tanh") -> list[tuple[np.ndarray, np.ndarray]]:
    ref = Reference(matrices, "tanh", output, HALF_SSE)
    xs = np.random.default_rng(9).uniform(-1, 1, (2, SIZES[0]))
    return [(x, ref.forward(x)[2][-1]) for x in xs]


# --------------------------------------------------------------------------- the candidates


def test_arrays_in_the_order_w1_w2_b1_b2_have_exactly_the_row_layouts_of_that_order() -> None:
    """W1, W2, b1, b2 is found although W1, b1, W2, b2 (tried first) does not fit: every output, rows."""
    shapes = [(3, 4), (4, 2), (4,), (2,)]
    found = layout.candidates(shapes, SIZES, "tanh")
    layers = (LayerLayout(0, 2, False, "first"), LayerLayout(1, 3, False, "first"))
    assert found == [Layout(layers, tuple(shapes), output) for output in ("tanh", IDENTITY, "sigmoid")]


def test_arrays_in_the_order_b1_w1_b2_w2_have_exactly_the_row_layouts_of_that_order() -> None:
    """b1, W1, b2, W2 (each bias before its weights) maps each layer's W and b to their own indices."""
    shapes = [(4,), (3, 4), (2,), (4, 2)]
    found = layout.candidates(shapes, SIZES, "relu")
    layers = (LayerLayout(1, 0, False, "first"), LayerLayout(3, 2, False, "first"))
    outputs = ("relu", IDENTITY, "sigmoid", "tanh")
    assert found == [Layout(layers, tuple(shapes), output) for output in outputs]


@pytest.mark.parametrize(
    ("order", "layers"),
    [
        ((0, 2, 1, 3), (LayerLayout(0, 1), LayerLayout(2, 3))),  # W1, b1, W2, b2
        ((0, 1, 2, 3), (LayerLayout(0, 2), LayerLayout(1, 3))),  # W1, W2, b1, b2
        ((2, 0, 3, 1), (LayerLayout(1, 0), LayerLayout(3, 2))),  # b1, W1, b2, W2
    ],
)
def test_each_order_of_separate_arrays_is_found_and_converts_to_the_reference(
    order: tuple[int, ...], layers: tuple[LayerLayout, ...]
) -> None:
    """Whatever order a style keeps W and b in, predict confirms the right one and it converts back."""
    matrices = reference_network()
    pieces = [matrices[0][1:], matrices[1][1:], matrices[0][0], matrices[1][0]]  # W1, W2, b1, b2
    arrays = [pieces[i] for i in order]
    mapping = layout.find_layout(arrays, SIZES, "tanh", HALF_SSE, predictions(matrices))
    assert mapping is not None
    assert mapping.layers == layers and mapping.output == "tanh"
    for mine, right in zip(mapping.to_reference(arrays), matrices, strict=True):
        np.testing.assert_array_equal(mine, right)
    for mine, theirs in zip(mapping.from_reference(matrices), arrays, strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_the_candidates_stop_at_the_cap_of_512() -> None:
    """Four square layers with the bias inside allow 768 mappings; the search tries at most 512."""
    found = layout.candidates([(2, 2), (3, 3), (4, 4), (5, 5)], (1, 2, 3, 4, 5), "tanh")
    assert layout.MAX_CANDIDATES == 512
    assert len(found) == 512


# --------------------------------------------------------------------------- agreement with predict


def test_a_forward_off_by_exactly_the_agreement_bound_still_confirms_the_layout() -> None:
    """The bound is inclusive: |forward − predict| = 1e-5 (outputs below 1) is agreement."""
    arrays = [np.zeros((3, 1)), np.zeros(1)]
    predicted = [(np.ones(3), np.array([layout.AGREEMENT]))]
    mapping = layout.find_layout(arrays, (3, 1), "tanh", HALF_SSE, predicted)
    assert mapping == Layout((LayerLayout(0, 1, False),), ((3, 1), (1,)), "tanh")


def test_small_outputs_are_judged_against_a_floor_of_one_not_two() -> None:
    """Outputs below 1 get the bound 1e-5 itself: a predict 1.5e-5 away confirms no layout."""
    matrices = reference_network()
    off = [(x, out + 1.5e-5) for x, out in predictions(matrices)]
    arrays = [matrices[0][1:], matrices[0][0], matrices[1][1:], matrices[1][0]]
    assert layout.find_layout(arrays, SIZES, "tanh", HALF_SSE, off) is None
    near = [(x, out + 0.5e-5) for x, out in predictions(matrices)]
    mapping = layout.find_layout(arrays, SIZES, "tanh", HALF_SSE, near)
    assert mapping is not None and mapping.layers == (LayerLayout(0, 1), LayerLayout(2, 3))


def test_an_integer_prediction_is_judged_at_its_magnitude() -> None:
    """An int8 predict of −128 scales the bound to 1.28e-3 (its magnitude), not to 1 (int8's wrapped abs)."""
    arrays = [np.array([[-128.0005]]), np.array([0.0])]
    predicted = [(np.array([1.0]), np.array([-128], dtype=np.int8))]
    mapping = layout.find_layout(arrays, (1, 1), "tanh", HALF_SSE, predicted)
    assert mapping == Layout((LayerLayout(0, 1, False),), ((1, 1), (1,)), IDENTITY)


def test_a_candidate_whose_forward_overflows_is_tried_without_a_warning() -> None:
    """Huge weights overflow z to inf: the search says nothing on the user's screen and keeps tanh's 1."""
    arrays = [np.full((3, 1), 1e308), np.zeros(1)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mapping = layout.find_layout(arrays, (3, 1), "tanh", HALF_SSE, [(np.ones(3), np.array([1.0]))])
    assert mapping == Layout((LayerLayout(0, 1, False),), ((3, 1), (1,)), "tanh")


# --------------------------------------------------------------------------- the conversions


def test_integer_arrays_convert_to_float_reference_matrices() -> None:
    """Weights handed over as integers become float64 matrices, as the judge's arithmetic expects."""
    mapping = layout.candidates([(2, 1), (1,)], (2, 1), "tanh")[0]
    found = mapping.to_reference([np.array([[2], [3]]), np.array([1])])
    assert len(found) == 1 and found[0].dtype == np.float64
    np.testing.assert_array_equal(found[0], [[1.0], [2.0], [3.0]])


def test_more_reference_matrices_than_layers_is_an_error() -> None:
    """Gradients of another network must not be converted silently by dropping what does not fit."""
    mapping = layout.candidates([(2, 1), (1,)], (2, 1), "tanh")[0]
    with pytest.raises(ValueError, match=r"^zip\(\) argument 2 is longer than argument 1$"):
        mapping.from_reference([np.zeros((3, 1)), np.zeros((3, 1))])


# --------------------------------------------------------------------------- the layout in words


def test_a_bias_inside_a_column_layout_is_called_a_column() -> None:
    """W as (n_out, n_in + 1) keeps its bias as a column, and the sentence says so (of its only layer)."""
    found = layout.candidates([(2, 4)], (3, 2), "tanh")
    assert [m.describe() for m in found[:4]] == [
        "W as (n_out, n_in), the bias as W's first column, tanh outputs",
        "W as (n_out, n_in), the bias as W's first column, a linear output",
        "W as (n_out, n_in), the bias as W's first column, sigmoid outputs",
        "W as (n_out, n_in), the bias as W's last column, tanh outputs",
    ]


def test_a_single_layer_layout_is_described() -> None:
    """A network without hidden layers has one layer to describe."""
    found = layout.candidates([(3, 2), (2,)], (3, 2), "tanh")
    assert found[0].describe() == "W as (n_in, n_out), separate biases of shape (n,), tanh outputs"


# --------------------------------------------------------------------------- the cases


def test_the_default_case_is_the_first_activation_at_rate_one_tenth_scale_one_seed_zero() -> None:
    """Plots and examples draw this one fixed case when nothing failed."""
    case = default_case(HALF_SSE)
    expected = make_case((2, 2, 1), "tanh", 0.1, 1.0, 0, HALF_SSE)
    assert case == expected
    assert (case.activation, case.learning_rate, case.scale, case.seed) == ("tanh", 0.1, 1.0, 0)
    np.testing.assert_array_equal(case.x, expected.x)
    np.testing.assert_array_equal(case.y, expected.y)


def test_the_smallest_softmax_case_has_two_outputs() -> None:
    """Softmax cross-entropy is drawn from two outputs up, so a failure shrinks to a two-class network."""
    quiet = settings(database=None, derandomize=True)
    found = find(cases(get_loss("softmax_ce")), lambda c: True, settings=quiet)
    assert found == make_case((1, 2), "tanh", 0.1, 1.0, 0, get_loss("softmax_ce"))


def test_extra_samples_are_new_samples_from_their_own_stream() -> None:
    """The batch check's extra rows are drawn from stream 1, not a copy of the case's own x."""
    case = make_case((2, 3, 1), "tanh", 0.1, 1.0, 11, HALF_SSE)
    xs, ys = case.extra_samples(HALF_SSE, 2)
    rng = np.random.default_rng([11, 1])
    np.testing.assert_array_equal(xs, rng.uniform(-1.0, 1.0, (2, 2)))
    np.testing.assert_array_equal(ys, [rng.uniform(-1.0, 1.0, 1), rng.uniform(-1.0, 1.0, 1)])
    assert not np.any(xs[0] == case.x)


def test_integer_inputs_run_from_minus_two_to_two_on_stream_three() -> None:
    """XOR-like inputs are integers in [−2, 2], reproducible from the seed."""
    drawn = [make_case((8, 1), "tanh", 0.1, 1.0, seed, HALF_SSE).integer_x() for seed in range(20)]
    for seed, x in enumerate(drawn):
        np.testing.assert_array_equal(x, np.random.default_rng([seed, 3]).integers(-2, 3, 8).astype(float))
    values = np.concatenate(drawn)
    assert values.dtype == np.float64 and values.min() == -2.0 and values.max() == 2.0


def test_a_cases_generator_is_the_weights_stream_by_default() -> None:
    """rng() with no stream is the generator the weights are drawn from."""
    case = make_case((2, 3, 1), "tanh", 0.1, 0.1, 7, HALF_SSE)
    weights = case.random_weights([(3, 3)])[0]
    np.testing.assert_array_equal(case.rng().uniform(-0.1, 0.1, (3, 3)), weights)
