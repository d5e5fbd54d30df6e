"""The battery against plug-ins that raise, hang, exit, crash, print, fork or meddle with numpy.

Whatever a plug-in does, the battery must finish, report every check it was asked for, give
each broken one a failed or errored verdict in one sentence, give the checks the plug-in does
not break the verdict they deserve, and write a report and JSON that nothing can corrupt.
Each battery run here happens inside `run_isolated` itself, so that a plug-in that changes
numpy's global state at import cannot change it in this test process.

The default suite runs a subset of the checks on each plug-in; `-m slow` runs all of them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

import backprop
from backprop.battery import CHECK_IDS, BatteryResult
from backprop.battery.targets import TargetError
from backprop.sandbox import FORK_AVAILABLE, run_isolated

pytestmark = pytest.mark.skipif(not FORK_AVAILABLE, reason="the battery's isolation needs os.fork")

HOSTILE = Path(__file__).parent / "hostile"
ROOT = Path(__file__).parent.parent
ALL = frozenset(CHECK_IDS)
FAST = ("output-delta", "update-is-sgd-step", "predict-is-forward")
"""Checks for the default suite: one that needs backward, one that needs update, one only forward."""

MAX_EXAMPLES = 2
BACKWARD_FREE = frozenset({"activation-derivative", "dz-is-fprime-of-z", "predict-is-forward"})
UPDATE_FREE = BACKWARD_FREE | {"output-delta", "hidden-delta", "weight-gradient"}
USES_BACKWARD = ALL - BACKWARD_FREE
USES_UPDATE = ALL - UPDATE_FREE
GRADIENTS = frozenset({"output-delta", "hidden-delta", "weight-gradient", "update-is-sgd-step",
                       "fit-one-sample", "fit-two-samples", "descent"})
STEPS = frozenset({"update-is-sgd-step", "fit-one-sample", "fit-two-samples"})


@dataclass(frozen=True)
class Broken:
    """A plug-in, the checks it must not pass, those it must still pass, and the sentence it earns."""

    name: str
    broken: frozenset[str]
    spared: frozenset[str] = frozenset()
    sentence: str | None = None
    timeout: float = 10.0

    @property
    def quick(self) -> tuple[str, ...]:
        """The default suite's checks for it: the first of FAST it breaks, and one it spares if any."""
        broken = [i for i in FAST if i in self.broken][:1]
        spared = [i for i in FAST if i in self.spared][:1]
        return tuple(i for i in CHECK_IDS if i in broken + spared)


BROKEN = [
    Broken("raises_in_backward", USES_BACKWARD, BACKWARD_FREE,
           "ValueError: shapes (3,) and (4,2) not aligned"),
    Broken("wrong_shape", ALL, sentence="shape"),
    Broken("wrong_dtype_strings", ALL),
    Broken("wrong_dtype_integers", GRADIENTS - {"descent"}),  # a rounded loss need not rise along −∇
    Broken("returns_nan", USES_BACKWARD, BACKWARD_FREE),
    Broken("update_writes_nan", STEPS | {"descent"}, UPDATE_FREE),
    Broken("returns_inf", ALL),
    Broken("returns_none", ALL),
    Broken("endless_recursion", USES_BACKWARD, BACKWARD_FREE, "RecursionError"),
    Broken("never_returns", USES_BACKWARD, BACKWARD_FREE, "did not finish within 1 s", timeout=1.0),
    Broken("sys_exit", USES_BACKWARD, BACKWARD_FREE, "called sys.exit(3)"),
    Broken("os_exit_zero", USES_UPDATE, UPDATE_FREE, "exit code 0"),
    Broken("null_pointer", USES_BACKWARD, BACKWARD_FREE, "signal 11, a crash in native code"),
    Broken("sigsegv", USES_UPDATE, UPDATE_FREE, "signal 11, a crash in native code"),
    Broken("keyboard_interrupt", USES_BACKWARD, BACKWARD_FREE, "KeyboardInterrupt"),
    Broken("unprintable_exception", USES_BACKWARD, BACKWARD_FREE,
           "Unprintable: <the exception's message could not be printed>"),
    Broken("fools_numpy", STEPS, GRADIENTS - STEPS - {"descent"} | BACKWARD_FREE),
    Broken("weight_copy", ALL - {"deterministic"}, sentence="does not keep what is written into it"),
]

RIGHT_BUT_HOSTILE = ["prints", "enormous_output", "numpy_seterr", "numpy_quiet", "global_seed",
                     "forks_and_threads"]
"""The reference with a habit that leaves its backpropagation alone: it earns the reference's verdicts."""


def target(name: str) -> str:
    return f"{HOSTILE / name}.py:make"


_results: dict[tuple[str, tuple[str, ...], float], BatteryResult] = {}


def battery(target_string: str, only: tuple[str, ...], timeout: float) -> BatteryResult:
    """The battery's result on a target, run in a child of its own (the plug-in is imported there)."""
    key = (target_string, only, timeout)
    if key not in _results:
        outcome = run_isolated(_check, target_string, only, timeout, timeout=600)
        assert outcome.status == "returned", f"no battery result: {outcome.message}\n{outcome.output}"
        _results[key] = outcome.value
    return _results[key]


