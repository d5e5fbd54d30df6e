"""How long `backprop grade` takes on a class of 40 submissions, with two workers against one.

The row, in group "grading", is 40 submissions graded with -j 2; before each of its rounds, the
same 40 are graded with -j 1 and timed with the same clock, so that the ratio in extra_info
compares rounds taken under the same load (the machine is shared).  The submissions are copies
of the six in examples/submissions (three correct, three buggy), each under its own name; each
is graded with a light battery (two checks, two cases), so that the time is mostly what grading
costs per submission: a worker process, loading the battery and the submission, the protocol
probe and a forked child per check.  Target on 2 cores: -j 2 at most 0.6 of -j 1.  The clock
is the wall clock (pytest-benchmark's default): CPU time would not show the parallelism.

Run: python -m pytest benchmarks/test_bench_grading.py --benchmark-only -s
"""

from __future__ import annotations

import contextlib
import io
import shutil
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from backprop.cli import main

pytest.importorskip("pytest_benchmark")

SUBMISSIONS = Path(__file__).resolve().parents[1] / "examples" / "submissions"
CLASS_SIZE = 40
BATTERY = ["--only", "output-delta", "predict-is-forward", "--max-examples", "2"]

ROUNDS = 2


@pytest.fixture(scope="module")
def a_class(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 submissions, each a copy of one of the examples under a student's name."""
    folder = tmp_path_factory.mktemp("class")
    examples = sorted(SUBMISSIONS.glob("*.py"))
    for i in range(CLASS_SIZE):
        shutil.copy(examples[i % len(examples)], folder / f"student_{i:02d}.py")
    return folder


def _grade(folder: Path, jobs: int) -> None:
    with contextlib.redirect_stdout(io.StringIO()) as table:
        code = main(["grade", str(folder), *BATTERY, "-j", str(jobs)])
    assert code == 0, table.getvalue()
    assert f"{CLASS_SIZE} submissions · {CLASS_SIZE} graded" in table.getvalue()


@pytest.mark.benchmark(group="grading")
def test_grading_a_class_with_two_workers(benchmark: Any, a_class: Path, clock: Callable[[], float]) -> None:
    one_worker: list[float] = []

    def one_worker_round() -> None:
        start = clock()
        _grade(a_class, 1)
        one_worker.append(clock() - start)

    benchmark.pedantic(_grade, args=(a_class, 2), setup=one_worker_round, rounds=ROUNDS, iterations=1)
    two = benchmark.stats.stats.median
    one = statistics.median(one_worker)
    benchmark.extra_info.update(submissions=CLASS_SIZE, one_worker_median_seconds=one,
                                ratio_to_one_worker=two / one)
    print(f"\n{CLASS_SIZE} submissions: -j 1 {one:.1f} s, -j 2 {two:.1f} s "
          f"({two / CLASS_SIZE:.2f} s a submission); ratio {two / one:.2f}")
