"""Hypothesis strategies for property tests of hand-written layers and networks.

    from hypothesis import given
    from backprop.strategies import layer_shapes, samples

    @given(layer_shapes("dense"))
    def test_dense(shape): ...

They are the strategies `backprop check-layer` draws its cases from: shapes that reach the bugs hiding
on special shapes (batch 1 and more, non-square layers, stride 2, padding, ties), shrinking towards
the smallest.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .layers.kinds import KIND_NAMES, get_kind
from .layers.shapes import MAX_BATCH, MAX_WIDTH, conv_shapes, shapes_for


def layer_shapes(kind: str, *, four_d: bool = False, single_sample: bool = False) -> st.SearchStrategy[dict]:
    """Shapes of one layer of `kind` (one of backprop.layers.KIND_NAMES), as a dict: "batch" and the
    kind's sizes ("n_inputs", "n_outputs" for dense; "channels", "height", "stride", "pad"... for conv).

    `four_d` lets a dense layer's (or an activation's) samples be 3-D blocks, as an affine layer
    that reshapes x to rows must accept; `single_sample` keeps the batch at 1.
    """
    get_kind(kind)
    return shapes_for(kind, four_d=four_d, single_sample=single_sample)


def conv_parameters() -> st.SearchStrategy[dict[str, Any]]:
    """A convolution's x and w shapes and its conv_param, with a whole output size: stride 1 and 2,
    padding 0 to 2, kernels that need not be square."""

    def build(d: dict[str, Any]) -> dict[str, Any]:
        return {
            "x_shape": (d["batch"], d["channels"], d["height"], d["width"]),
            "w_shape": (d["filters"], d["channels"], d["kernel_height"], d["kernel_width"]),
            "conv_param": {"stride": d["stride"], "pad": d["pad"]},
        }

    return conv_shapes().map(build)


def network_sizes(
    min_layers: int = 2, max_layers: int = 4, max_width: int = 5
) -> st.SearchStrategy[list[int]]:
    """Layer sizes of a dense network, input first: [n_inputs, hidden..., n_outputs]."""
    if not 2 <= min_layers <= max_layers:
        raise ValueError("need 2 <= min_layers <= max_layers")
    return st.lists(st.integers(1, max_width), min_size=min_layers, max_size=max_layers)


def samples(
    n_features: int,
    *,
    batch: int | None = None,
    max_batch: int = MAX_BATCH,
    bound: float = 3.0,
    dtype: Any = np.float64,
) -> st.SearchStrategy[np.ndarray]:
    """Arrays of samples, one a row: shape (batch, n_features), finite values in [−bound, bound]."""
    rows = st.just(batch) if batch is not None else st.integers(1, max_batch)
    elements = st.floats(
        -bound, bound, allow_nan=False, allow_infinity=False, width=np.dtype(dtype).itemsize * 8
    )
    return rows.flatmap(lambda n: hnp.arrays(dtype, (n, n_features), elements=elements))


__all__ = [
    "KIND_NAMES",
    "MAX_BATCH",
    "MAX_WIDTH",
    "conv_parameters",
    "layer_shapes",
    "network_sizes",
    "samples",
]
