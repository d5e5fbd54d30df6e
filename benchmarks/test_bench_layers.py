"""How long `backprop check-layer` takes on a correct conv layer and a correct dense layer.

Rows, in group "check-layer": for each layer, as the baseline, its checks with one case each (the
fixed cost: the probe child, a forked child per check, hypothesis's setup), then the default check
(every gradient, the default number of cases).  The default row's extra_info holds its ratio to the
baseline, measured in this same process.  The layers are the corrected ones of examples/.

Run: python -m pytest benchmarks/test_bench_layers.py --benchmark-only -s -p no:cacheprovider
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import backprop
from backprop.layers import DEFAULT_MAX_EXAMPLES

pytest.importorskip("pytest_benchmark")

LAYERS = Path(__file__).resolve().parent.parent / "examples" / "student_layers_fixed.py"
TARGETS = {"conv": f"{LAYERS}:conv_backward_naive", "dense": f"{LAYERS}:Layer_Dense"}
_MEDIANS: dict[tuple[str, int], float] = {}


def _run(target: str, cases: int) -> Any:
    result = backprop.check_layer(target, max_examples=cases)
    assert result.passed, result.failed_ids
    return result


@pytest.mark.benchmark(group="check-layer")
@pytest.mark.parametrize("layer", list(TARGETS))
@pytest.mark.parametrize("cases", [1, DEFAULT_MAX_EXAMPLES], ids=["one-case-baseline", "default"])
def test_check_layer(benchmark: Any, layer: str, cases: int) -> None:
    benchmark.pedantic(_run, args=(TARGETS[layer], cases), rounds=3, iterations=1)
    _MEDIANS[layer, cases] = benchmark.stats.stats.median
    if cases == DEFAULT_MAX_EXAMPLES and (layer, 1) in _MEDIANS:
        ratio = _MEDIANS[layer, cases] / _MEDIANS[layer, 1]
        benchmark.extra_info["ratio_to_one_case_per_check"] = ratio
        print(f"\ncheck-layer on {layer} ({cases} cases per check): median {_MEDIANS[layer, cases]:.2f} s; "
              f"one case per check: {_MEDIANS[layer, 1]:.2f} s; ratio {ratio:.2f}")
