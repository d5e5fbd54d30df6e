"""backprop.sandbox: every way a plug-in can end a call comes back as an Outcome, and nothing leaks."""

from __future__ import annotations

import ctypes
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import FrozenInstanceError
from pathlib import Path

import numpy as np
import pytest

from backprop import sandbox
from backprop.sandbox import Outcome, run_isolated, silenced_fds, trust_result_type

pytestmark = pytest.mark.skipif(not sandbox.FORK_AVAILABLE, reason="the sandbox needs os.fork")


def _segfault() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def _process_gone(pid: int) -> bool:
    """True once pid no longer runs (a zombie left to a non-reaping init counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return True


def _wait_until(condition, limit: float = 20.0) -> bool:
    """Poll for an event (not a timing assertion: the limit only stops a broken run from hanging)."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


# ---------------------------------------------------------------- the five statuses


def test_a_returned_array_comes_back_equal_and_with_its_dtype():
    outcome = run_isolated(lambda n: np.arange(n, dtype=np.float32) * 2, 5)
    assert outcome.status == "returned" and outcome.ok
    assert outcome.value.dtype == np.float32
    np.testing.assert_array_equal(outcome.value, [0, 2, 4, 6, 8])
    assert outcome.message == "" and outcome.output == ""


def test_arguments_need_not_be_picklable_and_keywords_reach_fn():
    lock = threading.Lock()  # unpicklable
    outcome = run_isolated(lambda a, *, b: (type(a).__name__, b), lock, b=[1, 2.5, "x"])
    assert outcome.value == ("lock", [1, 2.5, "x"])


def test_plain_data_numpy_scalars_and_package_types_come_back():
    value = {"a": (1, 2.5, 3 + 1j, None, True), "b": {1, 2}, "s": np.float64(1.5), "i": np.int32(7),
             "o": Outcome("raised", message="m")}
    assert run_isolated(lambda: value).value == value


def test_an_exception_is_one_line_naming_its_type():
    def bad():
        raise ValueError("shapes (3,) and\n   (4,2) not aligned")

    outcome = run_isolated(bad)
    assert outcome.status == "raised"
    assert outcome.message == "ValueError: shapes (3,) and (4,2) not aligned"


def test_an_exception_whose_str_fails_still_gives_a_sentence():
    class Nasty(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no")

    def bad():
        raise Nasty()

    outcome = run_isolated(bad)
    assert outcome.status == "raised" and outcome.message.startswith("Nasty: ")


def test_a_very_long_exception_message_is_shortened():
    def bad():
        raise ValueError("x" * 10_000)

    assert len(run_isolated(bad).message) < 600


def test_endless_recursion_is_a_recursion_error():
    def recurse(n):
        return recurse(n + 1)

    outcome = run_isolated(recurse, 0)
    assert outcome.status == "raised" and outcome.message.startswith("RecursionError")


def test_keyboard_interrupt_raised_by_the_code_is_its_own_failure():
    def interrupt():
        raise KeyboardInterrupt

    assert run_isolated(interrupt) == Outcome("raised", message="KeyboardInterrupt")


@pytest.mark.parametrize(("code", "shown"), [(3, "sys.exit(3)"), (0, "sys.exit(0)"), (None, "sys.exit()"),
                                             ("bye", "sys.exit('bye')")])
def test_sys_exit_is_exited_and_says_how(code, shown):
    outcome = run_isolated(sys.exit, code)
    assert outcome.status == "exited"
    assert outcome.message == f"the implementation called {shown}"


@pytest.mark.parametrize("code", [0, 5])
def test_os_exit_is_exited_even_with_code_zero(code):
    outcome = run_isolated(os._exit, code)
    assert outcome.status == "exited" and outcome.value is None
    assert f"exit code {code}" in outcome.message


@pytest.mark.parametrize("crash", [_segfault, lambda: ctypes.string_at(0)], ids=["SIGSEGV", "null-read"])
def test_a_native_crash_is_crashed_with_the_signal_and_a_traceback(crash):
    outcome = run_isolated(crash)
    assert outcome.status == "crashed"
    assert outcome.message == "the implementation's process died (signal 11, a crash in native code)"
    assert "Segmentation fault" in outcome.output  # faulthandler's dump, where it crashed


def test_abort_names_its_signal():
    outcome = run_isolated(os.abort)
    assert outcome.status == "crashed" and f"signal {int(signal.SIGABRT)}, an abort" in outcome.message


def test_a_call_that_never_returns_is_killed_at_the_time_limit_and_says_where_it_hung():
    def hang_here():
        while True:
            time.sleep(0.01)

    outcome = run_isolated(hang_here, timeout=0.5)
    assert outcome.status == "timed_out"
    assert outcome.message == "the implementation did not finish within 0.5 s"
    assert "hang_here" in outcome.output


def test_a_child_that_ignores_sigterm_and_sigint_is_still_killed():
    def stubborn():
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGUSR1, signal.SIG_IGN)
        print(os.getpid(), flush=True)
        while True:
            pass

    outcome = run_isolated(stubborn, timeout=0.5)
    assert outcome.status == "timed_out"
    assert _wait_until(lambda: _process_gone(int(outcome.output.split()[0])))


