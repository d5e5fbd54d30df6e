"""The per-sample training step (forward, backward, update on one sample) in float64, by size.

Implementations: the reference network, backprop.fast, and, when torch is installed, PyTorch
eager with autograd (loss.backward() and torch.optim.SGD, what a PyTorch user would write)
and PyTorch with a hand-written backward (the article's equations, a fused rank-one update
through `addr_`). Every implementation runs on one thread (see conftest.py). One step takes
microseconds, so a round trains a block of samples and the figure kept
(extra_info["per_sample_seconds"]) is the median round divided by the block. Before each
round, a round of the reference and a copy of an array the size of the weights are timed,
so the speedup and the ratio to the memory floor (three passes over the weights at the copy
bandwidth) compare times taken under the same load. Each implementation first proves it
trains to the reference's weights, so that no figure comes from a wrong step.

Run: python -m pytest benchmarks --benchmark-only --benchmark-group-by=group
(add --benchmark-timer time.process_time on a busy machine: CPU time leaves out the time other
processes held the core; the reference rounds and copies are timed with the same clock).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from backprop import NeuralNetwork
from backprop.bench import copy_seconds, memory_floor, seconds_per_sample, training_data, weight_count
from backprop.fast import NeuralNetwork as FastNetwork

pytestmark = pytest.mark.usefixtures("one_thread")

LEARNING_RATE = 0.001
SEED = 0
ROUNDS = 15
CHECK_STEPS = 40
ARCHITECTURES = {  # layer sizes, samples per round
    "2-2-1": ([2, 2, 1], 2000),
    "64-32-10": ([64, 32, 10], 1000),
    "784-128-10": ([784, 128, 10], 200),
}
IMPLEMENTATIONS = ["reference", "fast", "torch-autograd", "torch-manual"]

Trainer = Callable[[int], None]


def _inputs_with_ones(X: np.ndarray) -> np.ndarray:
    return np.concatenate([np.ones((len(X), 1)), X], axis=1)


def _layered(cls: type[NeuralNetwork], layers: list[int], X: np.ndarray,
             y: np.ndarray) -> tuple[Trainer, Any]:
    net = cls(layers, "tanh", rng=SEED)
    return (lambda n: net.fit(X, y, LEARNING_RATE, n)), net


class TorchAutograd:
    """The network as a PyTorch user writes it: forward, loss.backward(), torch.optim.SGD."""

    def __init__(self, weights: list[np.ndarray]) -> None:
        import torch

        self.torch = torch
        self.weights = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in weights]
        self.optimizer = torch.optim.SGD(self.weights, lr=LEARNING_RATE)

    def train(self, inputs: Any, targets: Any, indices: list[int]) -> None:
        tanh = self.torch.tanh
        for i in indices:
            a = inputs[i]
            for w in self.weights:
                a = tanh(a @ w)
            loss = 0.5 * ((a - targets[i]) ** 2).sum()
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()

    def numpy_weights(self) -> list[np.ndarray]:
        return [w.detach().numpy() for w in self.weights]


class TorchManual(TorchAutograd):
    """The article's backward written with torch tensors, no autograd; addr_ is BLAS's ger."""

    def __init__(self, weights: list[np.ndarray]) -> None:
        super().__init__(weights)
        self.weights = [w.detach() for w in self.weights]

    def train(self, inputs: Any, targets: Any, indices: list[int]) -> None:
        tanh = self.torch.tanh
        weights = self.weights
        for i in indices:
            activations, derivatives = [inputs[i]], []
            for w in weights:
                a = tanh(activations[-1] @ w)
                activations.append(a)
                derivatives.append(1 - a * a)
            delta = (activations[-1] - targets[i]) * derivatives[-1]
            deltas = [delta]
            for layer in range(len(weights) - 1, 0, -1):
                delta = (weights[layer] @ delta) * derivatives[layer - 1]
                deltas.insert(0, delta)
            for w, a, d in zip(weights, activations, deltas):
                w.addr_(a, d, alpha=-LEARNING_RATE)


def _torch(cls: type[TorchAutograd], layers: list[int], X: np.ndarray, y: np.ndarray) -> tuple[Trainer, Any]:
    torch = pytest.importorskip("torch")
    model = cls([layer.weight for layer in NeuralNetwork(layers, "tanh", rng=SEED).layers])
    inputs, targets = torch.from_numpy(_inputs_with_ones(X)), torch.from_numpy(y)
    rng = np.random.default_rng(SEED)

    def train(n: int) -> None:
        model.train(inputs, targets, rng.integers(len(X), size=n).tolist())

    return train, model


def _assert_trains_like_the_reference(implementation: str, layers: list[int], X: np.ndarray,
                                      y: np.ndarray) -> None:
    """CHECK_STEPS steps from the reference's initial weights on its samples give its weights."""
    reference = NeuralNetwork(layers, "tanh", rng=SEED)
    initial = [layer.weight.copy() for layer in reference.layers]
    indices = copy.deepcopy(reference._rng).integers(len(X), size=CHECK_STEPS).tolist()
    reference.fit(X, y, LEARNING_RATE, CHECK_STEPS)
    expected = [layer.weight for layer in reference.layers]
    if implementation == "fast":
        candidate = FastNetwork(layers, "tanh", rng=SEED)
        candidate.fit(X, y, LEARNING_RATE, CHECK_STEPS)
        trained = [layer.weight for layer in candidate.layers]
    else:
        torch = pytest.importorskip("torch")
        model = (TorchAutograd if implementation == "torch-autograd" else TorchManual)(initial)
        model.train(torch.from_numpy(_inputs_with_ones(X)), torch.from_numpy(y), indices)
        trained = model.numpy_weights()
    for got, want in zip(trained, expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-10, err_msg=implementation)


