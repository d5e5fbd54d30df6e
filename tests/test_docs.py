"""Every command and code block in the docs runs, and exits the way the text says.

Blocks come from docs/*.md and README.md, in document order:
- ```console blocks: each line starting with `$ ` is a command (a trailing `\\` continues it on
  the next line); the other lines are its output, shown to the reader and not compared, except
  a battery verdict ("6 passed · 7 failed · 0 errored · 0 skipped"), which must be what it printed.
  `backprop`, `python` and `pytest` at the start of a command run as `sys.executable -m backprop`,
  `sys.executable` and `sys.executable -m pytest`.  A command is expected to exit 0 unless it
  ends with a comment `# exits N`.
- ```python blocks: run with exec in a fresh namespace; one written as an interactive session
  (`>>> ` prompts) runs as a doctest, so its shown output is compared too.

Everything runs from the root of a copy of the repository (made once per test session), so that
a command which writes a file (`--plot docs/images/...`) leaves the working tree alone.

A marker comment on the line before a block changes how it is run:
- `<!-- skip-test: REASON -->` does not run it (REASON is shown in the skip);
- `<!-- slow-test -->` runs it only with `-m slow`;
- `<!-- raises: ValueError -->` (python blocks) expects that exception.
"""

from __future__ import annotations

import doctest
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INSIDE_DOCS_TEST = "BACKPROP_DOCS_TEST"
"""Set in the environment of documented commands, so that a documented `pytest` run of the whole
suite does not run this file again inside itself."""

COMMAND_TIMEOUT = 900.0
MIN_BLOCKS = 25
"""Fewer blocks than this means the extraction broke (or the docs vanished), not that all is well."""

_FENCE = re.compile(r"^(?P<indent>\s*)```\s*(?P<language>[\w+-]*)")
_MARKER = re.compile(r"^\s*<!--\s*(?P<name>skip-test|slow-test|raises)\s*:?\s*(?P<argument>.*?)\s*-->\s*$")
_EXIT_COMMENT = re.compile(r"\s+#\s*exits\s+(?P<code>\d+)\s*$")
_BATTERY_VERDICT = re.compile(r"^\s*\d+ passed · \d+ failed · \d+ errored · \d+ skipped\s*$")
_LEADING_PROGRAM = re.compile(r"(^|&&|\|\||;|\|)(\s*)(backprop|python3?|pytest)(?=\s|$)")


@dataclass(frozen=True)
class Command:
    text: str
    expected_exit: int = 0
    shown_output: tuple[str, ...] = field(default=(), compare=False)
    """The lines the doc shows after the command, up to the next `$ `."""

    def verdicts(self) -> list[str]:
        """The battery's summary lines ("6 passed · 7 failed · 0 errored · 0 skipped") the doc shows."""
        return [line.strip() for line in self.shown_output if _BATTERY_VERDICT.match(line)]


@dataclass(frozen=True)
class Block:
    path: Path
    line: int
    language: str
    text: str
    markers: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        name = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path.name
        return f"{name}:{self.line}"

    def commands(self) -> list[Command]:
        return console_commands(self.text)


def doc_files() -> list[Path]:
    files = sorted((ROOT / "docs").glob("*.md"))
    readme = ROOT / "README.md"
    return files + ([readme] if readme.exists() else [])


def extract_blocks(path: Path, text: str | None = None) -> list[Block]:
    """The ```console and ```python blocks of one markdown file, with the marker before each."""
    lines = (path.read_text(encoding="utf-8") if text is None else text).splitlines()
    blocks = []
    i = 0
    while i < len(lines):
        fence = _FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        start, indent, language = i, fence["indent"], fence["language"].lower()
        i += 1
        body = []
        while i < len(lines) and not re.match(r"^\s*```\s*$", lines[i]):
            body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i].lstrip())
            i += 1
        if i == len(lines):
            raise ValueError(f"{path}:{start + 1}: a ``` fence is never closed")
        i += 1
        if language not in ("console", "python", "py", "pycon"):
            continue
        markers = {}
        previous = start - 1
        while previous >= 0 and (marker := _MARKER.match(lines[previous])):
            markers[marker["name"]] = marker["argument"]
            previous -= 1
        kind = "console" if language == "console" else "python"
        blocks.append(Block(path, start + 1, kind, "\n".join(body) + "\n", markers))
    return blocks