# ---------------------------------------------------------------- output never reaches our stdout


def test_printing_is_captured_and_never_reaches_our_fds(capfd):
    def noisy():
        print("to stdout")
        print("to stderr", file=sys.stderr)
        os.write(1, b"raw fd 1\n")
        os.write(2, b"raw fd 2\n")
        sys.__stdout__.write("dunder stdout\n")
        return 42

    outcome = run_isolated(noisy)
    assert outcome.value == 42
    for text in ("to stdout", "to stderr", "raw fd 1", "raw fd 2", "dunder stdout"):
        assert text in outcome.output
    seen = capfd.readouterr()
    assert seen.out == "" and seen.err == ""


def test_our_own_buffered_output_is_not_printed_twice(capfd):
    print("before", end="")  # still in our buffer when the fork happens
    run_isolated(print, "child")
    print()
    assert capfd.readouterr().out == "before\n"


def test_output_is_kept_even_when_the_code_then_crashes():
    def talk_then_die():
        print("last words", flush=True)
        os._exit(9)

    outcome = run_isolated(talk_then_die)
    assert outcome.status == "exited" and "last words" in outcome.output


def test_an_enormous_output_is_cut_to_its_head_and_tail():
    def flood():
        sys.stdout.write("HEAD")
        for _ in range(200):
            sys.stdout.write("x" * 100_000)
        sys.stdout.write("TAIL")
        return "done"

    outcome = run_isolated(flood)
    assert outcome.value == "done"
    assert outcome.output.startswith("HEAD") and outcome.output.endswith("TAIL")
    assert len(outcome.output) < 4 * sandbox.OUTPUT_HEAD_BYTES
    assert "bytes of output left out" in outcome.output


def test_non_utf8_output_does_not_break_decoding():
    outcome = run_isolated(lambda: os.write(1, b"\xff\xfe ok"))
    assert outcome.status == "returned" and "ok" in outcome.output


def test_reading_stdin_gets_end_of_file_instead_of_hanging():
    outcome = run_isolated(input, timeout=10)
    assert outcome.status == "raised" and outcome.message.startswith("EOFError")


# ---------------------------------------------------------------- results that could hurt the harness


def test_an_unpicklable_result_is_a_plain_sentence():
    outcome = run_isolated(lambda: threading.Lock())
    assert outcome.status == "raised"
    assert outcome.message.startswith("the implementation returned a lock that cannot be sent back")


class _Bomb:
    """Unpickling it would end the process that loads it."""

    def __reduce__(self):
        return (os._exit, (13,))


class _Shell:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


@pytest.mark.parametrize("hostile", [_Bomb, _Shell])
def test_a_result_that_would_run_code_when_loaded_is_refused(hostile, capfd):
    outcome = run_isolated(hostile)
    assert outcome.status == "raised"
    assert "the harness cannot rebuild" in outcome.message
    assert "pwned" not in capfd.readouterr().out  # and we are still alive to say so


def test_a_subclass_of_ndarray_from_elsewhere_is_refused():
    class Sneaky(np.ndarray):
        pass

    assert run_isolated(lambda: np.zeros(2).view(Sneaky)).status == "raised"


def test_a_registered_type_comes_back():
    @trust_result_type
    class Point:
        def __init__(self, x):
            self.x = x

        def __eq__(self, other):
            return isinstance(other, Point) and other.x == self.x

    Point.__qualname__ = Point.__name__ = "RegisteredPoint"
    globals()["RegisteredPoint"] = Point
    try:
        assert run_isolated(lambda: Point(3)).value == Point(3)
    finally:
        del globals()["RegisteredPoint"]
        sandbox._trusted_types.discard(Point)


def test_trust_result_type_wants_a_class():
    with pytest.raises(TypeError, match="needs a class"):
        trust_result_type(3)  # type: ignore[arg-type]


def test_a_result_over_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(sandbox, "RESULT_LIMIT_BYTES", 10_000)
    outcome = run_isolated(lambda: np.zeros(100_000))
    assert outcome.status == "raised" and "larger than" in outcome.message
    assert run_isolated(lambda: np.zeros(10)).ok


# ---------------------------------------------------------------- nothing is left behind


def test_global_numpy_state_changed_by_the_code_does_not_leak():
    before_err = np.geterr()
    np.random.seed(1)
    expected = np.random.random()
    np.random.seed(1)

    def meddle():
        np.seterr(all="raise")
        np.random.seed(999)
        np.set_printoptions(precision=1)
        return np.geterr()["over"]

    assert run_isolated(meddle).value == "raise"
    assert np.geterr() == before_err
    assert np.random.random() == expected
    assert np.get_printoptions()["precision"] == 8


