"""The reference network, trained faster: same constructor, weights, layers and results.

`NeuralNetwork(layersDim, activation='tanh', *, rng=None)` is the reference network (a
subclass: same layers, same initial weights for the same rng, same forward, backward and
update), so it is a drop-in replacement; the battery target is `backprop.fast:make`.
Only `fit`, where the time goes, is rewritten:

- every per-sample array lives in a buffer allocated once per `fit`, and the arithmetic runs
  in place, with the registry's own formulas for the activations and their derivatives;
- the random sample indices are drawn in blocks, which yields the same indices and leaves the
  generator in the same state as the reference's one draw per step;
- a large weight matrix is not rewritten after every sample. Its pending rank-one updates
  are kept as two thin matrices (inputs, and deltas scaled by the learning rate) and folded
  into forward and backward as a low-rank correction, then applied every few samples as one
  BLAS matrix product. A per-sample update is otherwise two or three passes over the whole
  matrix, which is what bounds the reference's speed on 784-128-10.

Small layers are updated eagerly with the reference's own operations, so on networks such as
2-2-1 or 64-32-10 the weights after `fit` are bit for bit the reference's. Where updates are
deferred, the same numbers are added in another order, so the weights agree to rounding
(around 1e-15 relative per step; where training is unstable, such differences grow as any
perturbation of the weights does).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import glob
import math
import os
import threading
from collections.abc import Callable, Iterator, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .activations import relu, relu_prime, sigmoid, sigmoid_prime, tanh, tanh_prime
from .network import Layer, check_fit_settings
from .network import NeuralNetwork as ReferenceNetwork

DEFER_MIN_WEIGHTS = 16_384
"""Weight matrices with at least this many entries get deferred (batched) updates in `fit`."""

BLOCK_DEPTH = 32
"""Samples per block of a large first layer (see `_InputBlockSlot`); INDEX_BLOCK is a multiple."""

INDEX_BLOCK = 4096
"""Sample indices drawn from the generator at a time in `fit`."""

Kernel = Callable[[NDArray, NDArray, NDArray], None]
"""kernel(z, a, dz) writes f(z) into a and f'(z) into dz, in place."""


class _Scratch:
    """Work arrays of one layer's width, for the in-place kernels."""

    def __init__(self, width: int) -> None:
        self.e = np.empty(width)
        self.numerator = np.empty(width)
        self.denominator = np.empty(width)
        self.negative = np.empty(width, dtype=bool)


def _exp_minus_abs(z: NDArray, scale: float, out: NDArray) -> NDArray:
    """e^(-scale·|z|), the same bits as backprop.activations computes it."""
    np.abs(z, out=out)
    np.multiply(out, -scale, out=out)
    return np.exp(out, out=out)


def _tanh_kernel(s: _Scratch) -> Kernel:
    def kernel(z: NDArray, a: NDArray, dz: NDArray) -> None:
        np.tanh(z, out=a)
        e = _exp_minus_abs(z, 2.0, s.e)
        np.multiply(e, 4.0, out=s.numerator)
        np.add(e, 1.0, out=s.denominator)
        np.square(s.denominator, out=s.denominator)
        np.divide(s.numerator, s.denominator, out=dz)

    return kernel


def _sigmoid_kernel(s: _Scratch) -> Kernel:
    def kernel(z: NDArray, a: NDArray, dz: NDArray) -> None:
        e = _exp_minus_abs(z, 1.0, s.e)
        np.add(e, 1.0, out=s.denominator)
        np.divide(1.0, s.denominator, out=a)
        np.less(z, 0.0, out=s.negative)
        np.divide(e, s.denominator, out=a, where=s.negative)
        np.square(s.denominator, out=s.denominator)
        np.divide(e, s.denominator, out=dz)

    return kernel


def _relu_kernel(s: _Scratch) -> Kernel:
    def kernel(z: NDArray, a: NDArray, dz: NDArray) -> None:
        np.maximum(z, 0.0, out=a)
        np.greater(z, 0.0, out=dz)

    return kernel


_KERNELS: dict[tuple[Callable, Callable], Callable[[_Scratch], Kernel]] = {
    (tanh, tanh_prime): _tanh_kernel,
    (sigmoid, sigmoid_prime): _sigmoid_kernel,
    (relu, relu_prime): _relu_kernel,
}


