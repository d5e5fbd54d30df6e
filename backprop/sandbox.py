"""Run untrusted code in a forked child, so that nothing it does can kill, hang or fool the caller.

A plug-in under test may raise, call `sys.exit`, call `os._exit`, crash in native code,
never return, print megabytes, fork, leave threads or change global numpy state.  Each call
of `run_isolated` forks a child that runs the code and sends its result back through a pipe;
the child's file descriptors 1 and 2 go to another pipe, so nothing it prints reaches our
stdout.  The parent kills the child's whole process group when the call is over or its time
is up, and on any exception of its own (KeyboardInterrupt included), so no child is left
behind.  What comes back is an `Outcome`: a status and either the value or one plain sentence.

The value crosses the pipe pickled.  Unpickling can run arbitrary callables, so the parent
rebuilds only plain data, numpy arrays and scalars, and classes of this package (or classes
registered with `trust_result_type`): a plug-in cannot smuggle code into the harness.

Without `os.fork` (Windows), the call runs in-process: exceptions and `sys.exit` are still
caught and printing is still captured, but there is no time limit and no protection from
crashes.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import pickle
import selectors
import signal
import struct
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

STATUSES = ("returned", "raised", "timed_out", "exited", "crashed")

OUTPUT_HEAD_BYTES = 32 * 1024
"""How much of the start of a child's output is kept (and as much of its end)."""

RESULT_LIMIT_BYTES = 256 * 1024 * 1024
"""A pickled result larger than this is refused, so a runaway plug-in cannot exhaust memory here."""

CLEANUP_GRACE_SECONDS = 1.0
"""How long to wait for the pipes to close once the child is gone (an escaped grandchild may hold them)."""

TRACEBACK_GRACE_SECONDS = 0.3
"""How long a timed-out child gets to print where it was stuck before it is killed."""

FORK_AVAILABLE = hasattr(os, "fork")

SIGNAL_MEANINGS: dict[int, str] = {
    signal.SIGSEGV: "a crash in native code",
    signal.SIGBUS: "a crash in native code",
    signal.SIGILL: "a crash in native code",
    signal.SIGFPE: "an arithmetic fault in native code",
    signal.SIGABRT: "an abort, often a failed assertion in native code",
    signal.SIGKILL: "killed, perhaps for using too much memory",
    signal.SIGTERM: "terminated",
    signal.SIGXCPU: "killed for using more CPU time than its limit",
    signal.SIGXFSZ: "killed for writing a file larger than its limit",
}


@dataclass(frozen=True)
class Outcome:
    """How a call ended: `value` when status is "returned", otherwise one sentence in `message`.

    `output` is whatever the code printed on its stdout and stderr, never shown on ours.
    """

    status: str
    value: Any = None
    message: str = ""
    output: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "returned"


def run_isolated(fn: Callable[..., Any], /, *args: Any, timeout: float = 60.0, **kwargs: Any) -> Outcome:
    """Call fn(*args, **kwargs) in a forked child and report how it ended, within `timeout` seconds.

    fn and its arguments need not be picklable (the child is a fork); its return value must be.
    """
    if not callable(fn):
        raise TypeError(f"run_isolated needs a callable, not {type(fn).__name__}")
    if (not isinstance(timeout, (int, float)) or isinstance(timeout, bool)
            or not math.isfinite(timeout) or timeout <= 0):
        raise ValueError(f"timeout must be a positive finite number of seconds, not {timeout!r}")
    if not FORK_AVAILABLE:
        return _run_in_process(fn, args, kwargs)
    return _run_forked(fn, args, kwargs, float(timeout))


# ---------------------------------------------------------------- what the child sends back

_RETURNED, _RAISED, _EXITED = b"R", b"E", b"X"
_HEADER = struct.Struct("!cQ")


def _exception_sentence(error: BaseException) -> str:
    """'ValueError: shapes (3,) and (4,2) not aligned', on one line and of bounded length."""
    try:
        text = str(error)
    except Exception:  # noqa: BLE001 (a hostile __str__)
        text = "<the exception's message could not be printed>"
    text = " ".join(text.split())
    if len(text) > 500:
        text = text[:497] + "..."
    name = type(error).__name__
    return f"{name}: {text}" if text else name


def _exit_sentence(code: object) -> str:
    argument = "" if code is None else repr(code)
    return f"the implementation called sys.exit({argument})"


