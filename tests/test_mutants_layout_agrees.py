"""How a candidate layout of a model's arrays is confirmed against predict: a network with no output
units predicts an empty array, which every candidate's empty forward agrees with, so the first candidate
is the layout (an empty prediction has no largest element to scale or to bound by, and is no error)."""

from __future__ import annotations

import numpy as np

from backprop.battery import layout
from backprop.battery.layout import LayerLayout, Layout
from backprop.losses import HALF_SSE


def test_an_empty_prediction_confirms_the_first_candidate_layout() -> None:
    """Zero output units give an empty predict(x): the forward agrees with it, no max of nothing taken."""
    arrays = [np.zeros((3, 0)), np.zeros(0)]
    mapping = layout.find_layout(arrays, (3, 0), "tanh", HALF_SSE, [(np.ones(3), np.zeros(0))])
    assert mapping == Layout((LayerLayout(0, 1, False),), ((3, 0), (0,)), "tanh")
