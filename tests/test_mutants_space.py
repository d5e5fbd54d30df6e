"""The space of networks a battery run draws from, and how the user's --layers, --hidden and --activation
are read: which networks (sizes and activation) a space allows, the sizes, depth ranges and activation
names each option accepts from a command line or from Python, the sentences that refuse the others, and
the words a left-out depth is said in.

Each test calls the parsing function or the space itself on a literal value: no network is built."""

from __future__ import annotations

import pytest

from backprop.battery.interfaces import PYTHON
from backprop.battery.space import (
    Space,
    _depth_words,
    parse_activations,
    parse_hidden,
    parse_layers,
)


def test_a_depth_left_out_is_said_without_or_with_its_number_of_hidden_layers() -> None:
    """The left-out finding names the depth the target cannot build: "without", singular, plural."""
    assert _depth_words(0) == "networks without a hidden layer"
    assert _depth_words(1) == "networks with 1 hidden layer"
    assert _depth_words(2) == "networks with 2 hidden layers"


def test_layers_given_as_a_sequence_are_read_as_int_sizes() -> None:
    """check(layers=[[2, 3, 1]]) from Python gives the sizes as numbers, not as a string."""
    sizes = parse_layers([2, 3.0, 1])  # type: ignore[list-item]
    assert sizes == (2, 3, 1) and all(type(n) is int for n in sizes)


def test_layers_with_a_size_below_one_are_refused_with_the_sizes_as_given() -> None:
    """The refusal repeats the sizes the user wrote, comma-separated, so the wrong one can be seen."""
    with pytest.raises(ValueError) as caught:
        parse_layers("2, 0,1")
    assert str(caught.value) == (
        "a network's layers are at least two positive sizes (inputs, ..., outputs), not 2,0,1"
    )


def test_layers_without_any_size_are_refused_with_the_text_given() -> None:
    """With no size to repeat, the refusal quotes the user's text itself."""
    with pytest.raises(ValueError) as caught:
        parse_layers(" , ")
    assert str(caught.value) == (
        "a network's layers are at least two positive sizes (inputs, ..., outputs), not ' , '"
    )


def test_hidden_given_as_one_int_is_that_depth_only() -> None:
    """check(hidden=2) from Python draws networks of exactly 2 hidden layers."""
    assert parse_hidden(2) == (2, 2)


def test_hidden_given_as_a_pair_is_the_least_and_most_depth() -> None:
    """check(hidden=(1, 3)) from Python is the range 1 to 3."""
    assert parse_hidden((1, 3)) == (1, 3)
    assert parse_hidden([0, 2]) == (0, 2)


def test_hidden_up_to_the_declared_limit_is_accepted() -> None:
    """8 hidden layers is the most a user may declare, and is allowed itself."""
    assert parse_hidden("8") == (8, 8)
    assert parse_hidden("0-8") == (0, 8)
    with pytest.raises(ValueError) as caught:
        parse_hidden("0-9")
    assert str(caught.value) == "hidden layers must be a range within 0 to 8, not 0 to 9"


def test_a_hidden_that_is_not_a_range_is_refused_naming_the_python_keyword() -> None:
    """From Python the refusal names the keyword `hidden`, not the command line's --hidden."""
    with pytest.raises(ValueError) as caught:
        parse_hidden("x", PYTHON)
    assert str(caught.value) == (
        "hidden takes a number of hidden layers or a range MIN-MAX, such as 1-2, not 'x'"
    )


def test_activations_are_split_at_commas_and_spaces_and_kept_once_each() -> None:
    """--activation 'tanh, sigmoid tanh' draws from tanh and sigmoid, in the order given."""
    assert parse_activations("tanh, sigmoid tanh") == ("tanh", "sigmoid")


def test_an_empty_activation_name_in_a_list_is_refused() -> None:
    """A list from Python holding an empty name is refused, not drawn as an activation called ''."""
    with pytest.raises(ValueError) as caught:
        parse_activations(["tanh", ""])
    assert str(caught.value) == (
        "--activation takes names separated by commas, such as tanh,sigmoid, not ['tanh', '']"
    )


def test_no_activation_is_refused_naming_the_python_keyword() -> None:
    """From Python the refusal names the keyword `activation`, not the command line's --activation."""
    with pytest.raises(ValueError) as caught:
        parse_activations("", PYTHON)
    assert str(caught.value) == "activation takes names separated by commas, such as tanh,sigmoid, not ''"


def test_a_space_allows_only_its_activations() -> None:
    """A smaller case the search tries keeps to the activations the target was seen to build with."""
    space = Space(activations=("tanh", "sigmoid"))
    assert space.allows((2, 3, 1), "tanh")
    assert space.allows((2, 3, 1))
    assert not space.allows((2, 3, 1), "relu")


def test_a_space_of_fixed_networks_allows_those_and_no_other() -> None:
    """A target that builds only 2-3-1 is never handed another network."""
    space = Space(fixed=((2, 3, 1),), activations=("tanh",))
    assert space.allows([2, 3, 1], "tanh")
    assert not space.allows([2, 4, 1], "tanh")


def test_a_space_allows_only_its_depths() -> None:
    """A network with a number of hidden layers the target cannot build is not drawn."""
    space = Space(depths=(1,))
    assert space.allows((2, 3, 1))
    assert not space.allows((2, 1))


def test_a_space_allows_widths_up_to_its_largest_and_no_wider() -> None:
    """Inputs and hidden layers are at most max_width units; the limit itself is allowed."""
    space = Space()
    assert space.allows((2, 8, 1)) and space.allows((8, 3, 1))
    assert not space.allows((2, 9, 1))
    assert not space.allows((2, 3, 9, 1))


def test_a_space_allows_outputs_from_its_least_to_its_most() -> None:
    """softmax cross-entropy needs 2 outputs or more; at most max_outputs, the limit itself allowed."""
    space = Space(min_outputs=2)
    assert space.allows((2, 1, 3)) and space.allows((2, 5, 4))
    assert not space.allows((2, 3, 1))
    assert not space.allows((2, 3, 5))
