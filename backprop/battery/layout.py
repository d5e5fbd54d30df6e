"""How a model's parameter arrays map to the reference layout, so that the judge can backpropagate it.

The reference layout is one matrix a layer, (n_in + 1, n_out), its bias row first (what
`backprop.battery.suspects` computes on).  Code written in other styles keeps W as (n_in, n_out)
(rows) or (n_out, n_in) (Nielsen's and Ng's columns), the bias as a separate array of shape (n,),
(1, n) or (n, 1), or inside W as its first or last row (or column), the arrays in the order
W1, b1, W2, b2 or W1, W2, b1, b2, and a linear, sigmoid or the hidden activation at the output.
`candidates` lists every mapping the shapes allow; `find_layout` keeps the first whose forward pass,
computed here on the converted weights, equals the model's own predict(x) on the samples given.
Gradients convert with the same maps, both ways.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..losses import Loss
from .suspects import IDENTITY, Reference

MAX_CANDIDATES = 512
"""Enough for four square layers in every orientation, bias shape and output activation."""

AGREEMENT = 1e-5
"""How closely, relative to the outputs' scale, the judge's forward must equal predict(x): the
candidates of random weights differ by far more, and float32 code computes well within it."""

Shape = tuple[int, ...]


@dataclass(frozen=True)
class LayerLayout:
    """Where one layer's weights and bias are among the parameter arrays, and how they are oriented."""

    weight: int
    """The index of the weight array."""
    bias: int | None
    """The index of a separate bias array, or None when the bias is inside the weight array."""
    columns: bool = False
    """W is (n_out, n_in): one row a unit, as with column vectors."""
    inside: str = "first"
    """Where the bias sits inside W when it is not separate: its "first" or "last" row (column)."""


@dataclass(frozen=True)
class Layout:
    """A whole model's mapping: a layout per layer, the arrays' shapes, and the output activation."""

    layers: tuple[LayerLayout, ...]
    shapes: tuple[Shape, ...]
    output: str = IDENTITY

    def to_reference(self, arrays: Sequence[NDArray]) -> list[NDArray]:
        """Parameter arrays (or their gradients) as reference matrices, the bias row first."""
        found = []
        for layer in self.layers:
            w = np.asarray(arrays[layer.weight], dtype=float)
            w = w.T if layer.columns else w
            if layer.bias is None:
                found.append(w if layer.inside == "first" else np.concatenate((w[-1:], w[:-1])))
            else:
                found.append(np.concatenate((np.ravel(arrays[layer.bias])[None, :], w)))
        return found

    def from_reference(self, matrices: Sequence[NDArray]) -> list[NDArray]:
        """Reference matrices as arrays of the model's own shapes and order."""
        found: list[NDArray | None] = [None] * len(self.shapes)
        for layer, r in zip(self.layers, matrices, strict=True):
            r = np.asarray(r, dtype=float)
            if layer.bias is None:
                w = r if layer.inside == "first" else np.concatenate((r[1:], r[:1]))
            else:
                w = r[1:]
                found[layer.bias] = r[0].reshape(self.shapes[layer.bias])
            found[layer.weight] = w.T if layer.columns else w
        assert all(a is not None for a in found)
        return [a for a in found if a is not None]

    def reference(self, arrays: Sequence[NDArray], hidden: str, loss: Loss) -> Reference:
        return Reference(self.to_reference(arrays), hidden, self.output, loss)

    def describe(self) -> str:
        """The layout in words: "W as (n_out, n_in), separate biases of shape (n, 1), a linear output"."""
        first = self.layers[0]
        orientation = "(n_out, n_in)" if first.columns else "(n_in, n_out)"
        if first.bias is None:
            where = "row" if not first.columns else "column"
            bias = f"the bias as W's {first.inside} {where}"
        else:
            shape = self.shapes[first.bias]
            bias = "separate biases of shape " + (
                "(n,)" if len(shape) == 1 else "(1, n)" if shape[0] == 1 and len(shape) == 2 else "(n, 1)"
            )
        output = "a linear output" if self.output == IDENTITY else f"{self.output} outputs"
        return f"W as {orientation}, {bias}, {output}"