def console_commands(text: str) -> list[Command]:
    """The `$ ` commands of a console block, continuation lines joined, with their expected exit code."""
    commands = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if not lines[i].startswith("$ "):
            i += 1
            continue
        command = lines[i][2:]
        while command.endswith("\\") and i + 1 < len(lines):
            i += 1
            command = command[:-1] + " " + lines[i].strip()
        i += 1
        shown = []
        while i < len(lines) and not lines[i].startswith("$ "):
            shown.append(lines[i])
            i += 1
        expected = _EXIT_COMMENT.search(command)
        if expected:
            commands.append(Command(command[:expected.start()].strip(), int(expected["code"]), tuple(shown)))
        else:
            commands.append(Command(command.strip(), 0, tuple(shown)))
    return commands


def shell_command(command: str, python: str = sys.executable) -> str:
    """The command with `backprop`, `python` and `pytest` run by this interpreter."""
    replacements = {"backprop": f"{python} -m backprop", "python": python, "python3": python,
                    "pytest": f"{python} -m pytest"}
    return _LEADING_PROGRAM.sub(lambda m: f"{m[1]}{m[2]}{replacements[m[3]]}", command)


def _all_blocks() -> list[Block]:
    return [block for path in doc_files() for block in extract_blocks(path)]


BLOCKS = _all_blocks()


def _param(block: Block) -> object:
    marks = []
    if "skip-test" in block.markers:
        marks.append(pytest.mark.skip(reason=f"marked skip-test in the doc: {block.markers['skip-test']}"))
    if "slow-test" in block.markers:
        marks.append(pytest.mark.slow)
    if needs_benchmark(block) and importlib.util.find_spec("pytest_benchmark") is None:
        marks.append(pytest.mark.skip(reason="runs a benchmark, and pytest-benchmark is not installed "
                                      "(pip install -e '.[bench]')"))
    return pytest.param(block, id=block.id, marks=marks)


def needs_benchmark(block: Block) -> bool:
    """Whether a block runs pytest-benchmark (a command with --benchmark-only, or on benchmarks/)."""
    return any("--benchmark-" in c.text or " benchmarks" in c.text for c in block.commands())


def _working_tree_files() -> list[str] | None:
    """The files git sees in the working tree (tracked, or untracked and not ignored); None without git."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                                cwd=ROOT, capture_output=True, check=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return [name for name in listed.stdout.decode().split("\0") if name and (ROOT / name).is_file()]


@pytest.fixture(scope="session")
def repository_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the working tree, as git sees it (no caches, no ignored files), to run the commands in."""
    copy = tmp_path_factory.mktemp("docs") / "repository"
    files = _working_tree_files()
    if files is None:
        ignore = shutil.ignore_patterns(".git", "__pycache__", ".tox", ".benchmarks", "*.egg-info", "mutants",
                                        ".mypy_cache", ".ruff_cache", ".hypothesis", ".pytest_cache")
        shutil.copytree(ROOT, copy, ignore=ignore, symlinks=True)
        return copy
    for name in files:
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, copy / name)
    return copy


def _environment() -> dict[str, str]:
    return {**os.environ, "MPLBACKEND": "Agg", INSIDE_DOCS_TEST: "1", "COLUMNS": "100"}


pytestmark = pytest.mark.skipif(os.environ.get(INSIDE_DOCS_TEST) == "1",
                                reason="already running inside a documented command")


