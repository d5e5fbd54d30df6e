"""The network of "Back Propagation, the Easy Way (Part 2)", line for line.

What is added to the article's code, and nothing else:
- checks that turn its silent failures into a ValueError or TypeError naming the problem;
- a network with no hidden layer (`[2, 1]`), on which the article's constructor crashes;
- an optional keyword-only `rng` (a numpy Generator or an int seed) for reproducible runs;
  without it the global `np.random` is used, as in the article;
- `forward`, `backward` and `update` also take a batch (one sample a row), and a batch
  update is the sum of the per-sample updates, as the article's numpy code already implies.

A quirk worth knowing: each hidden layer has one unit more than asked for (its weight is
`(n_prev + 1, n + 1)`), and that extra unit goes through the activation like the others.
It is not a constant bias: only the input gets a constant leading 1.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .activations import get_activation
from .losses import HALF_SSE, Loss

RandomSource = np.random.Generator | int | None


def _generator(rng: RandomSource) -> np.random.Generator | None:
    """None keeps the article's global np.random; an int or a Generator makes runs reproducible."""
    if rng is None or isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(f"rng must be a numpy Generator, an int seed or None, not {type(rng).__name__}")


def _finite_array(name: str, value: ArrayLike) -> NDArray:
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of numbers, not {type(value).__name__}") from None
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} holds {np.size(array) - np.count_nonzero(np.isfinite(array))} "
                         "non-finite value(s) (NaN or inf)")
    return array


class Layer:
    """One fully connected layer: weights, and what forward and backward store for later."""

    def __init__(self, dim: tuple[int, int], id: int, act: Callable, act_prime: Callable,
                 isoutputLayer: bool = False, *, rng: RandomSource = None) -> None:
        if (not isinstance(dim, (tuple, list)) or len(dim) != 2
                or not all(_is_positive_int(d) for d in dim)):
            raise ValueError(f"dim must be two positive integers (rows, columns), not {dim!r}")
        if not callable(act) or not callable(act_prime):
            raise TypeError("act and act_prime must be callables (an activation and its derivative)")
        generator = _generator(rng)
        random = generator.random if generator is not None else np.random.random
        self.weight = 2 * random(tuple(int(d) for d in dim)) - 1
        self.delta: NDArray | None = None
        self.A: NDArray | None = None
        self.dZ: NDArray | None = None
        self.activation = act
        self.activation_prime = act_prime
        self.isoutputLayer = isoutputLayer
        self.id = id

    def forward(self, x: ArrayLike) -> NDArray:
        """A = f(xW), and dZ = f'(xW): the derivative at z, never at A."""
        z = np.dot(x, self.weight)
        self.A = self.activation(z)
        self.dZ = self.activation_prime(z)
        return self.A

    def backward(self, y: ArrayLike, rightLayer: Layer | None) -> NDArray:
        """The output layer's delta is (A − y)·f'(z); a hidden one's is (δ_right·W_rightᵀ)·f'(z)."""
        if self.A is None or self.dZ is None:
            raise RuntimeError(f"layer {self.id}: backward called before forward")
        if self.isoutputLayer:
            error = self.A - y
            self.delta = np.atleast_2d(error * self.dZ)
        else:
            if rightLayer is None or rightLayer.delta is None:
                raise RuntimeError(f"layer {self.id}: a hidden layer needs the layer to its right, "
                                   "after that layer's backward")
            self.delta = np.atleast_2d(
                rightLayer.delta.dot(rightLayer.weight.T)
                * self.dZ)
        return self.delta

    def update(self, learning_rate: float, left_a: ArrayLike) -> None:
        """W −= learning_rate · aᵀδ, where a is the input this layer saw in forward."""
        if self.delta is None:
            raise RuntimeError(f"layer {self.id}: update called before backward")
        a = np.atleast_2d(left_a)
        d = np.atleast_2d(self.delta)
        ad = a.T.dot(d)
        self.weight -= learning_rate * ad


def _is_positive_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and int(value) > 0


