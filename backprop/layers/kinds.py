"""The kinds of layer `check-layer` knows: what each is called, its arguments, and its reference maths.

The reference maths is not what a layer is judged against (finite differences of the layer's own
forward are); it is what a diagnosis measures a wrong gradient against: the gradient a plausible
mistake would give (the kernel unflipped, the stride ignored, the mean term dropped...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import product

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class LayerKind:
    """One kind of layer: its name, the words that name it, and how its pieces are called."""

    name: str
    meaning: str
    words: tuple[str, ...]
    """Words of a layer's name that say it is of this kind (lower case)."""
    params: tuple[str, ...] = ()
    """Its parameters, in the order a CS231n-style forward takes them after x."""
    hyper: str | None = None
    """The CS231n-style dictionary argument (conv_param, pool_param, bn_param, dropout_param)."""
    loss: bool = False
    """A loss: forward takes (x, y) and gives a scalar, and there is no upstream gradient."""
    object_args: tuple[str, ...] | None = ()
    """The conventional constructor arguments of a layer object; None when no object style has one."""

    @property
    def forward_arity(self) -> int:
        """How many positional arguments a CS231n-style forward function takes."""
        return 1 + len(self.params) + (self.hyper is not None)


KINDS: dict[str, LayerKind] = {
    kind.name: kind
    for kind in (
        LayerKind(
            "dense",
            "a fully connected layer x·W + b",
            ("dense", "affine", "fc", "linear", "fully"),
            ("W", "b"),
            object_args=("n_inputs", "n_outputs"),
        ),
        LayerKind("relu", "max(0, x)", ("relu",)),
        LayerKind("sigmoid", "1 / (1 + exp(−x))", ("sigmoid",)),
        LayerKind("tanh", "tanh(x)", ("tanh",)),
        LayerKind("softmax", "softmax over each row", ("softmax",)),
        LayerKind(
            "softmax-ce", "softmax then cross-entropy with integer labels, averaged over rows", (), loss=True
        ),
        LayerKind(
            "cross-entropy",
            "−log of the probability of each row's label, averaged over rows",
            ("crossentropy", "categoricalcrossentropy", "cce"),
            loss=True,
        ),
        LayerKind("mse", "mean squared error", ("mse", "meansquarederror", "squared"), loss=True),
        LayerKind(
            "svm", "multiclass hinge loss with margin 1, averaged over rows", ("svm", "hinge"), loss=True
        ),
        LayerKind(
            "conv",
            "2-D convolution (cross-correlation) with stride and zero padding",
            ("conv", "convolution", "convolutional"),
            ("w", "b"),
            "conv_param",
            object_args=None,
        ),
        LayerKind(
            "max-pool",
            "max pooling over windows",
            ("pool", "maxpool", "pooling"),
            (),
            "pool_param",
            object_args=None,
        ),
        LayerKind(
            "batch-norm",
            "batch normalisation in training mode",
            ("batchnorm", "bn", "batchnormalization"),
            ("gamma", "beta"),
            "bn_param",
            object_args=None,
        ),
        LayerKind(
            "dropout",
            "inverted dropout with a seeded mask",
            ("dropout",),
            (),
            "dropout_param",
            object_args=("rate",),
        ),
    )
}

KIND_NAMES = tuple(KINDS)


class KindError(ValueError):
    """The kind is unknown or cannot be told from the name: one sentence."""


def name_words(name: str) -> list[str]:
    """`Activation_Softmax_Loss_CategoricalCrossentropy` -> activation, softmax, loss, categorical,
    crossentropy, and each run of words joined (categoricalcrossentropy)."""
    parts = [p for p in re.split(r"[_\W]+", name) if p]
    words: list[str] = []
    for part in parts:
        pieces = re.findall(r"[A-Z]+(?=[A-Z][a-z]|\d|$)|[A-Z]?[a-z]+|\d+|[A-Z]+", part) or [part]
        lowered = [p.lower() for p in pieces]
        words += lowered
        if len(lowered) > 1:
            words.append("".join(lowered))
    words += ["".join(w.lower() for w in parts[i : i + 2]) for i in range(len(parts) - 1)]
    return words


def infer_kind(name: str) -> LayerKind:
    """The kind a layer's name says, or a KindError saying why it cannot be told."""
    words = set(name_words(name))
    if "softmax" in words and words & {"loss", "crossentropy", "categoricalcrossentropy", "ce", "cce"}:
        return KINDS["softmax-ce"]
    found = [kind for kind in KINDS.values() if words & set(kind.words)]
    if len(found) == 1:
        return found[0]
    choices = ", ".join(KIND_NAMES)
    if not found:
        raise KindError(
            f"cannot tell what kind of layer {name} is from its name; give it with --kind (one of {choices})"
        )
    names = " and ".join(kind.name for kind in found)
    raise KindError(f"the name {name} fits {names}; give the kind with --kind (one of {choices})")


def get_kind(kind: str | LayerKind) -> LayerKind:
    if isinstance(kind, LayerKind):
        return kind
    if kind not in KINDS:
        raise KindError(f"unknown kind {kind!r}; the kinds are: {', '.join(KIND_NAMES)}")
    return KINDS[kind]


# ----------------------------------------------------------------- reference maths for diagnoses


def rows(x: NDArray) -> NDArray:
    """x as one sample a row (an affine layer's view of a 4-D input)."""
    return x.reshape(x.shape[0], -1)


