"""Buggy: the Nielsen-style network whose output delta leaves out the factor f'(z)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

ArrayFunction = Callable[[NDArray], NDArray]


def sigmoid(z: NDArray) -> NDArray:
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z: NDArray) -> NDArray:
    return sigmoid(z) * (1 - sigmoid(z))


class Network:
    """Fully connected layers with separate biases; one sample is an (n, 1) column."""

    def __init__(self, sizes: Sequence[int], activation: ArrayFunction = sigmoid,
                 activation_prime: ArrayFunction = sigmoid_prime, seed: int | None = None) -> None:
        rng = np.random.default_rng(seed)
        self.sizes = list(sizes)
        self.activation = activation
        self.activation_prime = activation_prime
        self.biases = [rng.standard_normal((n, 1)) for n in self.sizes[1:]]
        pairs = zip(self.sizes[:-1], self.sizes[1:])
        self.weights = [rng.standard_normal((n, m)) / np.sqrt(m) for m, n in pairs]

    def feedforward(self, a: NDArray) -> NDArray:
        for b, w in zip(self.biases, self.weights):
            a = self.activation(np.dot(w, a) + b)
        return a

    def backprop(self, x: NDArray, y: NDArray) -> tuple[list[NDArray], list[NDArray]]:
        """The gradient of the cost for one sample, layer by layer, as (nabla_b, nabla_w)."""
        activation = x
        activations = [x]
        zs = []
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation) + b
            zs.append(z)
            activation = self.activation(z)
            activations.append(activation)
        delta = self.cost_derivative(activations[-1], y)  # the planted bug: f'(z) is missing
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for layer in range(2, len(self.sizes)):
            delta = np.dot(self.weights[-layer + 1].transpose(), delta) * self.activation_prime(zs[-layer])
            nabla_b[-layer] = delta
            nabla_w[-layer] = np.dot(delta, activations[-layer - 1].transpose())
        return nabla_b, nabla_w

    def cost_derivative(self, output_activations: NDArray, y: NDArray) -> NDArray:
        """∂C/∂a for the quadratic cost C = ½‖a − y‖²."""
        return output_activations - y

    def update_mini_batch(self, mini_batch: Sequence[tuple[NDArray, NDArray]], eta: float) -> None:
        """One gradient-descent step on the mean gradient of the mini batch."""
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        self.weights = [w - (eta / len(mini_batch)) * nw for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b - (eta / len(mini_batch)) * nb for b, nb in zip(self.biases, nabla_b)]


def column(values: NDArray) -> NDArray:
    return np.asarray(values, dtype=float).reshape(-1, 1)


class NielsenAdapter:
    """The model-level protocol on top of a Network: parameters are [W1, b1, W2, b2, ...]."""

    def __init__(self, network: Network) -> None:
        self.network = network

    def parameters(self) -> list[NDArray]:
        """The network's own arrays, not copies, so that writing into them changes the network.

        Each (n, 1) bias column is handed out as a 1-D view `b[:, 0]` of the same memory: the
        battery recognises 1-D parameters as biases, whose gradient is the layer's ∂L/∂z.
        """
        layers = zip(self.network.weights, self.network.biases, strict=True)
        return [p for w, b in layers for p in (w, b[:, 0])]

    def loss(self, x: NDArray, y: NDArray) -> float:
        return float(0.5 * np.sum((self.network.feedforward(column(x)) - column(y)) ** 2))

    def gradients(self, x: NDArray, y: NDArray) -> list[NDArray]:
        nabla_b, nabla_w = self.network.backprop(column(x), column(y))
        return [g for nw, nb in zip(nabla_w, nabla_b, strict=True) for g in (nw, nb[:, 0])]

    def deltas(self, x: NDArray, y: NDArray) -> list[NDArray]:
        """∂L/∂z of each layer: in this formulation it is exactly the bias gradient."""
        nabla_b, _ = self.network.backprop(column(x), column(y))
        return [nb.ravel() for nb in nabla_b]

    def step(self, x: NDArray, y: NDArray, learning_rate: float) -> None:
        self.network.update_mini_batch([(column(x), column(y))], learning_rate)

    def predict(self, x: NDArray) -> NDArray:
        return self.network.feedforward(column(x)).ravel()

ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float)),
}


def make(layers: Sequence[int], activation: str) -> NielsenAdapter:
    function, derivative = ACTIVATIONS[activation]
    return NielsenAdapter(Network(layers, function, derivative, seed=0))
