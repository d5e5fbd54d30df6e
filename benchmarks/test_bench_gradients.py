"""The full numerical gradient of a 784-64-10 tanh network (reference layout, float64, 51 685 weights).

Rows: the vectorised engine (`numerical_weight_gradients`: central differences at ±h; and
`weight_gradient_estimates`, which adds the ±2h samples, budgets and kink checks, or takes
the complex step), (a) a plain loop that perturbs one weight at a time and calls the
network's forward, and (b) torch.autograd.gradcheck's full numerical Jacobian of the same
function (when torch is installed; on one thread, the fastest for its tiny operations).
The baselines take seconds to minutes, so they run once (pedantic, rounds=1);
each baseline's test then takes its ratio to the vectorised engine's median from this same
process, and checks the engine is at least as accurate against the analytic gradient of the
network's own backward.

Run: python -m pytest benchmarks/test_bench_gradients.py --benchmark-only -s
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import numpy as np
import pytest

from backprop import NeuralNetwork
from backprop.numerical import numerical_weight_gradients, weight_gradient_estimates

LAYERS = [784, 64, 10]
SEED = 0
ENGINE = "vectorised engine"
TARGET_OVER_LOOP = 100.0
TARGET_OVER_TORCH = 500.0

_SECONDS: dict[str, float] = {}
_ERRORS: dict[str, float] = {}


@pytest.fixture(scope="module")
def problem() -> tuple[NeuralNetwork, np.ndarray, np.ndarray, list[np.ndarray]]:
    """The network, one MNIST-sized sample (leading 1 included), its target, the analytic gradient."""
    net = NeuralNetwork(LAYERS, "tanh", rng=SEED)
    rng = np.random.default_rng(SEED + 1)
    x = np.concatenate([[1.0], rng.uniform(0, 1, LAYERS[0])])
    y = np.eye(LAYERS[-1])[3]
    a, inputs = x, []
    for layer in net.layers:
        inputs.append(a)
        a = layer.forward(a)
    delta = net.layers[-1].backward(y, None)
    for i in range(len(net.layers) - 2, -1, -1):
        delta = net.layers[i].backward(delta, net.layers[i + 1])
    analytic = [np.outer(a, layer.delta) for a, layer in zip(inputs, net.layers)]
    return net, x, y, analytic


def plain_loop(net: NeuralNetwork, x: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    """Baseline (a): the textbook check, two forward passes per weight, step eps^(1/3)·max(1, |w|)."""
    out = []
    for layer in net.layers:
        flat = layer.weight.reshape(-1)
        gradient = np.empty(flat.size)
        for k in range(flat.size):
            original = flat[k]
            h = np.cbrt(np.finfo(float).eps) * max(1.0, abs(original))
            values = []
            for step in (h, -h):
                flat[k] = original + step
                a = x
                for each in net.layers:
                    a = each.forward(a)
                values.append(0.5 * np.sum((a - y) ** 2))
            flat[k] = original
            gradient[k] = (values[0] - values[1]) / (2 * h)
        out.append(gradient.reshape(layer.weight.shape))
    return out


def torch_jacobian(net: NeuralNetwork, x: np.ndarray, y: np.ndarray) -> Callable[[], list[np.ndarray]]:
    """Baseline (b): the numerical Jacobian torch.autograd.gradcheck computes (eps = 1e-6)."""
    torch = pytest.importorskip("torch")
    gradcheck = importlib.import_module("torch.autograd.gradcheck")
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    weights = tuple(torch.from_numpy(layer.weight.copy()).requires_grad_(True) for layer in net.layers)

    def loss(*ws: object) -> object:
        a = xt
        for w in ws:
            a = torch.tanh(a @ w)
        return 0.5 * torch.sum((a - yt) ** 2)

    def run() -> list[np.ndarray]:
        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # tiny ops: one thread is fastest, and no fight over shared cores
        try:
            with torch.no_grad():
                jacobians = gradcheck._get_numerical_jacobian(loss, weights, eps=1e-6)
        finally:
            torch.set_num_threads(threads)
        return [j[0].detach().numpy().reshape(w.shape) for j, w in zip(jacobians, weights)]

    return run


def record(name: str, benchmark: object, gradients: list[np.ndarray], analytic: list[np.ndarray]) -> None:
    error = max(float(np.max(np.abs(g - a))) for g, a in zip(gradients, analytic))
    scale = max(float(np.max(np.abs(a))) for a in analytic)
    stats = getattr(benchmark, "stats", None)
    if stats is not None:
        _SECONDS[name] = stats.stats.median
    _ERRORS[name] = error
    benchmark.extra_info.update(max_abs_error=error, max_abs_error_over_largest_gradient=error / scale)


def judge(baseline: str, target: float, benchmark: object) -> None:
    """The baseline's time over the vectorised engine's, from this run, and equal or better accuracy."""
    if ENGINE not in _SECONDS or baseline not in _SECONDS:
        pytest.skip("the ratio needs the vectorised engine timed in this run (--benchmark-only, no -k)")
    ratio = _SECONDS[baseline] / _SECONDS[ENGINE]
    benchmark.extra_info["times_the_vectorised_engine"] = ratio
    for name, seconds in _SECONDS.items():
        print(f"\n{name:>22}: {seconds:10.4f} s, {seconds / _SECONDS[ENGINE]:9.1f}x the vectorised engine, "
              f"max |error| {_ERRORS[name]:.2e}", end="")
    assert ratio >= target
    assert _ERRORS[ENGINE] <= _ERRORS[baseline] * 1.5


@pytest.mark.benchmark(group="numerical gradient 784-64-10")
def test_vectorised_gradients(benchmark, problem) -> None:
    """backprop.numerical_weight_gradients: central differences at ±h, like both baselines."""
    net, x, y, analytic = problem
    gradients = benchmark.pedantic(numerical_weight_gradients, args=(net, x, y), rounds=20, iterations=1,
                                   warmup_rounds=2)
    record(ENGINE, benchmark, gradients, analytic)


@pytest.mark.benchmark(group="numerical gradient 784-64-10")
@pytest.mark.parametrize("method", ["central", "complex"])
def test_vectorised_estimates(benchmark, problem, method: str) -> None:
    """weight_gradient_estimates: with ±2h samples too, budgets and kink checks (or the complex step)."""
    net, x, y, analytic = problem
    run = lambda: [e.value for e in weight_gradient_estimates(net, x, y, method=method)]
    gradients = benchmark.pedantic(run, rounds=20, iterations=1, warmup_rounds=2)
    record(f"estimates, {method}", benchmark, gradients, analytic)


@pytest.mark.benchmark(group="numerical gradient 784-64-10")
def test_plain_loop_over_forward(benchmark, problem) -> None:
    net, x, y, analytic = problem
    gradients = benchmark.pedantic(plain_loop, args=(net, x, y), rounds=1, iterations=1)
    record("loop over forward", benchmark, gradients, analytic)
    judge("loop over forward", TARGET_OVER_LOOP, benchmark)


@pytest.mark.benchmark(group="numerical gradient 784-64-10")
def test_torch_gradcheck_jacobian(benchmark, problem) -> None:
    net, x, y, analytic = problem
    gradients = benchmark.pedantic(torch_jacobian(net, x, y), rounds=1, iterations=1)
    record("torch gradcheck", benchmark, gradients, analytic)
    judge("torch gradcheck", TARGET_OVER_TORCH, benchmark)