def conv_windows(
    x_shape: tuple[int, ...], w_shape: tuple[int, ...], stride: int, pad: int
) -> list[tuple[int, int, int, int]]:
    """(i, j, top, left) of every output position, in the padded input's coordinates."""
    _, _, height, width = x_shape
    _, _, kh, kw = w_shape
    out_h = 1 + (height + 2 * pad - kh) // stride
    out_w = 1 + (width + 2 * pad - kw) // stride
    return [(i, j, i * stride, j * stride) for i, j in product(range(out_h), range(out_w))]


def conv_backward(
    dout: NDArray,
    x: NDArray,
    w: NDArray,
    stride: int,
    pad: int,
    *,
    window_stride: int | None = None,
    flip: bool = False,
    crop: tuple[int, int] | None = None,
) -> tuple[NDArray, NDArray, NDArray]:
    """dx, dw, db of a convolution, or of a plausible mistake in it.

    `window_stride` places the windows at i·window_stride (1: the stride ignored), `flip` uses the
    kernel rotated by 180° for dx, `crop` takes dx from the padded gradient at another offset.
    """
    s = stride if window_stride is None else window_stride
    _, _, kh, kw = w.shape
    n, _, height, width = x.shape
    padded = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    dx_padded = np.zeros((n, x.shape[1], height + 2 * pad + kh, width + 2 * pad + kw))
    dw = np.zeros_like(w, dtype=float)
    kernel = w[:, :, ::-1, ::-1] if flip else w
    for i, j, _, _ in conv_windows(x.shape, w.shape, stride, pad):
        top, left = i * s, j * s
        g = dout[:, :, i, j]  # (N, F)
        window = padded[:, :, top : top + kh, left : left + kw]
        if window.shape[2:] != (kh, kw):
            continue
        dw += np.einsum("nf,nchw->fchw", g, window)
        dx_padded[:, :, top : top + kh, left : left + kw] += np.einsum("nf,fchw->nchw", g, kernel)
    a, b = (pad, pad) if crop is None else crop
    dx = dx_padded[:, :, a : a + height, b : b + width]
    return dx, dw, dout.sum(axis=(0, 2, 3))


def pool_maxima(
    x: NDArray, pool_height: int, pool_width: int, stride: int
) -> list[tuple[int, int, int, int, NDArray]]:
    """(n, c, top, left, mask of the window's maxima) of every pooling window."""
    n, c, height, width = x.shape
    out_h = 1 + (height - pool_height) // stride
    out_w = 1 + (width - pool_width) // stride
    windows = []
    for b, ch, i, j in product(range(n), range(c), range(out_h), range(out_w)):
        window = x[b, ch, i * stride : i * stride + pool_height, j * stride : j * stride + pool_width]
        windows.append((b, ch, i, j, window == window.max()))
    return windows


def batchnorm_backward(
    dout: NDArray,
    x: NDArray,
    gamma: NDArray,
    eps: float,
    *,
    ddof: int = 0,
    mean_term: bool = True,
    variance_term: bool = True,
) -> NDArray:
    """dx of training-mode batch-norm, or of a mistake in it (a term dropped, another variance)."""
    n = x.shape[0]
    mean = x.mean(axis=0)
    inv = 1.0 / np.sqrt(x.var(axis=0, ddof=ddof) + eps)
    xhat = (x - mean) * inv
    dxhat = dout * gamma
    total = n * dxhat
    if mean_term:
        total = total - dxhat.sum(axis=0)
    if variance_term:
        total = total - xhat * (dxhat * xhat).sum(axis=0)
    return inv / n * total


def batchnorm_xhat(x: NDArray, eps: float) -> NDArray:
    return (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)


def output_terms(kind: str, x: NDArray, params: dict[str, NDArray], out: NDArray,
                 hyper: dict | None = None) -> NDArray:
    """How large the terms each output is summed from are (|out| where nothing cancels): what rounding
    in the layer's forward scales with.  A batch-norm output γ·x̂ + β of 0.002 is made of terms near 1."""
    out = np.abs(np.asarray(out, dtype=float))
    if kind == "dense":
        return np.maximum(out, np.abs(rows(x)) @ np.abs(params["W"]) + np.abs(params["b"]).reshape(1, -1))
    if kind == "conv":
        w = np.abs(params["w"])
        bound = w.sum(axis=(1, 2, 3)) * float(np.max(np.abs(x), initial=0.0)) + np.abs(params["b"])
        return np.maximum(out, bound.reshape(1, -1, 1, 1))
    if kind == "batch-norm":
        inv = 1 / np.sqrt(x.var(axis=0) + 1e-5)
        spread = (np.abs(x) + np.abs(x.mean(axis=0))) * inv
        return np.maximum(out, np.abs(params["gamma"]) * spread + np.abs(params["beta"]))
    return out


def softmax(x: NDArray) -> NDArray:
    shifted = np.exp(x - x.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def axis_sums(values: NDArray) -> list[tuple[tuple[int, ...], NDArray]]:
    """values summed over every proper subset of its axes (the reductions a bias gradient could be)."""
    axes = range(values.ndim)
    sums = []
    for mask in product((False, True), repeat=values.ndim):
        chosen = tuple(a for a, m in zip(axes, mask) if m)
        if chosen and len(chosen) < values.ndim:
            sums.append((chosen, values.sum(axis=chosen)))
    return sums