@pytest.fixture(scope="module", autouse=True)
def _run_the_default_batteries_two_at_a_time(request):
    """The default tests' battery runs, two at a time: each is a child process, so threads suffice."""
    if request.config.getoption("-m") and "slow" in request.config.getoption("-m") and \
            "not slow" not in request.config.getoption("-m"):
        return
    wanted = [(target(case.name), case.quick, case.timeout) for case in BROKEN]
    wanted += [(target(name), FAST, 10.0) for name in RIGHT_BUT_HOSTILE]
    nan = target("update_writes_nan")
    wanted += [("backprop:NeuralNetwork", FAST, 10.0), (nan, ("update-is-sgd-step",), 10.0),
               (nan, ("batch-is-sum",), 10.0)]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda key: battery(*key), wanted))


def _check(target_string: str, only: tuple[str, ...], timeout: float) -> BatteryResult:
    return backprop.check(target_string, max_examples=MAX_EXAMPLES, seed=0, only=only, timeout=timeout)


def _assert_sound(result: BatteryResult, only: tuple[str, ...]) -> None:
    """Every requested check reported once, in one sentence, with a JSON-able result."""
    assert [r.id for r in result.results] == [i for i in CHECK_IDS if i in only]
    for r in result.results:
        assert r.summary and "\n" not in r.summary, f"{r.id}: {r.summary!r}"
        assert "Traceback" not in r.summary and "Traceback" not in (r.details or "")
    json.dumps(result.to_json(), allow_nan=False)


def _judge(case: Broken, only: tuple[str, ...]) -> None:
    result = battery(target(case.name), only, case.timeout)
    _assert_sound(result, only)
    for r in result.results:
        if r.id in case.broken:
            assert r.status in ("failed", "errored"), f"{r.id} {r.status}: {r.summary}"
            if case.sentence and r.status == "errored":
                assert case.sentence in r.summary, f"{r.id}: {r.summary!r}"
        if r.id in case.spared:
            assert r.status == "passed", f"{r.id} should still pass: {r.summary}"


UNBUILDABLE = {
    "raises_in_make": "make([2, 3, 2], 'tanh') raised RuntimeError: cannot build [2, 3, 2] at "
                      "raises_in_make.py:5",
    "make_returns_none": "returned None",
    "make_never_returns": "did not finish within 1 s",
}
"""Factories that build no network at all: one sentence saying why, not a verdict per check."""


@pytest.mark.parametrize("name", sorted(UNBUILDABLE))
def test_a_factory_that_builds_nothing_is_one_sentence_about_the_target(name: str) -> None:
    with pytest.raises(TargetError, match="it builds no network") as raised:
        backprop.check(target(name), max_examples=MAX_EXAMPLES, only=FAST, timeout=1.0)
    assert UNBUILDABLE[name] in str(raised.value) and "\n" not in str(raised.value)


def _params(cases: list[Broken]) -> list:
    return [pytest.param(case, id=case.name) for case in cases]


@pytest.mark.parametrize("case", _params(BROKEN))
def test_a_broken_plugin_fails_in_one_sentence_and_the_other_checks_still_run(case):
    _judge(case, case.quick)


@pytest.mark.slow
@pytest.mark.parametrize("case", _params(BROKEN))
def test_a_broken_plugin_on_every_check(case):
    _judge(case, tuple(CHECK_IDS))


def _same_verdicts_as_the_reference(name: str, only: tuple[str, ...]) -> None:
    expected = battery("backprop:NeuralNetwork", only, 10.0)
    result = battery(target(name), only, 10.0)
    _assert_sound(result, only)
    assert [(r.id, r.status) for r in result.results] == [(r.id, r.status) for r in expected.results]
    assert [r.summary for r in result.results] == [r.summary for r in expected.results]


@pytest.mark.parametrize("name", RIGHT_BUT_HOSTILE)
def test_a_right_plugin_with_hostile_habits_gets_the_references_verdicts(name):
    _same_verdicts_as_the_reference(name, FAST)


@pytest.mark.slow
@pytest.mark.parametrize("name", RIGHT_BUT_HOSTILE)
def test_a_right_plugin_with_hostile_habits_on_every_check(name):
    _same_verdicts_as_the_reference(name, tuple(CHECK_IDS))


def test_the_result_is_strict_json_even_when_the_plugin_computes_nan():
    """A NaN in the numbers must not make `--json` end in a traceback and a truncated file."""
    result = battery(target("update_writes_nan"), ("update-is-sgd-step",), 10.0)
    json.dumps(result.to_json(), allow_nan=False)


def test_nan_weights_never_pass():
    """Comparisons with NaN are false, so NaN weights must not slip through as agreement."""
    result = battery(target("update_writes_nan"), ("batch-is-sum",), 10.0)
    assert result.by_id("batch-is-sum").status != "passed"


# ---------------------------------------------------------------- the command line, end to end


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    json: dict | None