@pytest.mark.parametrize("block", [_param(b) for b in BLOCKS if b.language == "console"])
def test_console_block(block: Block, repository_copy: Path) -> None:
    commands = block.commands()
    assert commands, f"{block.id}: a console block without a `$ ` command"
    for command in commands:
        finished = subprocess.run(shell_command(command.text), shell=True, executable="/bin/bash",
                                  cwd=repository_copy, env=_environment(), capture_output=True, text=True,
                                  timeout=COMMAND_TIMEOUT)
        assert finished.returncode == command.expected_exit, (
            f"{block.id}: `{command.text}` exited {finished.returncode}, the doc implies "
            f"{command.expected_exit}\n--- stdout\n{finished.stdout[-3000:]}"
            f"\n--- stderr\n{finished.stderr[-3000:]}")
        printed = [line.strip() for line in finished.stdout.splitlines()]
        for verdict in command.verdicts():
            assert verdict in printed, (f"{block.id}: the doc shows `{verdict}` after `{command.text}`, "
                                        f"but it printed:\n{finished.stdout[-3000:]}")


@pytest.mark.parametrize("block", [_param(b) for b in BLOCKS if b.language == "python"])
def test_python_block(block: Block, repository_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repository_copy)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    if block.text.lstrip().startswith(">>>"):
        _run_doctest(block)
        return
    code = compile(block.text, block.id, "exec")
    expected = block.markers.get("raises")
    if expected:
        with pytest.raises(Exception) as raised:  # noqa: B017 (the doc names the type; checked below)
            exec(code, {"__name__": "__docs__"})
        assert type(raised.value).__name__ == expected, f"{block.id}: raised {raised.value!r}, not {expected}"
    else:
        exec(code, {"__name__": "__docs__"})


def _run_doctest(block: Block) -> None:
    test = doctest.DocTestParser().get_doctest(block.text, {"__name__": "__docs__"}, block.id,
                                               str(block.path), block.line)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)


def test_enough_blocks_are_found_for_the_test_to_mean_something() -> None:
    assert len(BLOCKS) >= MIN_BLOCKS, f"only {len(BLOCKS)} blocks found in {[str(p) for p in doc_files()]}"
    tutorial = [b for b in BLOCKS if b.path.name == "tutorial.md"]
    assert sum(len(b.commands()) for b in tutorial if b.language == "console") >= 4
    assert any(c.expected_exit == 1 for b in tutorial if b.language == "console" for c in b.commands())
    assert any(b.language == "python" for b in tutorial)


UNTESTED_SHELL_FENCES = ("sh", "bash", "shell", "zsh")
_LOOKS_LIKE_A_COMMAND = re.compile(
    r"^\s*(\$ )?(pip3? +install|python3? +(-m +\w|\S+\.py)|pytest( |$)|tox( |$)"
    r"|backprop +(check|demo|bench)( |$))")
"""A command line; not the output lines that also start with a program's name ("backprop 0.1.0 ·",
"backprop check: error: ...")."""


def hidden_commands(name: str, text: str) -> list[str]:
    """Fences this test does not run that hold commands: ```sh and the like, or a bare ``` block
    whose lines read as commands (pip, python, pytest, backprop, tox)."""
    hidden = []
    lines = text.splitlines()
    inside: str | None = None
    for number, line in enumerate(lines, 1):
        fence = _FENCE.match(line)
        if inside is None and fence:
            inside = fence["language"].lower()
            if inside in UNTESTED_SHELL_FENCES:
                hidden.append(f"{name}:{number}: ```{inside}")
            elif inside == "":
                body = []
                for later in lines[number:]:
                    if re.match(r"^\s*```", later):
                        break
                    body.append(later)
                if any(_LOOKS_LIKE_A_COMMAND.match(b) for b in body):
                    hidden.append(f"{name}:{number}: ``` (no language) holding commands")
        elif inside is not None and re.match(r"^\s*```\s*$", line):
            inside = None
    return hidden


def test_no_command_hides_in_a_fence_this_test_does_not_run() -> None:
    """Commands belong in ```console blocks with `$ ` prompts; a ```sh block would go unchecked."""
    hidden = [entry for path in doc_files()
              for entry in hidden_commands(str(path.relative_to(ROOT)), path.read_text(encoding="utf-8"))]
    assert not hidden, ("write commands as ```console blocks with `$ ` prompts (mark one that must not run "
                        "with <!-- skip-test: reason -->):\n" + "\n".join(hidden))


