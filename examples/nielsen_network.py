"""A network in the style of Nielsen's "Neural Networks and Deep Learning" (and Andrew Ng's course).

Samples are column vectors, each layer has a weight matrix W of shape (n_out, n_in) and a
separate bias vector b of shape (n_out, 1), and `backprop(x, y)` returns the gradients of the
quadratic cost ½‖a − y‖² as `(nabla_b, nabla_w)`.  This is user code: it knows nothing of the
battery.  `nielsen_adapter.py` exposes it to `backprop check`.

Run it:  python examples/nielsen_network.py   (trains XOR and prints the predictions)
"""

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
        delta = self.cost_derivative(activations[-1], y) * self.activation_prime(zs[-1])
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


def main() -> None:
    rng = np.random.default_rng(0)
    inputs = [np.array([[a], [b]], dtype=float) for a in (0, 1) for b in (0, 1)]
    data = [(x, np.array([[float(x[0, 0] != x[1, 0])]])) for x in inputs]
    net = Network([2, 3, 1], seed=0)
    for _ in range(20000):
        x, y = data[rng.integers(len(data))]
        net.update_mini_batch([(x, y)], 2.0)
    for x, y in data:
        print(x.ravel(), y.ravel(), net.feedforward(x).ravel().round(3))


if __name__ == "__main__":
    main()