def _cli(args: list[str], json_path: Path | None) -> Run:
    command = [sys.executable, "-m", "backprop", "check", *args]
    if json_path is not None:
        command += ["--json", str(json_path)]
    env = {**os.environ, "PYTHONFAULTHANDLER": ""}
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=600,
                          stdin=subprocess.DEVNULL)
    data = None
    if json_path is not None and json_path.exists():
        try:
            data = json.loads(json_path.read_text())
        except ValueError:  # a truncated file: the test that reads it says so
            data = None
    return Run(done.returncode, done.stdout, done.stderr, data)


CLI_CASES = {
    "reference": ["backprop:NeuralNetwork", "--only", *FAST],
    "prints": [target("prints"), "--only", *FAST],
    "null_pointer": [target("null_pointer"), "--only", "output-delta", "predict-is-forward"],
    "os_exit_zero": [target("os_exit_zero"), "--only", "update-is-sgd-step", "predict-is-forward"],
    "never_returns": [target("never_returns"), "--timeout", "1", "--only", "output-delta",
                      "predict-is-forward"],
    "forks_and_threads": [target("forks_and_threads"), "--only", *FAST],
    "import_writes_fd": [target("import_writes_fd"), "--only", "predict-is-forward"],
    "update_writes_nan": [target("update_writes_nan"), "--only", "update-is-sgd-step"],
}


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory) -> dict[str, Run]:
    """Every CLI case, run two at a time (each is a process of its own)."""
    folder = tmp_path_factory.mktemp("cli")
    with ThreadPoolExecutor(2) as pool:
        futures = {name: pool.submit(_cli, [*args, "--max-examples", str(MAX_EXAMPLES)],
                                     folder / f"{name}.json") for name, args in CLI_CASES.items()}
        return {name: future.result() for name, future in futures.items()}


def _report_lines(run: Run) -> list[str]:
    return run.stdout.splitlines()


@pytest.mark.parametrize("name", list(CLI_CASES))
def test_the_cli_always_writes_a_clean_report_and_json_and_never_a_traceback(cli_runs, name):
    run = cli_runs[name]
    assert "Traceback" not in run.stderr and "Traceback" not in run.stdout
    assert run.returncode in (0, 1), run.stderr
    assert _report_lines(run)[0].startswith("backprop "), run.stdout[:300]
    assert run.json is not None and run.json["results"]
    assert run.json["passed"] == (run.returncode == 0)


def test_a_printing_plugin_cannot_touch_the_report(cli_runs):
    reference, chatty = cli_runs["reference"], cli_runs["prints"]
    assert "CHATTY" not in chatty.stdout and "CHATTY" not in chatty.stderr
    assert _report_lines(chatty)[1:] == _report_lines(reference)[1:]  # all but the line naming the target
    assert chatty.returncode == reference.returncode


@pytest.mark.parametrize("name", ["null_pointer", "os_exit_zero", "never_returns"])
def test_a_crashed_exited_or_hung_plugin_is_never_a_pass(cli_runs, name):
    run = cli_runs[name]
    assert run.returncode == 1
    assert run.json is not None and run.json["passed"] is False
    assert any(r["status"] == "errored" for r in run.json["results"])


def test_the_time_limit_is_the_one_given(cli_runs):
    run = cli_runs["never_returns"]
    statuses = {r["id"]: (r["status"], r["summary"]) for r in run.json["results"]}
    assert statuses["output-delta"] == ("errored", "the implementation did not finish within 1 s.")
    assert statuses["predict-is-forward"][0] == "passed"


def test_a_plugin_that_forks_and_leaves_threads_does_not_keep_the_cli_alive(cli_runs):
    run = cli_runs["forks_and_threads"]
    assert run.returncode == cli_runs["reference"].returncode
    reference = cli_runs["reference"].json["results"]
    assert [r["status"] for r in run.json["results"]] == [r["status"] for r in reference]


def test_a_plugin_writing_to_fd_1_at_import_cannot_touch_the_report(cli_runs):
    """The target is imported once in the battery's own process too: below sys.stdout, fd 1 must be muted."""
    run = cli_runs["import_writes_fd"]
    assert "fd 1" not in run.stdout and "fd 2" not in run.stderr


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads a process's children from /proc")
def test_ctrl_c_ends_the_cli_in_one_line_and_leaves_no_child(tmp_path):
    command = [sys.executable, "-m", "backprop", "check", target("never_returns"), "--timeout", "600",
               "--only", "output-delta", "--json", str(tmp_path / "r.json")]
    cli = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not _children(cli.pid) and time.monotonic() < deadline:  # an event, not a timing assertion
            time.sleep(0.05)
        children = _children(cli.pid)
        assert children, "the check never started"
        cli.send_signal(signal.SIGINT)
        _, err = cli.communicate(timeout=60)
    finally:
        cli.kill()
    assert all(not Path(f"/proc/{child}").exists() or
               Path(f"/proc/{child}/status").read_text().split("State:")[1].split()[0] == "Z"
               for child in children)
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert cli.returncode == 130
