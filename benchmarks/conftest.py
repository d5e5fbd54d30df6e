"""Shared state of the training benchmarks: one thread for every implementation, and a closing
table of per-sample times with their speedup over the reference and their ratio to the memory
floor, both measured in alternation with the implementation in the same process.

Without pytest-benchmark (an extra: `pip install -e '.[bench]'`), or with it disabled (`-p no:benchmark`),
every benchmark is skipped with that reason, instead of erroring on its missing `benchmark` fixture."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from backprop.fast import single_threaded_blas

WITHOUT_PYTEST_BENCHMARK = ("needs pytest-benchmark, which is not installed (pip install -e '.[bench]') "
                            "or is disabled (-p no:benchmark)")


def _benchmarking(config: pytest.Config) -> bool:
    return config.pluginmanager.hasplugin("benchmark")


_RECORDS: dict[tuple[str, str], dict[str, Any]] = {}
"""(group, implementation) -> what test_training_step measured, filled as the benchmarks run."""


def pytest_configure(config: pytest.Config) -> None:
    if not _benchmarking(config):  # its marker, so that it is no unknown one
        config.addinivalue_line("markers", "benchmark(group): pytest-benchmark's options of a benchmark")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the benchmarks here, with the reason, when pytest-benchmark is not installed."""
    if _benchmarking(config):
        return
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.skip(reason=WITHOUT_PYTEST_BENCHMARK))


@pytest.fixture(scope="module")
def one_thread() -> Iterator[None]:
    """A per-sample step is too small to gain from threads, and on a machine whose cores are busy
    a multi-threaded BLAS or torch call can wait a whole time slice: every implementation runs
    on one thread, numpy's OpenBLAS and torch alike."""
    try:
        import torch
    except ImportError:
        torch = None
    threads = torch.get_num_threads() if torch is not None else 0
    if torch is not None:
        torch.set_num_threads(1)
    with single_threaded_blas():
        yield
    if torch is not None:
        torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def clock(request: pytest.FixtureRequest) -> Callable[[], float]:
    """The clock pytest-benchmark times with (--benchmark-timer), for the rounds timed beside it."""
    from pytest_benchmark.utils import load_timer

    timer: Callable[[], float] = load_timer(request.config.getoption("benchmark_timer")).target
    return timer


@pytest.fixture(scope="session")
def per_sample_records() -> Iterator[dict[tuple[str, str], dict[str, Any]]]:
    yield _RECORDS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _RECORDS:
        return
    write = terminalreporter.write_line
    terminalreporter.section("per-sample training step (medians of rounds alternated with the reference)")
    for group in dict.fromkeys(group for group, _ in _RECORDS):
        write(group)
        for (row_group, name), record in _RECORDS.items():
            if row_group == group:
                write(f"  {name:<16} {record['per_sample_seconds'] * 1e6:10.2f} µs  "
                      f"{record['speedup_over_reference']:6.2f}x the reference's speed  "
                      f"{record['over_floor']:7.2f}x the memory floor "
                      f"({record['floor_per_sample_seconds'] * 1e6:.1f} µs)")