def _call_and_encode(fn: Callable[..., Any], args: tuple, kwargs: dict) -> tuple[bytes, bytes]:
    """The kind of ending and its payload: a pickled value, or a sentence in UTF-8."""
    try:
        value = fn(*args, **kwargs)
    except SystemExit as exit_:
        return _EXITED, _exit_sentence(exit_.code).encode()
    except BaseException as error:  # noqa: BLE001 (KeyboardInterrupt from user code is its failure too)
        return _RAISED, _exception_sentence(error).encode()
    try:
        return _RETURNED, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException as error:  # noqa: BLE001
        sentence = (f"the implementation returned a {type(value).__name__} that cannot be sent back "
                    f"to the harness ({_exception_sentence(error)})")
        return _RAISED, sentence.encode()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _child(fn: Callable[..., Any], args: tuple, kwargs: dict, result_fd: int, output_fd: int) -> None:
    """Runs in the forked child; never returns."""
    code = 0
    try:
        _prepare_child(output_fd)
        me = os.getpid()
        kind, payload = _call_and_encode(fn, args, kwargs)
        if os.getpid() != me:  # a process the implementation forked came back here: it has no say
            os._exit(0)
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        _write_all(result_fd, _HEADER.pack(kind, len(payload)) + payload)
    except BaseException:  # noqa: BLE001 (the pipe was closed under us: the parent sees no result)
        code = 70
    os._exit(code)


def _prepare_child(output_fd: int) -> None:
    """Own process group, no core files, stdin from /dev/null, fd 1 and 2 into the output pipe."""
    os.setpgid(0, 0)
    _die_with_parent()
    with contextlib.suppress(Exception):
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    os.close(output_fd)
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1)  # noqa: SIM115
    import faulthandler

    # a crash or a timeout then leaves the Python traceback of where it happened in `output`
    faulthandler.enable(file=sys.stderr)
    faulthandler.register(signal.SIGUSR1, file=sys.stderr, all_threads=True)