class NeuralNetwork:
    """Layers of the article's network, trained one random sample at a time."""

    loss: Loss = HALF_SSE
    """The loss whose gradient `backward` computes: ½‖A − y‖²."""

    def __init__(self, layersDim: Sequence[int], activation: str = 'tanh', *,
                 rng: RandomSource = None) -> None:
        layersDim = _layer_sizes(layersDim)
        chosen = get_activation(activation)
        self.activation = chosen.function
        self.activation_prime = chosen.derivative
        self._rng = _generator(rng)

        self.layers: list[Layer] = []
        for i in range(1, len(layersDim) - 1):
            dim = (layersDim[i - 1] + 1, layersDim[i] + 1)
            self.layers.append(Layer(dim, i, self.activation, self.activation_prime, rng=self._rng))

        i = len(layersDim) - 2
        dim = (layersDim[i] + 1, layersDim[i + 1])
        self.layers.append(Layer(dim, len(layersDim) - 1, self.activation, self.activation_prime, True,
                                 rng=self._rng))

    @property
    def n_inputs(self) -> int:
        return self.layers[0].weight.shape[0] - 1

    @property
    def n_outputs(self) -> int:
        return self.layers[-1].weight.shape[1]

    # train the network
    def fit(self, X: ArrayLike, y: ArrayLike, learning_rate: float = 0.1, epochs: int = 10000) -> None:
        X, y = self._training_data(X, y)
        check_fit_settings(learning_rate, epochs)
        randint = self._rng.integers if self._rng is not None else np.random.randint
        # Add column of ones to X
        # This is to add the bias unit to the input layer
        ones = np.atleast_2d(np.ones(X.shape[0]))
        X = np.concatenate((ones.T, X), axis=1)
        for k in range(epochs):  # noqa: B007 (the article's loop variable)
            i = randint(X.shape[0])
            a = X[i]
            # compute the feed forward
            for l in range(len(self.layers)):
                a = self.layers[l].forward(a)
            # compute the backward propagation
            delta = self.layers[-1].backward(y[i], None)
            for l in range(len(self.layers) - 2, -1, -1):
                delta = self.layers[l].backward(delta, self.layers[l+1])
            # update weights
            a = X[i]
            for layer in self.layers:
                layer.update(learning_rate, a)
                a = layer.A

    # predict input
    def predict(self, x: ArrayLike) -> NDArray:
        """A forward pass; x is one sample (1-D) or a batch of samples (one a row)."""
        x = _finite_array("x", x)
        if x.ndim not in (1, 2) or x.shape[-1] != self.n_inputs:
            raise ValueError(f"x must have {self.n_inputs} values per sample, got shape {x.shape}")
        ones = np.ones(x.shape[:-1] + (1,))
        a = np.concatenate((ones, x), axis=-1)
        for l in range(0, len(self.layers)):
            a = self.layers[l].forward(a)
        return a

    def _training_data(self, X: ArrayLike, y: ArrayLike) -> tuple[NDArray, NDArray]:
        X = _finite_array("X", X)
        y = _finite_array("y", y)
        if X.ndim != 2 or X.shape[1] != self.n_inputs:
            raise ValueError(f"X must be 2-D with {self.n_inputs} columns (one sample a row), "
                             f"got shape {X.shape}")
        if X.shape[0] == 0:
            raise ValueError("X holds no samples")
        if y.shape[:1] != X.shape[:1]:
            raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0] if y.ndim else 0}")
        width = 1 if y.ndim == 1 else (y.shape[1] if y.ndim == 2 else -1)
        if width != self.n_outputs:
            raise ValueError(f"y must have {self.n_outputs} value(s) per sample, got shape {y.shape}")
        return X, y


def _layer_sizes(layersDim: Sequence[int]) -> list[int]:
    if isinstance(layersDim, (str, bytes)) or not hasattr(layersDim, "__len__"):
        raise TypeError(f"layersDim must be a list of layer sizes such as [2, 2, 1], not {layersDim!r}")
    sizes = list(layersDim)
    if len(sizes) < 2:
        raise ValueError(f"layersDim needs at least two sizes (inputs and outputs), got {sizes!r}")
    bad = [s for s in sizes if not _is_positive_int(s)]
    if bad:
        raise ValueError(f"every layer size must be a positive integer; {bad[0]!r} in {sizes!r} is not")
    return [int(s) for s in sizes]


def check_fit_settings(learning_rate: float, epochs: int) -> None:
    """The ValueError that `fit` gives for a learning rate or an epoch count that makes no sense."""
    if (not isinstance(learning_rate, numbers.Real) or isinstance(learning_rate, bool)
            or not np.isfinite(learning_rate) or learning_rate <= 0):
        raise ValueError(f"learning_rate must be a positive finite number, not {learning_rate!r}")
    if not isinstance(epochs, numbers.Integral) or isinstance(epochs, bool) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer, not {epochs!r}")
