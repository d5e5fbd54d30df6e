"""How long the default battery takes on the bundled reference network (`backprop check`).

Rows, in group "battery": as the baseline, the battery with one case per check, which is its
fixed cost (a forked child per check, hypothesis setup, the protocol probe); then the default
battery (every check, the default number of cases, each check in its own sandboxed child).
The default row's extra_info holds its ratio to the baseline, measured in this same process.

Run: python -m pytest benchmarks/test_bench_battery.py --benchmark-only -s
"""

from __future__ import annotations

from typing import Any

import pytest

import backprop
from backprop.battery.runner import DEFAULT_MAX_EXAMPLES

pytest.importorskip("pytest_benchmark")

_MEDIANS: dict[int, float] = {}


def _run(max_examples: int) -> Any:
    result = backprop.check("backprop:NeuralNetwork", max_examples=max_examples)
    assert result.passed, result.failed_ids
    return result


@pytest.mark.benchmark(group="battery")
@pytest.mark.parametrize("cases", [1, DEFAULT_MAX_EXAMPLES], ids=["one-case-baseline", "default"])
def test_battery_on_the_reference(benchmark: Any, cases: int) -> None:
    benchmark.pedantic(_run, args=(cases,), rounds=3, iterations=1)
    _MEDIANS[cases] = benchmark.stats.stats.median
    if cases == DEFAULT_MAX_EXAMPLES and 1 in _MEDIANS:
        ratio = _MEDIANS[cases] / _MEDIANS[1]
        benchmark.extra_info["ratio_to_one_case_per_check"] = ratio
        print(f"\ndefault battery ({cases} cases per check): median {_MEDIANS[cases]:.2f} s; "
              f"one case per check: {_MEDIANS[1]:.2f} s; ratio {ratio:.2f}")