def _die_with_parent() -> None:
    """On Linux, the child gets SIGKILL if the parent dies, even by SIGKILL (nothing to catch)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)


# ---------------------------------------------------------------- the parent's side


class _Output:
    """Keeps the first and the last OUTPUT_HEAD_BYTES of a stream and counts what it drops."""

    def __init__(self) -> None:
        self.head = bytearray()
        self.tail = bytearray()
        self.dropped = 0

    def add(self, chunk: bytes) -> None:
        room = OUTPUT_HEAD_BYTES - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        self.tail += chunk
        excess = len(self.tail) - OUTPUT_HEAD_BYTES
        if excess > 0:
            del self.tail[:excess]
            self.dropped += excess

    def size(self) -> int:
        return len(self.head) + len(self.tail) + self.dropped

    def text(self) -> str:
        middle = f"\n[... {self.dropped} bytes of output left out ...]\n".encode() if self.dropped else b""
        return bytes(self.head + middle + self.tail).decode("utf-8", errors="replace")


def _run_forked(fn: Callable[..., Any], args: tuple, kwargs: dict, timeout: float) -> Outcome:
    for stream in (sys.stdout, sys.stderr):  # or the child would print our buffered text again
        with contextlib.suppress(Exception):
            stream.flush()
    result_r, result_w = os.pipe()
    output_r, output_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child; coverage does not follow it)
        os.close(result_r)
        os.close(output_r)
        _child(fn, args, kwargs, result_w, output_w)
    os.close(result_w)
    os.close(output_w)
    with contextlib.suppress(OSError):  # the child does it too; whichever runs first wins
        os.setpgid(pid, pid)
    watcher = _Watcher(pid, result_r, output_r)
    reaped = False
    try:
        timed_out = not watcher.wait(time.monotonic() + timeout)
        if timed_out:
            watcher.dump_traceback()
        _kill_group(pid)
        watcher.drain(time.monotonic() + CLEANUP_GRACE_SECONDS)
        _, wait_status = os.waitpid(pid, 0)
        reaped = True
    finally:
        if not reaped:  # KeyboardInterrupt or another error of ours: never leave the child behind
            _kill_group(pid)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        watcher.close()
    output = watcher.output.text()
    if timed_out:
        return Outcome("timed_out", message=f"the implementation did not finish within {timeout:g} s",
                       output=output)
    return _decode(bytes(watcher.result), wait_status, output)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)  # in case the child had not yet made its own group


class _Watcher:
    """Reads the child's two pipes while waiting for it to end, without blocking on either."""

    def __init__(self, pid: int, result_fd: int, output_fd: int) -> None:
        self.pid = pid
        self.result = bytearray()
        self.output = _Output()
        self.too_large = False
        self.selector = selectors.DefaultSelector()
        self.pidfd: int | None = None
        with contextlib.suppress(AttributeError, OSError):
            self.pidfd = os.pidfd_open(pid)  # readable once the child has ended (Linux >= 5.3)
            self.selector.register(self.pidfd, selectors.EVENT_READ, "exit")
        for fd, name in ((result_fd, "result"), (output_fd, "output")):
            os.set_blocking(fd, False)
            self.selector.register(fd, selectors.EVENT_READ, name)
        self.fds = [result_fd, output_fd] + ([self.pidfd] if self.pidfd is not None else [])
        self.open_pipes = 2
        self.child_ended = False

    def wait(self, deadline: float) -> bool:
        """Pump the pipes until the child ends (True) or the deadline passes (False)."""
        poll = 0.001
        while not self.child_ended:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if self.pidfd is None:  # no pidfd: poll for the child's end, ever less often
                left = min(left, poll)
                poll = min(poll * 2, 0.05)
            self._pump(left)
            if self.pidfd is None and not self.child_ended:
                self.child_ended = _has_ended(self.pid)
            if self.too_large:
                return True
        return True

    def drain(self, deadline: float) -> None:
        """After the process group is killed: read what is left until both pipes close."""
        while self.open_pipes and time.monotonic() < deadline:
            self._pump(max(0.0, deadline - time.monotonic()))

    def dump_traceback(self) -> None:
        """Ask a stuck child for its Python traceback (faulthandler), so `output` shows where it hung."""
        try:
            os.kill(self.pid, signal.SIGUSR1)
        except (ProcessLookupError, PermissionError):
            return
        deadline = time.monotonic() + TRACEBACK_GRACE_SECONDS
        while time.monotonic() < deadline and not self.child_ended:
            before = self.output.size()
            self._pump(0.05)
            if self.output.size() == before and before:
                return

    def _pump(self, timeout: float) -> None:
        for key, _ in self.selector.select(timeout):
            if key.data == "exit":
                self.child_ended = True
                self.selector.unregister(key.fd)
                continue
            try:
                chunk = os.read(key.fd, 1 << 16)
            except BlockingIOError:
                continue
            if not chunk:
                self.selector.unregister(key.fd)
                self.open_pipes -= 1
            elif key.data == "result":
                if not self.too_large:
                    self.result += chunk
                if len(self.result) > RESULT_LIMIT_BYTES + _HEADER.size:
                    self.too_large = True  # stop keeping it; the caller kills the child
                    self.child_ended = True
            else:
                self.output.add(chunk)

    def close(self) -> None:
        self.selector.close()
        for fd in self.fds:
            with contextlib.suppress(OSError):
                os.close(fd)


def _has_ended(pid: int) -> bool:
    """Whether the child has ended, without reaping it (waitid with WNOWAIT)."""
    try:
        info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return True
    return info is not None


def _decode(data: bytes, wait_status: int, output: str) -> Outcome:
    """The Outcome from the bytes the child sent and how its process ended."""
    if len(data) > RESULT_LIMIT_BYTES + _HEADER.size:
        limit = RESULT_LIMIT_BYTES // (1024 * 1024)
        return Outcome("raised", message=f"the implementation returned a result larger than {limit} MB",
                       output=output)
    if len(data) >= _HEADER.size:
        kind, size = _HEADER.unpack_from(data)
        payload = data[_HEADER.size:]
        if len(payload) == size:
            if kind == _RETURNED:
                return _unpickled(payload, output)
            status = "exited" if kind == _EXITED else "raised"
            return Outcome(status, message=payload.decode("utf-8", errors="replace"), output=output)
    return _ended_without_result(wait_status, output)


def _ended_without_result(wait_status: int, output: str) -> Outcome:
    if os.WIFSIGNALED(wait_status):
        number = os.WTERMSIG(wait_status)
        meaning = SIGNAL_MEANINGS.get(number) or _signal_name(number)
        return Outcome("crashed", message=f"the implementation's process died (signal {number}, {meaning})",
                       output=output)
    code = os.WEXITSTATUS(wait_status) if os.WIFEXITED(wait_status) else wait_status
    return Outcome("exited", message=f"the implementation ended its process with exit code {code} "
                   "before returning (os._exit or an exit in native code)", output=output)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return "an unknown signal"