# ----------------------------------------------------------------------------- the extraction itself

_SAMPLE = """\
# Title

```console
$ backprop check examples/tutorial/mynet.py:make   # exits 1
FAILED hidden-delta
$ python -c "print(1)" \\
    --flag
1
```

<!-- skip-test: needs torch -->
```python
import torch
```

Text, then a fence in another language, which is not run:

```bash
echo "not run"
```

- in a list:
  <!-- raises: ValueError -->
  ```python
  raise ValueError("x")
  ```
"""


def test_extraction_finds_commands_exit_codes_markers_and_indented_blocks(tmp_path: Path) -> None:
    blocks = extract_blocks(tmp_path / "sample.md", _SAMPLE)
    assert [(b.line, b.language) for b in blocks] == [(3, "console"), (12, "python"), (24, "python")]
    assert blocks[0].commands() == [
        Command("backprop check examples/tutorial/mynet.py:make", 1),
        Command('python -c "print(1)"  --flag', 0),
    ]
    assert blocks[0].commands()[0].shown_output == ("FAILED hidden-delta",)
    assert blocks[0].commands()[1].shown_output == ("1",)
    assert blocks[1].markers == {"skip-test": "needs torch"}
    assert blocks[2].markers == {"raises": "ValueError"}
    assert blocks[2].text == 'raise ValueError("x")\n'
    assert not needs_benchmark(blocks[0])


def test_a_block_that_runs_a_benchmark_is_known_as_one(tmp_path: Path) -> None:
    text = ("```console\n$ python -m pytest benchmarks/test_bench_battery.py --benchmark-only -s\n```\n\n"
            "```console\n$ backprop check --only descent\n```\n")
    bench, plain = extract_blocks(tmp_path / "bench.md", text)
    assert needs_benchmark(bench) and not needs_benchmark(plain)


def test_an_unclosed_fence_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="never closed"):
        extract_blocks(tmp_path / "broken.md", "```console\n$ backprop check\n")


def test_programs_are_mapped_to_this_interpreter_only_where_a_command_starts() -> None:
    assert shell_command("backprop check x:make --plot p.png", "PY") == (
        "PY -m backprop check x:make --plot p.png")
    assert shell_command("python -m backprop demo xor", "PY") == "PY -m backprop demo xor"
    assert shell_command("pytest --backprop-impl m:make && backprop demo", "PY") == (
        "PY -m pytest --backprop-impl m:make && PY -m backprop demo")
    assert shell_command("ls backprop | head", "PY") == "ls backprop | head"


def test_an_interactive_session_block_is_checked_against_its_shown_output(tmp_path: Path) -> None:
    right = Block(tmp_path / "s.md", 1, "python", ">>> 1 + 1\n2\n")
    wrong = Block(tmp_path / "s.md", 1, "python", ">>> 1 + 1\n3\n")
    _run_doctest(right)
    with pytest.raises(AssertionError, match="Expected:"):
        _run_doctest(wrong)


def test_hidden_commands_are_found_in_shell_and_bare_fences_but_not_in_output() -> None:
    text = ("```sh\npip install .\n```\n\n```\npython -m pytest benchmarks\n```\n\n"
            "```\n  vectorised central: 0.05 s\n```\n\n```console\n$ backprop check\n```\n\n"
            "```\nbackprop 0.1.0 · target x:make\nbackprop check: error: cannot load x\n```\n")
    assert hidden_commands("d.md", text) == [
        "d.md:1: ```sh", "d.md:5: ``` (no language) holding commands"]


def test_a_battery_verdict_shown_in_a_doc_is_recognised() -> None:
    command = console_commands("$ backprop check x.py:make   # exits 1\n  table\n\n  6 passed · 7 failed · "
                               "0 errored · 0 skipped\n\nFAILED ...\n")[0]
    assert command.verdicts() == ["6 passed · 7 failed · 0 errored · 0 skipped"]
