"""The subject process: it imports the code under test and answers the judge's requests.

Started as `python -m backprop.subject FD` (a fresh interpreter: nothing of the judge's memory,
arguments or environment beyond what it is given), it loads the target once, so module-level
code runs once, in this process, and never in the judge's.  For each check the judge asks it for
a worker: a fork with a fresh copy of the loaded module, its own session, resource limits, and
a socket of its own.  When a check is over, the worker's session is killed, and so is every
process that escaped it (this process is a child subreaper on Linux: whatever a worker leaves
behind, double-forked or in a session of its own, is re-parented here and killed).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from typing import Any

from ..sandbox import SIGNAL_MEANINGS
from . import wire
from .driver import Driver, PluginError, describe_exception, import_sys_path, snapshot

WORKER_REQUESTS = frozenset(
    (
        "seed",
        "build",
        "takes_rows",
        "weights",
        "set_weights",
        "forward",
        "layer_forward",
        "backward",
        "update",
        "stored",
        "layer_function",
        "method",
        "method_inputs",
        "method_at",
        "integrity",
    )
)
"""The Driver methods a judge may call; nothing else of the subject is reachable."""


PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER = 1, 36


def _prctl(option: int, value: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0) == 0
    except Exception:  # noqa: BLE001
        return False


def exit_sentence(status: int, who: str = "the implementation's process") -> str:
    """How a process ended, from its wait status: 'the implementation's process ended with signal 11, a
    crash in native code (SIGSEGV)'."""
    return ending_sentence(os.waitstatus_to_exitcode(status), who)


def ending_sentence(code: int, who: str) -> str:
    """The same from an exit code as subprocess gives it (negative: the signal that ended it)."""
    if code < 0:
        number = -code
        name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else "a signal"
        meaning = SIGNAL_MEANINGS.get(number, "killed by a signal")
        return f"{who} ended with signal {number}, {meaning} ({name})"
    return f"{who} ended with exit code {code} (os._exit, or a crash)"


# ---------------------------------------------------------------- the worker


def serve(sock: socket.socket, driver: Driver) -> None:
    """Answer requests until the judge closes the socket."""
    me = os.getpid()
    while True:
        try:
            name, args = wire.receive(sock, plain=False)
        except wire.WireError:
            return
        try:
            if name not in WORKER_REQUESTS:
                raise PluginError(f"unknown request {name!r}")
            reply: tuple[str, Any] = ("ok", getattr(driver, name)(*args))
        except PluginError as error:
            reply = ("error", str(error))
        except BaseException as error:  # noqa: BLE001 (the user's code raised through the driver)
            reply = ("error", f"{name} raised {describe_exception(error)}")
        if os.getpid() != me:  # a process the user's code forked came back here: it has no say
            os._exit(0)
        try:
            wire.send(sock, reply)
        except Exception as error:  # noqa: BLE001 (an unpicklable value, or the judge went away)
            try:
                wire.send(
                    sock,
                    (
                        "error",
                        f"{name} returned something that cannot be sent to the judge "
                        f"({type(error).__name__})",
                    ),
                )
            except Exception:  # noqa: BLE001
                return


def _limit(limits: dict) -> None:
    """The worker's resource limits (address space, CPU seconds, file size, processes), no core files."""
    try:
        import resource
    except ImportError:
        return
    wanted = {
        "RLIMIT_CORE": 0,
        "RLIMIT_AS": limits.get("address_space"),
        "RLIMIT_CPU": limits.get("cpu_seconds"),
        "RLIMIT_FSIZE": limits.get("file_size"),
        "RLIMIT_NPROC": limits.get("processes") if os.geteuid() != 0 else None,
    }
    for name, value in wanted.items():
        if value is None or not hasattr(resource, name):
            continue
        with contextlib.suppress(ValueError, OSError):
            soft, hard = resource.getrlimit(getattr(resource, name))
            value = int(value) if hard == resource.RLIM_INFINITY else min(int(value), hard)
            resource.setrlimit(getattr(resource, name), (value, value if name != "RLIMIT_CPU" else hard))