def _orders(count: int, layers: int) -> list[list[tuple[int, int | None]]]:
    """(weight index, bias index) per layer, for each order the arrays may come in."""
    if count == layers:
        return [[(i, None) for i in range(layers)]]
    if count != 2 * layers:
        return []
    return [
        [(2 * i, 2 * i + 1) for i in range(layers)],  # W1, b1, W2, b2
        [(i, layers + i) for i in range(layers)],  # W1, W2, b1, b2
        [(2 * i + 1, 2 * i) for i in range(layers)],  # b1, W1, b2, W2
    ]


def _bias_fits(shape: Shape, n_out: int) -> bool:
    return shape in ((n_out,), (1, n_out), (n_out, 1))


def _layer_options(
    shapes: Sequence[Shape], weight: int, bias: int | None, n_in: int, n_out: int
) -> list[LayerLayout]:
    w = shapes[weight]
    found = []
    if bias is not None:
        if not _bias_fits(shapes[bias], n_out):
            return []
        if w == (n_in, n_out):
            found.append(LayerLayout(weight, bias, False))
        if w == (n_out, n_in):
            found.append(LayerLayout(weight, bias, True))
        return list(dict.fromkeys(found))
    for inside in ("first", "last"):
        if w == (n_in + 1, n_out):
            found.append(LayerLayout(weight, None, False, inside))
        if w == (n_out, n_in + 1):
            found.append(LayerLayout(weight, None, True, inside))
    return list(dict.fromkeys(found))


def candidates(shapes: Sequence[Shape], sizes: Sequence[int], hidden: str) -> list[Layout]:
    """Every mapping of arrays of these shapes to layers of these sizes, the likeliest first (rows before
    columns, the hidden activation at the output, then a linear, sigmoid or tanh one)."""
    shapes = tuple(tuple(int(n) for n in s) for s in shapes)
    pairs = list(zip(sizes[:-1], sizes[1:], strict=False))
    outputs = list(dict.fromkeys((hidden, IDENTITY, "sigmoid", "tanh")))
    found: list[Layout] = []
    for order in _orders(len(shapes), len(pairs)):
        options = [_layer_options(shapes, w, b, n_in, n_out) for (w, b), (n_in, n_out) in zip(order, pairs)]
        if not all(options):
            continue
        for combination in itertools.product(*options):
            for output in outputs:
                found.append(Layout(tuple(combination), shapes, output))
                if len(found) >= MAX_CANDIDATES:
                    return found
    return found


def find_layout(
    arrays: Sequence[NDArray],
    sizes: Sequence[int],
    hidden: str,
    loss: Loss,
    predictions: Sequence[tuple[NDArray, NDArray]],
) -> Layout | None:
    """The first candidate layout whose forward pass on the converted arrays equals predict(x) for every
    (x, predict(x)) given; None when none does (or no sample is given, so that nothing confirms one)."""
    if not predictions:
        return None
    for layout in candidates([np.shape(a) for a in arrays], sizes, hidden):
        reference = layout.reference(arrays, hidden, loss)
        if all(_agrees(reference, x, out) for x, out in predictions):
            return layout
    return None


def _agrees(reference: Reference, x: NDArray, out: NDArray) -> bool:
    with np.errstate(all="ignore"):
        mine = reference.forward(np.asarray(x, dtype=float))[2][-1]
    out = np.ravel(np.asarray(out, dtype=float))
    if mine.shape != out.shape or not np.all(np.isfinite(mine)):
        return False
    scale = max(float(np.max(np.abs(out), initial=0.0)), 1.0)
    return bool(np.max(np.abs(mine - out), initial=0.0) <= AGREEMENT * scale)


