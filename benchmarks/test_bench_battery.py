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