def _start_worker(control: socket.socket, driver: Driver, limits: dict) -> int:
    ours, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:  # the worker
        try:
            control.close()
            theirs.close()
            os.setsid()
            _prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL))
            _limit(limits)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            serve(ours, driver)
        finally:
            os._exit(0)
    ours.close()
    socket.send_fds(control, [wire.HEADER.pack(pid)], [theirs.fileno()])
    theirs.close()
    return pid


def processes(owned: Callable[[str], bool]) -> list[int]:
    """The pids of /proc whose status text (`/proc/PID/status`) `owned` accepts (none without /proc)."""
    found = []
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as status:
                text = status.read()
        except OSError:
            continue
        if owned(text):
            found.append(int(entry))
    return found


def _field(status: str, name: str) -> str:
    """The first value of a line 'Name:\tvalue ...' of a /proc status text ('' when there is none)."""
    for line in status.splitlines():
        if line.startswith(name + ":"):
            parts = line.split()
            return parts[1] if len(parts) > 1 else ""
    return ""


def _children(parent: int) -> list[int]:
    return processes(lambda status: _field(status, "PPid") == str(parent))


def _end(pid: int) -> int | None:
    """Kill a worker's session and reap it; its wait status (None when it was not ours)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return None


def sweep(keep: frozenset[int] = frozenset()) -> int:
    """Kill every child of this process but `keep` (what escaped a worker was re-parented here),
    until none is left; how many were killed."""
    killed = 0
    for _ in range(200):
        found = [pid for pid in _children(os.getpid()) if pid not in keep]
        if not found:
            break
        for pid in found:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        for pid in found:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
                killed += 1
        time.sleep(0.001)
    while True:  # reap whatever else ended
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
    return killed


def zygote(control: socket.socket, factory: Callable[..., Any] | None, config: dict) -> None:
    """Load the target (unless given the factory), then fork a worker per request until shut down."""
    subreaper = _prctl(PR_SET_CHILD_SUBREAPER, 1)
    from ..battery import targets  # noqa: F401 (what the subject itself loads, before the user's code)

    before, loaded = snapshot(), frozenset(sys.modules)
    wire.send(control, ("started", None))  # the interpreter is up: the target's own time starts now
    if factory is None:
        try:
            factory = _load(config["target"])
        except PluginError as error:
            wire.send(control, ("error", str(error)))
            return
    wire.send(control, ("ok", {"subreaper": subreaper, "pid": os.getpid()}))
    driver = Driver(factory, before, loaded)
    limits = dict(config.get("limits") or {})
    workers: set[int] = set()
    while True:
        try:
            request = wire.receive(control, plain=False)
        except wire.WireError:
            break
        kind = request[0]
        if kind == "worker":
            workers.add(_start_worker(control, driver, limits))
        elif kind == "end":
            pid = int(request[1])
            status = _end(pid) if pid in workers else None
            workers.discard(pid)
            escaped = sweep(frozenset(workers))
            wire.send(
                control,
                (
                    "ok",
                    {
                        "ended": None if status is None else exit_sentence(status),
                        "status": status,
                        "escaped": escaped,
                    },
                ),
            )
        else:
            break
    for pid in list(workers):
        _end(pid)
    sweep()


def _load(target: str) -> Callable[..., Any]:
    """The factory the target names, imported here; a PluginError (one sentence) when it cannot be."""
    from ..battery.targets import TargetError, load_target

    try:
        return load_target(target)
    except TargetError as error:
        raise PluginError(str(error)) from None
    except SyntaxError as error:
        raise PluginError(
            f"syntax error in {error.filename or target}, line {error.lineno}: {error.msg}"
        ) from None
    except SystemExit as exit_:
        raise PluginError(
            f"importing it called sys.exit({'' if exit_.code is None else repr(exit_.code)})"
        ) from None
    except BaseException as error:  # noqa: BLE001
        raise PluginError(f"importing it raised {describe_exception(error)}") from None


def main(argv: list[str]) -> int:
    control = socket.socket(fileno=int(argv[0]))
    _prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL))
    try:
        config = wire.receive(control, plain=False)
    except wire.WireError:
        return 1
    import_sys_path(config.get("sys_path") or [])
    zygote(control, None, config)
    return 0