def activation_kernel(activation: Callable, activation_prime: Callable, width: int) -> Kernel:
    """An in-place kernel(z, a, dz) giving the same bits as activation(z) and activation_prime(z).

    The registry's tanh, sigmoid and relu get allocation-free kernels; any other pair is called
    as it is and its results copied.
    """
    known = _KERNELS.get((activation, activation_prime))
    if known is not None:
        return known(_Scratch(width))

    def generic(z: NDArray, a: NDArray, dz: NDArray) -> None:
        a[...] = activation(z)
        dz[...] = activation_prime(z)

    return generic


class _Slot:
    """One layer's buffers in the `fit` loop; updates the weights in place after every sample."""

    def __init__(self, layer: Layer) -> None:
        self.weight = layer.weight
        rows, columns = layer.weight.shape
        self.weight_t = layer.weight.T
        self.kernel = activation_kernel(layer.activation, layer.activation_prime, columns)
        self.z = np.empty(columns)
        self.a = np.empty(columns)
        self.dz = np.empty(columns)
        self.delta = np.empty((1, columns))
        self.delta_flat = self.delta[0]
        self.back = np.empty((1, rows))
        self.step = np.empty((rows, columns))

    def forward(self, x: NDArray) -> NDArray:
        np.dot(x, self.weight, out=self.z)
        self.kernel(self.z, self.a, self.dz)
        return self.a

    def output_delta(self, y: NDArray) -> NDArray:
        """(A − y)·f'(z), as the reference computes it."""
        np.subtract(self.a, y, out=self.delta_flat)
        np.multiply(self.delta_flat, self.dz, out=self.delta_flat)
        return self.delta

    def hidden_delta(self, back_from_right: NDArray) -> NDArray:
        """(δ_right·W_rightᵀ)·f'(z)."""
        np.multiply(back_from_right, self.dz, out=self.delta)
        return self.delta

    def backpropagate(self) -> NDArray:
        """δ·Wᵀ, what the layer to the left multiplies by its f'(z)."""
        np.dot(self.delta, self.weight_t, out=self.back)
        return self.back

    def update(self, x: NDArray, learning_rate: float) -> None:
        """W −= learning_rate · xᵀδ with the reference's operations, so the same bits."""
        np.multiply(x[:, None], self.delta, out=self.step)
        np.multiply(self.step, learning_rate, out=self.step)
        np.subtract(self.weight, self.step, out=self.weight)

    def flush(self) -> None:
        """Nothing is pending in an eager slot."""

    def begin_block(self, inputs: NDArray, indices: list[int]) -> None:
        """Only the first layer looks ahead at the inputs of the samples to come."""

    def end_block(self) -> None:
        """Only the first layer works in blocks."""


class _DeferredSlot(_Slot):
    """A slot whose weight is W − Pᵀ Q, with up to `depth` pending rank-one updates in P and Q.

    P holds the inputs x and Q the scaled deltas learning_rate·δ of the samples since the last
    flush; forward and backward add the low-rank correction (x·Pᵀ)Q and (δ·Qᵀ)P, so they see
    the same weights as the reference, and a flush applies all of them as one product PᵀQ.
    """

    def __init__(self, layer: Layer, depth: int) -> None:
        super().__init__(layer)
        rows, columns = layer.weight.shape
        self.depth = depth
        self.pending = 0
        self.inputs = np.empty((depth, rows))
        self.scaled_deltas = np.empty((depth, columns))
        self.coefficients = np.empty(depth)
        self.z_correction = np.empty(columns)
        self.back_correction = np.empty(rows)

    def forward(self, x: NDArray) -> NDArray:
        np.dot(x, self.weight, out=self.z)
        k = self.pending
        if k:
            coefficients = self.coefficients[:k]
            np.dot(self.inputs[:k], x, out=coefficients)
            np.dot(coefficients, self.scaled_deltas[:k], out=self.z_correction)
            np.subtract(self.z, self.z_correction, out=self.z)
        self.kernel(self.z, self.a, self.dz)
        return self.a

    def backpropagate(self) -> NDArray:
        np.dot(self.delta, self.weight_t, out=self.back)
        k = self.pending
        if k:
            coefficients = self.coefficients[:k]
            np.dot(self.scaled_deltas[:k], self.delta_flat, out=coefficients)
            np.dot(coefficients, self.inputs[:k], out=self.back_correction)
            np.subtract(self.back, self.back_correction, out=self.back)
        return self.back

    def update(self, x: NDArray, learning_rate: float) -> None:
        k = self.pending
        self.inputs[k] = x
        np.multiply(self.delta_flat, learning_rate, out=self.scaled_deltas[k])
        self.pending = k + 1
        if self.pending == self.depth:
            self.flush()

    def flush(self) -> None:
        """W −= PᵀQ: all pending updates in one matrix product and one pass over W."""
        k = self.pending
        if k:
            np.dot(self.inputs[:k].T, self.scaled_deltas[:k], out=self.step)
            np.subtract(self.weight, self.step, out=self.weight)
            self.pending = 0