BUILDERS: dict[str, Callable[[list[int], np.ndarray, np.ndarray], tuple[Trainer, Any]]] = {
    "reference": lambda layers, X, y: _layered(NeuralNetwork, layers, X, y),
    "fast": lambda layers, X, y: _layered(FastNetwork, layers, X, y),
    "torch-autograd": lambda layers, X, y: _torch(TorchAutograd, layers, X, y),
    "torch-manual": lambda layers, X, y: _torch(TorchManual, layers, X, y),
}


@pytest.mark.parametrize(
    ("architecture", "implementation"),
    [(arch, impl) for arch in ARCHITECTURES for impl in IMPLEMENTATIONS],
)
def test_training_step(benchmark: Any, per_sample_records: dict, clock: Callable[[], float],
                       architecture: str, implementation: str) -> None:
    """Rounds of the implementation, each after a round of the reference and a copy of the weights'
    size, so that the speedup and the floor ratio compare times taken under the same load."""
    layers, block = ARCHITECTURES[architecture]
    X, y = training_data(layers, seed=SEED)
    if implementation != "reference":
        _assert_trains_like_the_reference(implementation, layers, X, y)
    train, _ = BUILDERS[implementation](layers, X, y)
    reference, _ = BUILDERS["reference"](layers, X, y)
    reference_rounds: list[float] = []
    copy_rounds: list[float] = []

    def before_each_round() -> tuple[tuple[int], dict]:
        reference_rounds.append(seconds_per_sample(reference, block, clock))
        copy_rounds.append(copy_seconds(weight_count(layers), repeats=5, clock=clock))
        return (block,), {}

    benchmark.group = f"per-sample step {architecture}"
    benchmark.pedantic(train, setup=before_each_round, rounds=ROUNDS, iterations=1, warmup_rounds=1)
    if benchmark.stats is None:  # --benchmark-disable: the step ran once, untimed
        return
    per_sample = benchmark.stats.stats.median / block
    reference_median = float(np.median(reference_rounds[1:]))  # the first came before the warm-up
    floor = memory_floor(layers, float(np.median(copy_rounds[1:])))
    record = {"samples_per_round": block, "per_sample_seconds": per_sample,
              "reference_per_sample_seconds": reference_median,
              "speedup_over_reference": reference_median / per_sample,
              "floor_per_sample_seconds": floor.seconds_per_sample,
              "over_floor": per_sample / floor.seconds_per_sample}
    benchmark.extra_info.update(record)
    per_sample_records[(benchmark.group, implementation)] = record


def test_memory_floor_784_128_10(benchmark: Any) -> None:
    """np.copyto on an array of the weights' size; three passes of that size make the floor."""
    n = weight_count([784, 128, 10])
    source, target = np.random.default_rng(0).random(n), np.empty(n)
    benchmark.group = "per-sample step 784-128-10"
    benchmark.pedantic(np.copyto, args=(target, source), rounds=ROUNDS, iterations=50, warmup_rounds=1)
    if benchmark.stats is None:
        return
    floor = memory_floor([784, 128, 10], benchmark.stats.stats.median)
    benchmark.extra_info.update(floor.to_json())