def test_a_forking_implementation_returns_once_and_its_grandchild_is_killed():
    def fork_and_linger():
        pid = os.fork()
        if pid == 0:
            time.sleep(60)  # holds both pipes open
        return os.getpid(), pid

    outcome = run_isolated(fork_and_linger, timeout=30)
    assert outcome.status == "returned"
    child, grandchild = outcome.value
    assert grandchild != 0
    assert _wait_until(lambda: _process_gone(grandchild))


def test_a_grandchild_that_returns_too_does_not_garble_the_result():
    def fork_and_return():
        os.fork()
        return "only once"

    assert run_isolated(fork_and_return).value == "only once"


def test_leftover_threads_do_not_keep_the_call_alive():
    def leave_a_thread():
        threading.Thread(target=time.sleep, args=(60,), daemon=False).start()
        return "returned"

    outcome = run_isolated(leave_a_thread, timeout=30)
    assert outcome.value == "returned"


def test_no_file_descriptors_leak_across_calls():
    def open_fds() -> int:
        return len(os.listdir("/proc/self/fd"))

    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc")
    run_isolated(int, 1)
    before = open_fds()
    for call in (lambda: 1, lambda: 1 / 0, _segfault):
        run_isolated(call)
    run_isolated(time.sleep, 5, timeout=0.2)
    assert open_fds() == before


_INTERRUPT_SCRIPT = textwrap.dedent("""
    import os, sys, time
    from backprop.sandbox import run_isolated

    def record_and_wait(path):
        with open(path + ".tmp", "w") as f:
            f.write(str(os.getpid()))
        os.rename(path + ".tmp", path)
        time.sleep(600)

    try:
        run_isolated(record_and_wait, sys.argv[1], timeout=600)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sys.exit(130)
""")


def _start_waiting_parent(tmp_path: Path) -> tuple[subprocess.Popen, int]:
    pid_file = tmp_path / "child.pid"
    parent = subprocess.Popen([sys.executable, "-c", _INTERRUPT_SCRIPT, str(pid_file)],
                              stdout=subprocess.PIPE, text=True)
    assert _wait_until(pid_file.exists), "the child never started"
    return parent, int(pid_file.read_text())


def test_keyboard_interrupt_in_the_parent_kills_the_child(tmp_path):
    parent, child = _start_waiting_parent(tmp_path)
    parent.send_signal(signal.SIGINT)
    out, _ = parent.communicate(timeout=30)
    assert parent.returncode == 130 and out.strip() == "interrupted"
    assert _process_gone(child)  # reaped by the parent before it re-raised


def test_a_parent_killed_outright_takes_the_child_with_it(tmp_path):
    if not sys.platform.startswith("linux"):
        pytest.skip("uses Linux's parent-death signal")
    parent, child = _start_waiting_parent(tmp_path)
    parent.kill()
    parent.communicate(timeout=30)
    assert _wait_until(lambda: _process_gone(child))


# ---------------------------------------------------------------- the contract itself


def test_outcome_is_frozen_and_picklable():
    outcome = Outcome("returned", value=[1])
    with pytest.raises(FrozenInstanceError):
        outcome.status = "raised"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(outcome)) == outcome


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf"), "5", True, None])
def test_a_bad_timeout_is_a_value_error(timeout):
    with pytest.raises(ValueError, match="timeout must be a positive finite number"):
        run_isolated(int, timeout=timeout)


def test_a_non_callable_is_a_type_error():
    with pytest.raises(TypeError, match="needs a callable, not int"):
        run_isolated(3)  # type: ignore[arg-type]


def test_fn_may_take_arguments_called_fn_and_args():
    assert run_isolated(lambda fn, args: fn + args, fn=1, args=2).value == 3


def test_without_fork_the_call_runs_in_process_with_the_same_statuses(monkeypatch, capfd):
    monkeypatch.setattr(sandbox, "FORK_AVAILABLE", False)

    def talk(x):
        print("said", x)
        return x * 2

    assert run_isolated(talk, 4) == Outcome("returned", value=8, output="said 4\n")
    assert run_isolated(lambda: 1 / 0).message == "ZeroDivisionError: division by zero"
    assert run_isolated(sys.exit, 2) == Outcome("exited", message="the implementation called sys.exit(2)")
    assert capfd.readouterr().out == ""


def test_silenced_fds_mutes_raw_descriptor_writes_and_captures_prints(capfd):
    print("before", flush=True)
    with silenced_fds() as captured:
        print("python-level")
        os.write(1, b"raw fd 1\n")
        os.write(2, b"raw fd 2\n")
    print("after", flush=True)
    seen = capfd.readouterr()
    assert seen.out == "before\nafter\n" and seen.err == ""
    assert captured.getvalue() == "python-level\n"


def test_silenced_fds_restores_the_descriptors_after_an_exception(capfd):
    with pytest.raises(RuntimeError), silenced_fds():
        raise RuntimeError("inside")
    os.write(1, b"visible\n")
    assert capfd.readouterr().out == "visible\n"
