"""`backprop check` with a bad target or option: exit code 2 and one line on stderr saying what is wrong.

Never a traceback, never a report on stdout, never a hang: each case is a real `python -m backprop`
process, run two at a time.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

HOSTILE = Path(__file__).parent / "hostile"

FILES = {
    "syntax_error.py": "def make(layers, activation)\n    return None\n",
    "not_callable.py": "make = 3\n",
    "fine.py": "def make(layers, activation):\n    raise NotImplementedError\n",
    "indentation.py": "def make(layers, activation):\nreturn 1\n",
}


@dataclass(frozen=True)
class Bad:
    args: tuple[str, ...]
    says: tuple[str, ...]
    """Words the one line on stderr must contain."""


SLOW = {"missing nested attribute", "indentation error", "infinite timeout", "word timeout", "unknown option",
        "non-integer examples", "malformed target", "directory"}
"""Variations on a case the default suite already covers: run with -m slow."""

CASES = {
    "missing module": Bad(("no_such_module_xyz:make",), ("no module named 'no_such_module_xyz'",)),
    "missing file": Bad(("missing.py:make",), ("no such file: missing.py",)),
    "directory": Bad((".:make",), ("cannot load",)),
    "syntax error": Bad(("syntax_error.py:make",), ("syntax error", "syntax_error.py", "line 1")),
    "indentation error": Bad(("indentation.py:make",), ("indentation.py", "line 2")),
    "missing attribute": Bad(("fine.py:nothere",), ("has no attribute 'nothere'",)),
    "missing nested attribute": Bad(("json:no.such",), ("has no attribute 'no.such'",)),
    "non-callable attribute": Bad(("not_callable.py:make",), ("is a int, not a callable",)),
    "empty target": Bad(("",), ("target",)),
    "malformed target": Bad(("fine.py:ma-ke",), ("module:attr",)),
    "import raises": Bad((str(HOSTILE / "import_raises.py"),), ("ImportError: this script needs a GPU",)),
    "import exits": Bad((str(HOSTILE / "import_exit.py"),), ("sys.exit(5)",)),
    "import crashes": Bad((str(HOSTILE / "import_crash.py"),), ("signal 11",)),
    "import hangs": Bad((str(HOSTILE / "import_hang.py"), "--timeout", "1"), ("did not finish within 1 s",)),
    "unknown loss": Bad(("fine.py:make", "--loss", "hinge"), ("unknown loss 'hinge'", "half_sse")),
    "unknown check": Bad(("--only", "bogus"), ("--only", "bogus")),
    "zero examples": Bad(("--max-examples", "0"), ("--max-examples", "0")),
    "non-integer examples": Bad(("--max-examples", "abc"), ("--max-examples", "abc")),
    "negative seed": Bad(("--seed", "-1"), ("--seed", "-1")),
    "zero timeout": Bad(("--timeout", "0"), ("--timeout",)),
    "nan timeout": Bad(("--timeout", "nan"), ("--timeout", "nan")),
    "infinite timeout": Bad(("--timeout", "inf"), ("--timeout", "inf")),
    "word timeout": Bad(("--timeout", "soon"), ("--timeout", "soon")),
    "unknown option": Bad(("--frobnicate",), ("--frobnicate",)),
}


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


def _run(folder: Path, args: tuple[str, ...]) -> Ran:
    done = subprocess.run([sys.executable, "-m", "backprop", "check", *args], capture_output=True, text=True,
                          cwd=folder, timeout=300, stdin=subprocess.DEVNULL,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
    return Ran(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def runs(request, tmp_path_factory) -> dict[str, Ran]:
    """The selected cases, run two at a time."""
    params = [getattr(getattr(item, "callspec", None), "params", {}) for item in request.session.items
              if item.module is request.module]
    selected = {p["name"] for p in params if "name" in p}
    selected |= {"import crashes"}
    folder = tmp_path_factory.mktemp("invocations")
    for name, text in FILES.items():
        (folder / name).write_text(text)
    with ThreadPoolExecutor(2) as pool:
        futures = {name: pool.submit(_run, folder, CASES[name].args) for name in CASES if name in selected}
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("name", [pytest.param(name, marks=pytest.mark.slow) if name in SLOW else name
                                  for name in CASES])
def test_a_bad_invocation_exits_2_with_one_line_saying_what_is_wrong(runs, name):
    ran = runs[name]
    assert ran.returncode == 2, (ran.returncode, ran.stdout[-500:], ran.stderr[-2000:])
    assert "Traceback" not in ran.stderr
    lines = ran.stderr.strip().splitlines()
    assert len(lines) == 1, ran.stderr
    line = lines[0]
    assert re.match(r"backprop( check)?: error: ", line), line
    for words in CASES[name].says:
        assert words in line, line
    assert ran.stdout == ""


def test_the_error_line_names_the_problem_not_the_machinery(runs):
    """No internal names (sandbox, pickling, the target loader) leak into what the user reads."""
    for name, ran in runs.items():
        for internal in ("run_isolated", "pickle", "_try_load", "_backprop_target_", "Outcome("):
            assert internal not in ran.stderr, (name, ran.stderr)


def test_a_crash_at_import_reads_as_english(runs):
    line = runs["import crashes"].stderr
    assert "it's process" not in line and "signal 11" in line
