"""What mutmut needs from the suite: a mutant's tests run fastest first, and every test that
reaches a function is filed under it, including through a forked child or a cached verdict.
A pytest plugin (tests/conftest.py names it); outside a mutmut run each hook returns at once."""

import contextlib
import functools
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TypeVar

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under mutmut, run a mutant's tests fastest first: the first failure ends the run, so a
    killed mutant costs its quickest test rather than whichever came first."""
    if "__mutmut_" not in os.environ.get("MUTANT_UNDER_TEST", ""):
        return
    stats = Path("mutmut-stats.json")
    if not stats.exists():
        return
    duration = json.loads(stats.read_text()).get("duration_by_test", {})
    items.sort(key=lambda item: duration.get(item.nodeid, float("inf")))


# mutmut learns which tests reach a function by recording each call in its own process. What the
# sandbox runs in a forked child (a CLI check, a layer's check, a plug-in) is recorded in the child
# and lost with it, so those functions' mutants would read "no tests" and never run. During
# mutmut's stats run, each child writes what it reached to a file that the test's process reads
# back before mutmut files the test's calls. A grader's worker is a new interpreter, where mutmut's
# recording cannot run: the stats run keeps the mode out of its environment, so it runs unrecorded.
_CHILD_HITS: Path | None = None
"""Where the children of the stats run now under way write what they reached (None outside one)."""


def _collecting_stats() -> bool:
    from mutmut.mutation.trampoline import get_mutant_under_test

    return get_mutant_under_test() == "stats"


def _record_children_s_calls() -> None:
    """Wrap what the sandbox's child calls, once a process, so that it writes the calls it reached."""
    from mutmut.state import state

    from backprop import sandbox

    call_in_child = sandbox._call_and_encode
    if getattr(call_in_child, "records_calls", False):
        return

    def call_and_record(fn, args, kwargs):  # type: ignore[no-untyped-def]
        try:
            return call_in_child(fn, args, kwargs)
        finally:
            if _CHILD_HITS is not None and _collecting_stats():
                with contextlib.suppress(Exception):
                    (_CHILD_HITS / str(os.getpid())).write_text("\n".join(state()._stats))

    call_and_record.records_calls = True  # type: ignore[attr-defined]
    sandbox._call_and_encode = call_and_record


def pytest_configure(config: pytest.Config) -> None:
    global _CHILD_HITS
    if os.environ.get("MUTANT_UNDER_TEST") != "stats":
        return
    del os.environ["MUTANT_UNDER_TEST"]  # mutmut's own process keeps the mode (set_mutant_under_test)
    _record_children_s_calls()
    _CHILD_HITS = Path(tempfile.mkdtemp(prefix="mutmut-child-hits-"))


def pytest_unconfigure(config: pytest.Config) -> None:
    global _CHILD_HITS
    if _CHILD_HITS is not None:
        shutil.rmtree(_CHILD_HITS, ignore_errors=True)
        _CHILD_HITS = None


def _children_s_calls() -> set[str]:
    """What the children of the stats run reached since last asked (their files are consumed)."""
    reached: set[str] = set()
    if _CHILD_HITS is not None:
        for child in _CHILD_HITS.iterdir():
            reached.update(child.read_text().split())
            child.unlink()
    return reached


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    if _CHILD_HITS is None or not _collecting_stats():
        return
    from mutmut.state import state

    state()._stats.update(_children_s_calls())


Result = TypeVar("Result")


def cache_with_calls(compute: Callable[..., Result]) -> Callable[..., Result]:
    """`functools.cache` for a verdict several tests read. mutmut files a call under the test that
    made it, so a result computed once would tie the functions it reached to the first test that
    asked and to none of the others: their mutants would never run those tests. During the stats
    run the calls made computing a result are kept with it and filed again in each test that reads
    it; outside one this is a plain cache. It is kept per mutant under test: mutmut forks each
    mutant's worker from the process that ran the stats, and a verdict computed there, on the code
    unmutated, would be inherited and read back under every mutant, which could then never fail it."""
    results: dict[Hashable, tuple[Result, frozenset[str]]] = {}

    @functools.wraps(compute)
    def cached(*args: Hashable, **kwargs: Hashable) -> Result:
        key = (os.environ.get("MUTANT_UNDER_TEST", ""), args, tuple(sorted(kwargs.items())))
        recording = _CHILD_HITS is not None and _collecting_stats()
        if key not in results:
            if recording:
                from mutmut.state import state

                outer = set(state()._stats)
                state()._stats.clear()
                try:
                    value = compute(*args, **kwargs)
                finally:
                    reached = frozenset(state()._stats | _children_s_calls())
                    state()._stats.update(outer)
                results[key] = (value, reached)
            else:
                results[key] = (compute(*args, **kwargs), frozenset())
        value, reached = results[key]
        if recording and reached:
            from mutmut.state import state

            state()._stats.update(reached)
        return value

    return cached
