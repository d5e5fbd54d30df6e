"""Shared state of the training benchmarks: one thread for every implementation, and a closing
table of per-sample times with their speedup over the reference and their ratio to the memory
floor, both measured in alternation with the implementation in the same process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from backprop.fast import single_threaded_blas

_RECORDS: dict[tuple[str, str], dict[str, Any]] = {}
"""(group, implementation) -> what test_training_step measured, filled as the benchmarks run."""


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
