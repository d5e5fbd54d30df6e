"""The suite gives the same verdict on every run: hypothesis is derandomized, with no deadline
and no example database, whatever the environment, and what it draws does not depend on the
numbers written in the project's sources."""

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ci")


def _freeze_source_constants() -> None:
    """Hypothesis mixes the literals it finds in local modules into what it draws, so editing a
    number in backprop/ (or a mutant doing so) would change every test's examples. The suite
    draws from hypothesis' own constants only. This reaches into hypothesis' internals; when
    they move, the suite just runs with the feature on."""
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover - an older or newer hypothesis
        return
    if not hasattr(providers, "_get_local_constants") or not hasattr(providers, "Constants"):
        return  # pragma: no cover
    no_constants = providers.Constants()
    providers._get_local_constants = lambda: no_constants


_freeze_source_constants()


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


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    if _CHILD_HITS is None or not _collecting_stats():
        return
    from mutmut.state import state

    for child in _CHILD_HITS.iterdir():
        state()._stats.update(child.read_text().split())
        child.unlink()
