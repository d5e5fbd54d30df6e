"""The judge's side of the boundary: start a subject, get a worker per check, send it requests.

A target string (or a factory the judge can name as one) is loaded in a fresh interpreter
started with a clean environment, a fresh temporary working directory, standard input closed
and nothing on its command line but a file descriptor number.  A factory object that cannot be
named (a closure in a test) is handed to a fork of the judge instead, which then plays the same
role; `Subject.isolation` says which, and the report's header shows it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import users, wire
from .driver import PluginError

DEFAULT_LIMITS = {
    "address_space": 16 * 1024**3,
    "file_size": 256 * 1024**2,
    "processes": 256,
}
"""A worker's resource limits: 16 GiB of address space, 256 MiB per file written, 256 processes
(enforced for unprivileged users only), and CPU seconds set from each check's time limit."""

STARTUP_SECONDS = 120.0
"""How long a subject may take to start its interpreter and numpy (a loaded machine is slow at it),
before its time limit for importing the target begins."""

PASSED_ENVIRONMENT = (
    "PATH",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "OPENBLAS_CORETYPE",
    "OPENBLAS_L2_SIZE",
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "SYSTEMROOT",
)
"""What of the judge's environment a subject sees: how to find programs and run numpy correctly."""

_PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
"""The folder holding the judge's `backprop` package, first on the subject's path."""


class SubjectEnded(Exception):
    """The worker died, hung past its deadline or broke the protocol: the check it served is over."""


@dataclass
class Worker:
    """One forked copy of the loaded subject, serving one check."""

    subject: Subject
    sock: socket.socket
    pid: int
    deadline: float | None = None
    requests: int = 0
    ended: str | None = field(default=None)

    def request(self, name: str, *args: Any) -> Any:
        """The reply's value; PluginError for an error the subject reports, SubjectEnded when it is gone."""
        if self.ended is not None:
            raise SubjectEnded(self.ended)
        self.requests += 1
        try:
            wire.send(self.sock, (name, args))
            reply = wire.receive(self.sock, self.deadline)
        except wire.TimedOut:
            self.close()
            self.ended = self.subject.timeout_sentence
            raise SubjectEnded(self.ended) from None
        except (wire.WireError, OSError) as error:
            with contextlib.suppress(OSError):
                self.sock.close()
            sentence = (
                self.subject.end(self.pid) or f"the implementation's process broke the connection ({error})"
            )
            self.ended = sentence
            raise SubjectEnded(sentence) from None
        if not (isinstance(reply, tuple) and len(reply) == 2 and reply[0] in ("ok", "error")):
            self.close()
            self.ended = "the implementation's process sent a reply that is not of the protocol"
            raise SubjectEnded(self.ended)
        status, value = reply
        if status == "error":
            raise PluginError(str(value))
        return value

    def close(self) -> None:
        """End the worker and everything it started."""
        with contextlib.suppress(OSError):
            self.sock.close()
        if self.ended is None:
            self.ended = "the worker was closed"
        self.subject.end(self.pid)