class _InputBlockSlot(_DeferredSlot):
    """The first layer, whose inputs are known a block of samples ahead (the indices are drawn).

    At the start of a block of inputs X (the rows of P) it computes all their pre-activations
    against the block's starting weights, Z = XW, and the Gram matrix G = XXᵀ, in two BLAS
    products. Sample t then needs z = Z[t] − Σ_{s<t} G[t, s]·Q[s], a product of size
    t × columns instead of a pass over W, and the end of the block applies all its updates at
    once (the inherited flush). Its weights are never needed to go backward, since no layer
    lies to its left.
    """

    def __init__(self, layer: Layer, depth: int) -> None:
        super().__init__(layer, depth)
        self.block_z = np.empty((depth, layer.weight.shape[1]))
        self.gram_buffer = np.empty(depth * depth)
        self.gram = self.gram_buffer.reshape(depth, depth)

    def begin_block(self, inputs: NDArray, indices: list[int]) -> None:
        k = len(indices)
        block = self.inputs[:k]
        np.take(inputs, indices, axis=0, out=block)
        np.dot(block, self.weight, out=self.block_z[:k])
        self.gram = self.gram_buffer[:k * k].reshape(k, k)
        np.dot(block, block.T, out=self.gram)

    def forward(self, x: NDArray) -> NDArray:
        t = self.pending
        if t:
            np.dot(self.gram[t, :t], self.scaled_deltas[:t], out=self.z_correction)
            np.subtract(self.block_z[t], self.z_correction, out=self.z)
        else:
            np.copyto(self.z, self.block_z[0])
        self.kernel(self.z, self.a, self.dz)
        return self.a

    def update(self, x: NDArray, learning_rate: float) -> None:
        """Q[t] = learning_rate·δ; x is already row t of P."""
        np.multiply(self.delta_flat, learning_rate, out=self.scaled_deltas[self.pending])
        self.pending += 1

    def end_block(self) -> None:
        self.flush()


def deferral_depth(rows: int, columns: int) -> int:
    """How many updates to batch: balances the flush (∝ rows·columns / depth) against the
    per-sample correction (∝ depth·(rows + columns)); 0 means update eagerly."""
    if rows * columns < DEFER_MIN_WEIGHTS:
        return 0
    return max(4, min(64, round(math.sqrt(1.5 * rows * columns / (rows + columns)))))


def _slot(layer: Layer, first: bool) -> _Slot:
    depth = deferral_depth(*layer.weight.shape)
    if not depth:
        return _Slot(layer)
    return _InputBlockSlot(layer, BLOCK_DEPTH) if first else _DeferredSlot(layer, depth)


_OPENBLAS_THREAD_FUNCTIONS = [
    (f"{prefix}get_num_threads{suffix}", f"{prefix}set_num_threads{suffix}")
    for prefix in ("scipy_openblas_", "openblas_") for suffix in ("64_", "")
]


@functools.cache
def _openblas_threads() -> tuple[Callable[[], int], Callable[[int], None]] | None:
    """get and set of the thread count of the OpenBLAS bundled with numpy; None for any other BLAS."""
    root = os.path.dirname(np.__file__)
    paths = [path for folder in (os.path.join(root, os.pardir, "numpy.libs"), os.path.join(root, ".dylibs"))
             for path in sorted(glob.glob(os.path.join(folder, "*openblas*")))]
    for path in paths:
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for get_name, set_name in _OPENBLAS_THREAD_FUNCTIONS:
            get, set_ = getattr(library, get_name, None), getattr(library, set_name, None)
            if get is not None and set_ is not None:
                get.restype, get.argtypes = ctypes.c_int, []
                set_.restype, set_.argtypes = None, [ctypes.c_int]
                return get, set_
    return None


