"""Behaviours of the grading code (`backprop grade`: discovery, isolation, the pool's environment, the
worker, the progress line, the JUnit file and the number of jobs) that its other tests leave unchecked
or check only through a whole grading run: each test names the behaviour it protects and asserts its
exact value, on small inputs, in-process (a worker's own code runs in a forked child)."""

from __future__ import annotations

import io
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from backprop import sandbox
from backprop.cli import build_parser
from backprop.grading import command, formats, isolation, pool, progress, worker
from backprop.grading.assignment import Assignment
from backprop.grading.discovery import DiscoveryError, Submission, discover
from backprop.grading.isolation import Plan
from backprop.grading.pool import Graded
from backprop.grading.progress import Progress
from backprop.grading.scoring import Grade, grade
from backprop.subject import users


def battery_json(*checks: dict[str, Any]) -> dict[str, Any]:
    """A battery result as a worker writes it, with the given checks."""
    return {"target": "t", "protocol": "layer-level", "loss": "half_sse", "seed": 0, "max_examples": 2,
            "passed": False, "counts": {}, "results": [{"summary": "", "where": "", **c} for c in checks]}


def graded_grade(name: str, *checks: dict[str, Any], seconds: float = 1.0) -> Grade:
    return grade(Graded(Submission(name, f"{name}:make"), battery_json(*checks), None, seconds), Assignment())


def ungraded_grade(name: str, error: str, seconds: float = 2.0) -> Grade:
    return grade(Graded(Submission(name, f"{name}:make"), None, error, seconds), Assignment())


# ---------------------------------------------------------------------------------------- discovery

def test_a_globs_matches_starting_with_a_dot_are_helpers_not_submissions(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A glob that matches only hidden files names no submission, as a folder's hidden files are none."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / ".draft.py").write_text("def make(layers, activation): pass\n")
    with pytest.raises(DiscoveryError) as raised:
        discover(["class/.*"])
    assert str(raised.value) == "no file or folder matches class/.*"


# ---------------------------------------------------------------------------------------- isolation

def test_a_named_user_as_root_runs_every_submission_as_that_user_from_a_private_copy(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """As root, `--user 61000 -j 1` plans one job as user 61000 (not the grader's own user), with the
    interpreter that user can run, and says so."""
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    identity = users.Identity(61000, "/opt/py/bin/python")
    monkeypatch.setattr(users, "identity_for", lambda user, python: identity)
    monkeypatch.setattr(users, "reserve", lambda uid: True)
    assert isolation.plan("61000", None, jobs=1) == Plan(
        (61000,), "/opt/py/bin/python", "each submission as user 61000, from a private copy")


# --------------------------------------------------------------------------------------------- pool

def test_a_workers_path_has_this_backprop_first_then_the_graders_own(monkeypatch: pytest.MonkeyPatch) -> None:
    root = str(Path(pool.__file__).resolve().parents[2])
    monkeypatch.setenv("PYTHONPATH", "/graders/own/path")
    env = pool._environment("/scratch/1")
    assert (env["PYTHONPATH"], env["TMPDIR"]) == (f"{root}{os.pathsep}/graders/own/path", "/scratch/1")
    monkeypatch.delenv("PYTHONPATH")
    assert pool._environment("/scratch/1")["PYTHONPATH"] == root


# ------------------------------------------------------------------------------------------- worker

def test_the_worker_passes_its_options_to_check_as_the_command_line_names_them() -> None:
    """The request's options reach check(), whose refusal is a usage answer worded for the command
    line (--max-examples, not max_examples), before the target is loaded."""
    request = {"target": "/no/such/submission.py:make", "options": {"max_examples": 0}}
    assert worker.grade(request) == {"usage": "--max-examples must be a positive integer, not 0"}


def test_the_worker_writes_only_its_answer_on_the_stdout_it_was_started_with(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """What the graded code prints on fd 1 or 2 goes to /dev/null; the result fd gets one JSON object."""
    def noisy_grade(request: dict[str, Any]) -> dict[str, Any]:
        os.write(1, b"printed on fd 1\n")
        os.write(2, b"printed on fd 2\n")
        print("printed by print")
        return {"error": "graded " + request["target"]}

    def run_worker() -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"target": "a.py:make"})))
        return worker.main()

    monkeypatch.setattr(worker, "grade", noisy_grade)
    outcome = sandbox.run_isolated(run_worker, timeout=30)
    assert (outcome.status, outcome.value, outcome.message) == ("returned", 0, "")
    assert outcome.output == '{"error": "graded a.py:make"}'


# ----------------------------------------------------------------------------------------- progress

class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_line_counts_a_passing_submission_as_not_failing_and_estimates_the_time_left(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """After 1 of 4 in 2 s: about 2 s × 3 left; a passing result is not a failing one."""
    clock = iter([100.0, 102.0])
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    stream = FakeTerminal()
    shown = Progress(4, stream)
    shown(Graded(Submission("a.py"), {"passed": True, "results": []}, None, 2.0))
    assert stream.getvalue() == "\r1/4 graded · 0 failing · 0 could not be graded · about 6 s left\033[K"


# -------------------------------------------------------------------------------------------- junit

def test_the_junit_totals_add_up_every_submission_and_an_ungraded_one_is_one_error() -> None:
    grades = [
        graded_grade("a.py", {"id": "output-delta", "status": "failed", "summary": "wrong"},
                     {"id": "hidden-delta", "status": "passed"}, seconds=1.0),
        ungraded_grade("b.py", "it did not finish within the limit of 2 s", seconds=2.0),
        graded_grade("c.py", {"id": "descent", "status": "errored", "summary": "it raised"},
                     {"id": "activation-derivative", "status": "skipped", "summary": "none"}, seconds=0.5),
    ]
    root = ET.fromstring(formats.to_junit(grades))
    totals = {key: root.get(key) for key in ("tests", "failures", "errors", "skipped", "time")}
    assert totals == {"tests": "5", "failures": "1", "errors": "2", "skipped": "1", "time": "3.500"}
    suite = root.findall("testsuite")[1]
    assert {key: suite.get(key) for key in ("name", "tests", "failures", "errors", "skipped", "time")} == {
        "name": "b.py", "tests": "1", "failures": "0", "errors": "1", "skipped": "0", "time": "2.000"}
    [case] = suite.findall("testcase")
    assert (case.get("classname"), case.get("name")) == ("b.py", "grading")
    [error] = case
    assert (error.tag, error.get("type"), error.get("message")) == (
        "error", "not-graded", "could not be graded: it did not finish within the limit of 2 s")


# ------------------------------------------------------------------------------------------ command

@pytest.mark.parametrize(("cores", "jobs"), [(3, 3), (None, 1)])
def test_without_j_grade_runs_a_job_a_core_and_one_when_the_cores_are_unknown(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        cores: int | None, jobs: int) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.py").write_text("def make(layers, activation): pass\n")
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    asked: list[int] = []

    def fake_grade_all(submissions: list[Submission], options: dict[str, Any], jobs: int,
                       *args: Any, **kwargs: Any) -> list[Graded]:
        asked.append(jobs)
        return [Graded(s, None, "not run", 0.0) for s in submissions]

    monkeypatch.setattr(pool, "grade_all", fake_grade_all)
    args = build_parser(["grade"]).parse_args(["grade", "s.py", "--user", "root"])
    assert command.run(args) == command.EXIT_NOT_GRADED
    assert asked == [jobs]
    capsys.readouterr()