class Subject:
    """A loaded subject process (the zygote of the workers)."""

    def __init__(
        self,
        process: subprocess.Popen | None,
        pid: int,
        control: socket.socket,
        workdir: str | None,
        isolation: str,
        timeout: float,
    ) -> None:
        self.process = process
        self.pid = pid
        self.control = control
        self.workdir = workdir
        self.isolation = isolation
        self.timeout_sentence = f"the implementation did not finish within {timeout:g} s"
        self.closed = False
        self.subreaper = False
        self.user: int | None = None
        self.python: str | None = None

    # ------------------------------------------------------------------ starting

    @classmethod
    def start(
        cls,
        factory_or_target: Callable[..., Any] | str,
        timeout: float = 60.0,
        limits: dict | None = None,
        user: int | None = None,
        python: str | None = None,
    ) -> Subject:
        """Load the target in a new subject process; PluginError (one sentence) when it cannot be loaded.

        `user` (a numeric user id, used when the judge runs as root) runs the subject as that user and
        group, with no other groups: it can then write nowhere but its own working directory and
        read only what is readable by all, and every process of that user is killed when it closes.
        `python` is the interpreter it runs with (default: the judge's).  Both default to those of
        `users.run_as`.  ValueError (one sentence) when the interpreter cannot serve as that user.
        """
        if user is None and python is None:
            user, python = users.current().user, users.current().python
        config = {
            "sys_path": [p for p in sys.path if p],
            "limits": {**DEFAULT_LIMITS, **(limits or {}), "cpu_seconds": int(timeout) + 5},
        }
        if user is not None and (not isinstance(factory_or_target, str) or os.geteuid() != 0):
            raise ValueError(
                "a subject runs as another user only for a target string, with the judge as root"
            )
        if isinstance(factory_or_target, str):
            subject = cls._spawn(config, factory_or_target, timeout, user, python)
        else:
            subject = cls._fork(config, factory_or_target, timeout)
        started = False
        try:
            # starting an interpreter and numpy is not the target's time; importing the target is
            status, value = wire.receive(subject.control, time.monotonic() + STARTUP_SECONDS + timeout)
            if status == "started":
                started = True
                status, value = wire.receive(subject.control, time.monotonic() + timeout)
        except wire.TimedOut:
            subject.close()
            raise PluginError(f"importing it did not finish within {timeout:g} s") from None
        except wire.WireError:
            code = subject.close()
            if not started and subject.python is not None:  # nothing of the target ran yet
                who = subject.user if subject.user is not None else os.getuid()
                reason = users.why_not(subject.python, who)
                if reason is not None:
                    raise ValueError(f"the code under test cannot be run: {reason}") from None
            if code is None:
                raise PluginError("importing it ended the process") from None
            from .server import ending_sentence

            raise PluginError(ending_sentence(code, "importing it")) from None
        except BaseException:  # Ctrl-C while it loads: never leave the subject behind
            subject.close()
            raise
        if status != "ok":
            subject.close()
            raise PluginError(str(value))
        subject.subreaper = bool(value.get("subreaper"))
        return subject

    @classmethod
    def _spawn(
        cls, config: dict, target: str, timeout: float, user: int | None = None, python: str | None = None
    ) -> Subject:
        ours, theirs = socket.socketpair()
        workdir = tempfile.mkdtemp(prefix="backprop-subject-")
        identity: dict[str, Any] = {}
        env = {name: os.environ[name] for name in PASSED_ENVIRONMENT if name in os.environ}
        env.update(HOME=workdir, TMPDIR=workdir, PYTHONDONTWRITEBYTECODE="1")
        # the subject runs this same copy of backprop, not another install
        env["PYTHONPATH"] = _PACKAGE_ROOT
        if user is not None:
            os.chown(workdir, user, user)
            identity = {"user": user, "group": user, "extra_groups": []}
            env["PYTHONPATH"] = users.staged_package()  # a copy every user can read
        if user is not None or python is not None:
            # the judge's installation is the judge's: the subject's interpreter has its own
            config = {**config, "sys_path": [p for p in config["sys_path"] if not _installed(p)]}
        target = _absolute(target)
        command = python or sys.executable
        try:
            process = subprocess.Popen(
                [command, "-m", "backprop.subject", str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd=workdir,
                env=env,
                start_new_session=True,
                **identity,
            )
        except OSError as error:
            ours.close()
            theirs.close()
            shutil.rmtree(workdir, ignore_errors=True)
            who = user if user is not None else os.getuid()
            reason = users.why_not(command, who) or f"{command} cannot be started ({error.strerror})"
            raise ValueError(f"the code under test cannot be run: {reason}") from None
        theirs.close()
        wire.send(ours, {**config, "target": target})
        isolation = "separate process" + (f" as the unprivileged user {user}" if user is not None else "")
        subject = cls(process, process.pid, ours, workdir, isolation, timeout)
        subject.user = user
        subject.python = python
        return subject

    @classmethod
    def _fork(cls, config: dict, factory: Callable[..., Any], timeout: float) -> Subject:
        from .server import zygote

        ours, theirs = socket.socketpair()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover (the forked subject)
            code = 0
            try:
                ours.close()
                os.setsid()
                devnull = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(devnull, fd)
                zygote(theirs, factory, config)
            except BaseException:  # noqa: BLE001
                code = 70
            os._exit(code)
        theirs.close()
        return cls(None, pid, ours, None, "forked process (the factory was given as an object)", timeout)

    # ------------------------------------------------------------------ workers

    def worker(self, seconds: float) -> Worker:
        """A fresh worker for one check, whose requests must all be answered within `seconds`."""
        try:
            wire.send(self.control, ("worker",))
            message, fds, _, _ = socket.recv_fds(self.control, wire.HEADER.size, 1)
        except OSError as error:
            raise SubjectEnded(f"the subject process is gone ({error})") from None
        if len(fds) != 1 or len(message) != wire.HEADER.size:
            raise SubjectEnded("the subject process could not start a worker")
        (pid,) = wire.HEADER.unpack(message)
        return Worker(self, socket.socket(fileno=fds[0]), int(pid), time.monotonic() + seconds)

    def end(self, pid: int) -> str | None:
        """Have the zygote kill a worker's session and whatever escaped it; how the worker had ended."""
        if self.closed:
            return None
        try:
            wire.send(self.control, ("end", pid))
            _, value = wire.receive(self.control, time.monotonic() + 10)
        except (wire.WireError, OSError):
            return None
        status = value.get("status") if isinstance(value, dict) else None
        if isinstance(status, int) and (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL):
            return None  # killed by us
        ended = value.get("ended") if isinstance(value, dict) else None
        return ended if isinstance(ended, str) else None

    def close(self) -> int | None:
        """Shut the subject down, kill its session, remove its working directory; its exit code."""
        if self.closed:
            return None
        self.closed = True
        with contextlib.suppress(OSError):
            wire.send(self.control, ("shutdown",))
        with contextlib.suppress(OSError):
            self.control.close()
        code = self._wait(2.0)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        if code is None:
            code = self._wait(5.0)
        if self.user is not None:
            users.kill_user(self.user)
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
        return code

    def _wait(self, seconds: float) -> int | None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                return None
            if pid:
                if self.process is not None:
                    self.process.returncode = os.waitstatus_to_exitcode(status)
                return os.waitstatus_to_exitcode(status)
            time.sleep(0.005)
        return None

    def __enter__(self) -> Subject:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _installed(path: str) -> bool:
    """Whether a folder of the judge's import path belongs to the judge's Python installation."""
    real = os.path.realpath(path)
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    return any(real == os.path.realpath(root) or real.startswith(os.path.realpath(root) + os.sep)
               for root in roots)


def _absolute(target: str) -> str:
    """A path target made absolute, since the subject runs in another working directory."""
    location, sep, attribute = target.rpartition(":")
    if sep and (location.endswith(".py") or os.sep in location or "/" in location):
        return f"{os.path.abspath(location)}:{attribute}"
    if not sep and target.endswith(".py"):
        return os.path.abspath(target)
    return target