_blas_lock = threading.Lock()
_blas_users = 0
_blas_threads_before = 0


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run numpy's OpenBLAS on one thread inside the block (no effect with another BLAS).

    A per-sample step gains next to nothing from BLAS threads, while on a machine whose cores
    are busy with other work each multi-threaded call can wait a whole scheduler time slice
    for its second thread: the fit loop of 784-128-10 then runs ten times slower.
    The setting is process-wide, so BLAS calls made meanwhile by other threads run on one too;
    nested and concurrent uses restore the count when the last of them ends.
    """
    global _blas_users, _blas_threads_before
    threads = _openblas_threads()
    if threads is None:
        yield
        return
    get, set_ = threads
    with _blas_lock:
        if _blas_users == 0:
            _blas_threads_before = get()
            set_(1)
        _blas_users += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_users -= 1
            if _blas_users == 0:
                set_(_blas_threads_before)


def _fits_buffers(layers: Sequence[Layer], n_inputs: int) -> bool:
    """True when every weight is a float64 C-contiguous matrix chained to the next one."""
    rows = n_inputs + 1
    for layer in layers:
        w = layer.weight
        if (not isinstance(w, np.ndarray) or w.dtype != np.float64 or w.ndim != 2
                or not w.flags.c_contiguous or not w.flags.writeable or w.shape[0] != rows):
            return False
        rows = w.shape[1]
    return True


class NeuralNetwork(ReferenceNetwork):
    """The reference network with a buffered, in-place `fit` (see the module docstring)."""

    def fit(self, X: ArrayLike, y: ArrayLike, learning_rate: float = 0.1, epochs: int = 10000) -> None:
        """Train on `epochs` random samples, as the reference does, with the same results."""
        X, y = self._training_data(X, y)
        check_fit_settings(learning_rate, epochs)
        epochs = int(epochs)
        if epochs == 0:
            return
        if not _fits_buffers(self.layers, self.n_inputs):
            super().fit(X, y, learning_rate, epochs)
            return
        inputs = np.empty((X.shape[0], X.shape[1] + 1))
        inputs[:, 0] = 1.0
        inputs[:, 1:] = X
        targets = np.ascontiguousarray(y.reshape(X.shape[0], -1))
        randint = self._rng.integers if self._rng is not None else np.random.randint
        slots = [_slot(layer, i == 0) for i, layer in enumerate(self.layers)]
        eager = all(type(slot) is _Slot for slot in slots)
        blas = contextlib.nullcontext() if eager else single_threaded_blas()
        with np.errstate(under="ignore"), blas:  # underflow is ignored as in the registry's activations
            try:
                for start in range(0, epochs, INDEX_BLOCK):
                    indices = randint(X.shape[0], size=min(INDEX_BLOCK, epochs - start))
                    _train(slots, inputs, targets, indices.tolist(), float(learning_rate))
            finally:
                for slot in slots:
                    slot.flush()
        for layer, slot in zip(self.layers, slots):
            layer.A, layer.dZ, layer.delta = slot.a.copy(), slot.dz.copy(), slot.delta.copy()


def _train(slots: list[_Slot], inputs: NDArray, targets: NDArray, indices: list[int],
           learning_rate: float) -> None:
    """The reference's per-sample step (forward, backward, update) for each index, in the buffers."""
    first, output = slots[0], slots[-1]
    hidden = slots[-2::-1]
    rights = slots[:0:-1]
    size = first.depth if isinstance(first, _InputBlockSlot) else len(indices)
    for start in range(0, len(indices), size):
        block = indices[start:start + size]
        first.begin_block(inputs, block)
        for i in block:
            x = inputs[i]
            a = x
            for slot in slots:
                a = slot.forward(a)
            output.output_delta(targets[i])
            for slot, right in zip(hidden, rights):
                slot.hidden_delta(right.backpropagate())
            a = x
            for slot in slots:
                slot.update(a, learning_rate)
                a = slot.a
        first.end_block()


make = NeuralNetwork
"""The battery's and `backprop bench`'s target: `backprop.fast:make`."""

__all__ = ["DEFER_MIN_WEIGHTS", "NeuralNetwork", "activation_kernel", "deferral_depth", "make"]
