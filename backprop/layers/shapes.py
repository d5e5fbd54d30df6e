"""Hypothesis strategies for the shapes a layer is checked on, chosen to reach the bugs that hide on
special shapes: batches of 1 and more, non-square layers, 4-D inputs to an affine layer, convolutions
with stride 1 and 2, padding 0 and more, kernels that are not square, pooling with and without ties,
keep-probabilities below 1.  Every strategy shrinks towards the smallest and plainest shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

MAX_BATCH = 4
MAX_WIDTH = 4


@dataclass(frozen=True)
class LayerCase:
    """One case of a layer check: the shapes (plain data) and the seed its arrays are drawn from."""

    kind: str
    dims: dict[str, Any] = field(default_factory=dict)
    seed: int = 0

    def describe(self) -> str:
        """The shapes in words: "batch 2, 3 inputs, 2 outputs" or "x (1, 1, 3, 3), w (1, 1, 2, 3), ..."."""
        d = self.dims
        if self.kind == "conv":
            return (
                f"x {shape_text(d['batch'], d['channels'], d['height'], d['width'])}, "
                f"w {shape_text(d['filters'], d['channels'], d['kernel_height'], d['kernel_width'])}, "
                f"stride {d['stride']}, pad {d['pad']}"
            )
        if self.kind == "max-pool":
            ties = "with ties" if d["ties"] else "no ties"
            return (
                f"x {shape_text(d['batch'], d['channels'], d['height'], d['width'])}, "
                f"pool {d['pool_height']}x{d['pool_width']}, stride {d['stride']}, {ties}"
            )
        width = d.get("n_inputs") or d.get("n_features") or d.get("n_classes")
        text = f"x {shape_text(d['batch'], *d.get('input_shape', (width,)))}"
        if self.kind == "dense":
            text += f", W {shape_text(d['n_inputs'], d['n_outputs'])}"
        if d.get("at_zero"):
            text += ", some x exactly 0"
        if "p" in d:
            text += f", keep probability {d['p']:g}"
        return text

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "seed": self.seed, **self.dims}


def shape_text(*sizes: int) -> str:
    return "(" + ", ".join(str(s) for s in sizes) + ")"


def batches(single_sample: bool = False, minimum: int = 1) -> st.SearchStrategy[int]:
    return st.just(1) if single_sample else st.integers(minimum, MAX_BATCH)


def sample_shapes(width: int, four_d: bool) -> st.SearchStrategy[tuple[int, ...]]:
    """The shape of one sample with `width` values: a row, or (for an affine layer) a 3-D block."""
    flat = st.just((width,))
    if not four_d:
        return flat
    blocks = [(a, b, width // (a * b)) for a in (1, 2) for b in (1, 2) if width % (a * b) == 0]
    return st.one_of(flat, st.sampled_from(blocks))


@st.composite
def dense_shapes(draw: st.DrawFn, four_d: bool = False, single_sample: bool = False) -> dict[str, Any]:
    batch = draw(batches(single_sample))
    n_outputs = draw(st.integers(1, MAX_WIDTH))
    if four_d:
        shape = draw(
            st.one_of(
                st.tuples(st.integers(1, MAX_WIDTH)),
                st.tuples(st.integers(1, 2), st.integers(1, 2), st.integers(1, 2)),
            )
        )
    else:
        shape = (draw(st.integers(1, MAX_WIDTH)),)
    n_inputs = 1
    for size in shape:
        n_inputs *= size
    return {"batch": batch, "n_inputs": n_inputs, "n_outputs": n_outputs, "input_shape": shape}


@st.composite
def elementwise_shapes(
    draw: st.DrawFn, kind: str, four_d: bool = False, single_sample: bool = False
) -> dict[str, Any]:
    batch = draw(batches(single_sample, 2 if kind == "batch-norm" else 1))
    minimum = 2 if kind in ("softmax", "softmax-ce", "cross-entropy", "svm") else 1
    width = draw(st.integers(minimum, MAX_WIDTH))
    dims: dict[str, Any] = {"batch": batch}
    if kind in ("softmax-ce", "cross-entropy", "svm"):
        dims["n_classes"] = width
        return dims
    dims["n_features"] = width
    if four_d and kind in ("relu", "sigmoid", "tanh"):
        dims["input_shape"] = draw(
            st.one_of(st.just((width,)), st.tuples(st.integers(1, 2), st.integers(1, 2), st.integers(1, 2)))
        )
    if kind == "relu":
        dims["at_zero"] = draw(st.booleans())
    if kind == "dropout":
        dims["p"] = draw(st.sampled_from([0.5, 0.75, 0.6, 0.3]))
    return dims


@st.composite
def conv_shapes(draw: st.DrawFn, single_sample: bool = False) -> dict[str, Any]:
    """A convolution whose output size is whole: H = (H' − 1)·stride + kernel − 2·pad, at least 1."""
    dims: dict[str, Any] = {
        "batch": draw(batches(single_sample, 1)),
        "channels": draw(st.integers(1, 2)),
        "filters": draw(st.integers(1, 2)),
        "kernel_height": draw(st.integers(1, 3)),
        "kernel_width": draw(st.integers(1, 3)),
        "stride": draw(st.sampled_from([1, 2])),
        "pad": draw(st.sampled_from([0, 1, 2])),
    }
    s, p = dims["stride"], dims["pad"]
    for side, kernel in (("height", "kernel_height"), ("width", "kernel_width")):
        out = draw(st.integers(1, 3))
        while (out - 1) * s + dims[kernel] - 2 * p < 1:
            out += 1
        dims[side] = (out - 1) * s + dims[kernel] - 2 * p
    return dims


@st.composite
def pool_shapes(draw: st.DrawFn, single_sample: bool = False) -> dict[str, Any]:
    dims: dict[str, Any] = {
        "batch": draw(batches(single_sample)),
        "channels": draw(st.integers(1, 2)),
        "pool_height": draw(st.integers(1, 3)),
        "pool_width": draw(st.integers(1, 3)),
        "stride": draw(st.integers(1, 3)),
        "ties": draw(st.booleans()),
    }
    if dims["ties"]:  # ties only where windows do not overlap: there valid subgradients are checked exactly
        dims["stride"] = max(dims["stride"], dims["pool_height"], dims["pool_width"])
    for side, size in (("height", "pool_height"), ("width", "pool_width")):
        dims[side] = (draw(st.integers(1, 3)) - 1) * dims["stride"] + dims[size]
    return dims


def shapes_for(kind: str, *, four_d: bool = False, single_sample: bool = False) -> st.SearchStrategy[dict]:
    """The shapes strategy of a kind (plain dicts)."""
    if kind == "dense":
        return dense_shapes(four_d, single_sample)
    if kind == "conv":
        return conv_shapes(single_sample)
    if kind == "max-pool":
        return pool_shapes(single_sample)
    if kind == "mse":
        return elementwise_shapes("sigmoid", False, single_sample)
    return elementwise_shapes(kind, four_d, single_sample)


def layer_cases(
    kind: str, *, four_d: bool = False, single_sample: bool = False
) -> st.SearchStrategy[LayerCase]:
    """Cases of a layer check: shapes and a seed, both shrinking towards 0."""
    return st.builds(
        LayerCase,
        st.just(kind),
        shapes_for(kind, four_d=four_d, single_sample=single_sample),
        st.integers(0, 2**32 - 1),
    )
