"""Grade submissions in parallel: each in its own worker process, at most `jobs` at once.

Each worker is a fresh interpreter (`python -m backprop.grading.worker`) in a new session and a
scratch working folder, with its request on a pipe and its result in an unnamed temporary file;
it gets a wall-clock limit, after which its whole process group is killed.  A worker that crashes,
hangs past its limit or writes something other than a result costs its own submission only,
which becomes "could not be graded" with one sentence.  At most `jobs` workers exist at a time,
so memory is bounded by `jobs`, not by the number of submissions; what is kept per submission
is its result (a few kB).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from ..subject import users
from .discovery import Submission
from .isolation import Plan, as_original, private_copy

WORKER_COMMAND = (sys.executable, "-m", "backprop.grading.worker")

RESULT_LIMIT_BYTES = 64 * 1024 * 1024
"""A result larger than this is not read: no battery result is anywhere near it."""


class UsageError(ValueError):
    """check() refused an argument: the same for every submission, so grading stops (one sentence)."""


@dataclass(frozen=True)
class Graded:
    """How grading one submission ended: the battery's result as JSON data, or why there is none."""

    submission: Submission
    result: dict[str, Any] | None
    error: str | None
    seconds: float
    usage: str | None = None


def _environment(scratch: str) -> dict[str, str]:
    """The grader's environment, with this copy of backprop first on the path, and the submission's
    scratch folder for temporary files (so that nothing of it outlives its row, even when killed)."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([root] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env["TMPDIR"] = scratch
    return env


class _Running:
    """The worker processes alive now, so that all can be killed if the grader is interrupted."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.processes: set[subprocess.Popen[bytes]] = set()
        self.stopping = False

    def add(self, process: subprocess.Popen[bytes]) -> None:
        with self.lock:
            self.processes.add(process)
            stopping = self.stopping
        if stopping:
            _kill(process)

    def remove(self, process: subprocess.Popen[bytes]) -> None:
        with self.lock:
            self.processes.discard(process)

    def kill_all(self) -> None:
        with self.lock:
            self.stopping = True
            processes = list(self.processes)
        for process in processes:
            _kill(process)


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        process.kill()


def _ended(code: int) -> str:
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"its grading process was killed by {name}"
    return f"its grading process exited with code {code} without a result"


def grade_one(submission: Submission, options: dict[str, Any], limit: float, running: _Running,
              command: Sequence[str] = WORKER_COMMAND, user: int | None = None,
              python: str | None = None) -> Graded:
    """Grade one submission in a worker process, within `limit` seconds of wall-clock time; with `user`,
    its code runs as that user, from a private copy, with the interpreter `python`."""
    start = time.monotonic()
    if submission.target is None:
        return Graded(submission, None, submission.problem, 0.0)
    with tempfile.TemporaryDirectory(prefix="backprop-grade-") as scratch, tempfile.TemporaryFile() as out:
        target, copy, original = submission.target, "", ""
        if user is not None:
            try:
                target, copy, original = private_copy(submission, scratch, user)
            except OSError as error:
                return Graded(submission, None, f"it could not be copied for its user to read "
                              f"({error.strerror}: {error.filename})", time.monotonic() - start)
        request = json.dumps({"target": target, "options": options, "user": user, "python": python}).encode()
        process = subprocess.Popen(list(command), stdin=subprocess.PIPE, stdout=out,
                                   stderr=subprocess.DEVNULL, cwd=scratch, env=_environment(scratch),
                                   start_new_session=True)
        running.add(process)
        try:
            with contextlib.suppress(BrokenPipeError):
                assert process.stdin is not None
                process.stdin.write(request)
                process.stdin.close()
            try:
                code = process.wait(timeout=limit)
            except subprocess.TimeoutExpired:
                _kill(process)
                process.wait()
                return Graded(submission, None, f"it did not finish within the limit of {limit:g} s",
                              time.monotonic() - start)
        finally:
            _kill(process)  # the whole group: nothing the submission started outlives its row
            if user is not None:
                users.kill_user(user)  # nor anything that left the group, run as its user
            running.remove(process)
        seconds = time.monotonic() - start
        size = out.seek(0, os.SEEK_END)
        out.seek(0)
        if size > RESULT_LIMIT_BYTES:
            return Graded(submission, None, f"its grading process wrote {size} bytes, not a result", seconds)
        data = out.read()
    graded = _decode(submission, data, code, seconds)
    if copy:
        graded = Graded(submission, as_original(graded.result, copy, original),
                        as_original(graded.error, copy, original), seconds, graded.usage)
    return graded


def _decode(submission: Submission, data: bytes, code: int, seconds: float) -> Graded:
    try:
        answer = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        answer = None
    if not isinstance(answer, dict):
        if not data.strip():
            return Graded(submission, None, _ended(code), seconds)
        return Graded(submission, None, "its grading process wrote something other than a result", seconds)
    if isinstance(answer.get("usage"), str):
        return Graded(submission, None, None, seconds, usage=answer["usage"])
    if isinstance(answer.get("error"), str):
        return Graded(submission, None, answer["error"], seconds)
    if not isinstance(answer.get("results"), list):
        return Graded(submission, None, "its grading process wrote something other than a result", seconds)
    return Graded(submission, answer, None, seconds)


def grade_all(submissions: Sequence[Submission], options: dict[str, Any], jobs: int, limit: float,
              on_done: Callable[[Graded], None] | None = None,
              command: Sequence[str] = WORKER_COMMAND, plan: Plan | None = None) -> list[Graded]:
    """Every submission graded, in the order given; returns once every worker process is gone.
    With a `plan` naming users, each job runs its submissions as a user of its own (see isolation).

    Raises UsageError, once every worker process is gone, if check() refused an argument.
    """
    plan = plan or Plan()
    running = _Running()
    results: dict[int, Graded] = {}
    free: queue.SimpleQueue[int | None] = queue.SimpleQueue()
    for uid in plan.users or [None] * max(1, jobs):
        free.put(uid)
    jobs = len(plan.users) if plan.users else max(1, jobs)

    def one(submission: Submission) -> Graded:
        user = free.get()  # a job's user is never shared by two submissions at once
        try:
            return grade_one(submission, options, limit, running, command, user, plan.python)
        finally:
            free.put(user)

    with ThreadPoolExecutor(max_workers=jobs) as executor:
        futures = {executor.submit(one, s): i for i, s in enumerate(submissions)}
        try:
            for future in as_completed(futures):
                graded = future.result()
                if graded.usage is not None:
                    raise UsageError(graded.usage)
                results[futures[future]] = graded
                if on_done is not None:
                    on_done(graded)
        except BaseException:
            executor.shutdown(wait=False, cancel_futures=True)
            running.kill_all()
            raise
    return [results[i] for i in range(len(submissions))]
