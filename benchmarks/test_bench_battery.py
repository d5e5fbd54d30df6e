"""How long the battery takes (`backprop check`), and what the boundary between judge and subject costs.

Group "battery": as the baseline, the battery with one case per check on the bundled reference, its
fixed cost (starting the subject process, a worker per check, hypothesis setup, the probes); then
the default battery on the reference, and the default battery on a fixed real-size network
(784-128-10, declared with --layers).  Each row's extra_info holds its ratio to the baseline,
measured in this same process.

Group "subject": one request to a worker of the subject process (a round trip over its socket),
against the same request answered in this process (LocalWorker), as the baseline.

Run: python -m pytest benchmarks/test_bench_battery.py --benchmark-only -s
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import backprop
from backprop.battery.protocols import LocalWorker
from backprop.battery.runner import DEFAULT_MAX_EXAMPLES
from backprop.network import NeuralNetwork
from backprop.subject import Subject

pytest.importorskip("pytest_benchmark")

_MEDIANS: dict[str, float] = {}

ROWS = {
    "one-case-baseline": {"max_examples": 1},
    "default": {},
    "784-128-10": {"layers": ["784,128,10"]},
}


def _run(options: dict[str, Any]) -> Any:
    result = backprop.check("backprop:NeuralNetwork", **options)
    assert result.passed, result.failed_ids
    return result


def _ratio(benchmark: Any, name: str, baseline: str) -> None:
    _MEDIANS[name] = benchmark.stats.stats.median
    if name != baseline and baseline in _MEDIANS:
        ratio = _MEDIANS[name] / _MEDIANS[baseline]
        benchmark.extra_info[f"ratio_to_{baseline}"] = ratio
        print(f"\n{name}: median {_MEDIANS[name]:.4g} s; {baseline}: {_MEDIANS[baseline]:.4g} s; "
              f"ratio {ratio:.2f}")


@pytest.mark.benchmark(group="battery")
@pytest.mark.parametrize("row", list(ROWS))
def test_battery_on_the_reference(benchmark: Any, row: str) -> None:
    benchmark.pedantic(_run, args=(ROWS[row],), rounds=3, iterations=1)
    _ratio(benchmark, row, "one-case-baseline")


@pytest.fixture(scope="module")
def workers() -> Any:
    subject = Subject.start("backprop:NeuralNetwork")
    remote = subject.worker(600)
    local = LocalWorker(NeuralNetwork)
    for worker in (remote, local):
        worker.request("build", [2, 3, 1], "tanh")
    yield {"in-process-baseline": local, "subject-process": remote}
    remote.close()
    subject.close()


@pytest.mark.benchmark(group="subject")
@pytest.mark.parametrize("row", ["in-process-baseline", "subject-process"])
def test_one_request(benchmark: Any, workers: Any, row: str) -> None:
    worker = workers[row]
    x1 = np.array([1.0, 0.3, -0.2])
    benchmark.pedantic(worker.request, args=("forward", x1), rounds=200, iterations=10, warmup_rounds=20)
    _ratio(benchmark, row, "in-process-baseline")
    if row == "subject-process" and "in-process-baseline" in _MEDIANS:
        overhead = _MEDIANS[row] - _MEDIANS["in-process-baseline"]
        benchmark.extra_info["overhead_seconds_per_request"] = overhead
        print(f"overhead of the boundary: {overhead * 1e6:.0f} µs per request")


assert DEFAULT_MAX_EXAMPLES == 25  # the rows above are the documented defaults


_STYLES: dict[str, float] = {}
STYLES = {
    "reference-baseline": "backprop:NeuralNetwork",
    "no-activation-attribute": "tests/layer_styles/renamed_activation.py:make",
}
"""The default battery on a network whose layers expose no `activation` (so the deltas are estimated
through the weights and the weight gradient by perturbing weights one at a time), against the
reference, whose layers let the numerical engine perturb every weight of a layer at once."""


@pytest.mark.benchmark(group="layer-styles")
@pytest.mark.parametrize("style", list(STYLES))
def test_battery_without_the_activation_attribute(benchmark: Any, style: str) -> None:
    def run() -> None:
        result = backprop.check(STYLES[style])
        assert result.passed, result.failed_ids

    benchmark.pedantic(run, rounds=3, iterations=1)
    _STYLES[style] = benchmark.stats.stats.median
    if style != "reference-baseline" and "reference-baseline" in _STYLES:
        ratio = _STYLES[style] / _STYLES["reference-baseline"]
        benchmark.extra_info["ratio_to_reference"] = ratio
        print(f"\n{style}: median {_STYLES[style]:.2f} s; reference {_STYLES['reference-baseline']:.2f} s; "
              f"ratio {ratio:.2f}")