# ---------------------------------------------------------------- rebuilding the value safely

_SAFE_BUILTINS = frozenset({
    "bool", "bytearray", "bytes", "complex", "dict", "float", "frozenset", "int", "list", "object",
    "range", "set", "slice", "str", "tuple", "NotImplemented", "Ellipsis",
})
_SAFE_GLOBALS = frozenset({
    ("copyreg", "_reconstructor"),
    ("collections", "OrderedDict"), ("collections", "defaultdict"), ("collections", "deque"),
    ("collections", "Counter"),
    ("numpy", "dtype"), ("numpy", "ndarray"),
    ("numpy._core.numeric", "_frombuffer"), ("numpy.core.numeric", "_frombuffer"),
    ("numpy._core.multiarray", "_reconstruct"), ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "scalar"), ("numpy.core.multiarray", "scalar"),
    ("numpy.random._pickle", "__generator_ctor"), ("numpy.random._pickle", "__bit_generator_ctor"),
    ("numpy.random._pickle", "__randomstate_ctor"),
})
_trusted_types: set[type] = set()


def trust_result_type(cls: type) -> type:
    """Let values of `cls` come back from a child (usable as a class decorator).

    Only for classes whose constructor and `__setstate__` are harmless: unpickling calls them.
    """
    if not isinstance(cls, type):
        raise TypeError(f"trust_result_type needs a class, not {type(cls).__name__}")
    _trusted_types.add(cls)
    return cls


class _SafeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module == "builtins" and name in _SAFE_BUILTINS) or (module, name) in _SAFE_GLOBALS:
            return super().find_class(module, name)
        found = super().find_class(module, name) if module in sys.modules else None
        if isinstance(found, type) and (
            found in _trusted_types
            or module == "backprop" or module.startswith("backprop.")
            or (module == "builtins" and issubclass(found, BaseException))
            or (module.startswith("numpy") and issubclass(found, _numpy_safe_bases()))
        ):
            return found
        raise pickle.UnpicklingError(f"the result refers to {module}.{name}, which the harness does not "
                                     "load (return numbers, strings, lists, dicts or numpy arrays)")


def _numpy_safe_bases() -> tuple[type, ...]:
    import numpy as np

    return (np.generic, np.dtype, np.random.BitGenerator)


def _unpickled(payload: bytes, output: str) -> Outcome:
    try:
        value = _SafeUnpickler(io.BytesIO(payload)).load()
    except Exception as error:  # noqa: BLE001
        return Outcome("raised", message="the implementation returned a value the harness cannot rebuild "
                       f"({_exception_sentence(error)})", output=output)
    return Outcome("returned", value=value, output=output)


# ---------------------------------------------------------------- code that must run here


@contextlib.contextmanager
def silenced_fds() -> Iterator[io.StringIO]:
    """Run untrusted code in this process (an import) with fd 1 and 2, and sys.stdout/stderr, muted.

    `contextlib.redirect_stdout` alone misses `os.write(1, ...)` and output from native code;
    this swaps the descriptors themselves.  What Python-level code printed is yielded.
    """
    captured = io.StringIO()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    saved = [os.dup(1), os.dup(2)]
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
            yield captured
    finally:
        for stream in (sys.__stdout__, sys.__stderr__):  # what native-level buffers hold goes to /dev/null
            with contextlib.suppress(Exception):
                if stream is not None:
                    stream.flush()
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, devnull):
            os.close(fd)


# ---------------------------------------------------------------- without fork


def _run_in_process(fn: Callable[..., Any], args: tuple, kwargs: dict) -> Outcome:
    """The fallback without os.fork: exceptions and sys.exit are caught, printing is captured."""
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
        try:
            value = fn(*args, **kwargs)
        except SystemExit as exit_:
            return Outcome("exited", message=_exit_sentence(exit_.code), output=captured.getvalue())
        except Exception as error:  # noqa: BLE001 (KeyboardInterrupt is the user's, here: let it through)
            return Outcome("raised", message=_exception_sentence(error), output=captured.getvalue())
    return Outcome("returned", value=value, output=captured.getvalue())
