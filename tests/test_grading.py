"""`backprop grade`: discovery, the assignment file, the worker pool, scoring, the four output formats
(each against its specification), exit codes, and the atomic write of every output file."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from backprop.battery.command import add_battery_options
from backprop.cli import build_parser, main
from backprop.grading.assignment import Assignment, AssignmentError, load
from backprop.grading.discovery import DiscoveryError, Submission, defines, discover
from backprop.grading.formats import to_gradescope, to_junit, write_atomically
from backprop.grading.pool import Graded, grade_all
from backprop.grading.progress import Progress
from backprop.grading.scoring import grade

ROOT = Path(__file__).resolve().parents[1]
SUBMISSIONS = ROOT / "examples" / "submissions"
HANGS = ROOT / "tests" / "grading" / "hangs.py"
CRASHES = ROOT / "tests" / "grading" / "crashes.py"
CORRECT = ("article_network.py", "nielsen_style.py", "vectorised_layers.py")
BUGGY = {"derivative_at_output.py": "dz-is-fprime-of-z", "nielsen_missing_fprime.py": "output-delta",
         "sign_flipped_error.py": "output-delta"}
"""Each buggy example and the first failure in causal order it must show."""

FAST = ["--only", "dz-is-fprime-of-z", "output-delta", "predict-is-forward", "--max-examples", "2"]
"""Three quick checks: enough to tell every example apart (the options come after the paths)."""


def battery_actions() -> list:
    import argparse

    return add_battery_options(argparse.ArgumentParser(add_help=False))


# ---------------------------------------------------------------------------------------- discovery

def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_a_folder_of_files_and_subfolders_is_one_submission_each(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "class" / "bob.py", "def make(layers, activation): pass\n")
    write(tmp_path / "class" / "ann.py", "from elsewhere import make\n")
    write(tmp_path / "class" / "carl" / "net.py", "make = None\n")
    write(tmp_path / "class" / "carl" / "helpers.py", "def sigmoid(z): pass\n")
    write(tmp_path / "class" / "dora" / "a.py", "x = 1\n")
    write(tmp_path / "class" / "dora" / "b.py", "y = 1\n")
    write(tmp_path / "class" / "eve" / "a.py", "def make(): pass\n")
    write(tmp_path / "class" / "eve" / "b.py", "def make(): pass\n")
    write(tmp_path / "class" / "_private.py", "def make(): pass\n")
    found = discover(["class"])
    assert [s.name for s in found] == [
        "class/ann.py", "class/bob.py", "class/carl/", "class/dora/", "class/eve/"]
    by_name = {s.name: s for s in found}
    assert by_name["class/carl/"].target == f"{tmp_path / 'class' / 'carl' / 'net.py'}:make"
    assert by_name["class/dora/"].problem == "no .py file in class/dora/ defines make"
    assert "several files in class/eve/ define make (a.py, b.py)" in str(by_name["class/eve/"].problem)
    # The folder of one submission given directly, and a glob, name the same submissions.
    assert discover(["class/carl"]) == [Submission("class/carl/", by_name["class/carl/"].target)]
    assert [s.name for s in discover(["class/*.py", "class/bob.py"])] == ["class/ann.py", "class/bob.py"]


def test_defines_reads_the_file_without_running_it(tmp_path: Path) -> None:
    assert defines(str(write(tmp_path / "a.py", "import os\nos._exit(3)\ndef build(): pass\n")), "build")
    assert not defines(str(write(tmp_path / "b.py", "def f():\n    def make(): pass\n")), "make")
    assert not defines(str(write(tmp_path / "c.py", "def make(:\n")), "make")


@pytest.mark.parametrize(("paths", "message"), [
    (["missing.py"], "no such file or folder: missing.py"),
    (["nothing-*.py"], "no file or folder matches nothing-*.py"),
    (["empty"], "no submission found in empty"),
    (["notes.txt"], "notes.txt is neither a .py file nor a folder"),
])
def test_paths_that_name_no_submission_are_one_sentence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        paths: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("")
    with pytest.raises(DiscoveryError, match="^" + message.replace("*", r"\*").replace(".", r"\.")):
        discover(paths)


# --------------------------------------------------------------------------------------- assignment

ASSIGNMENT = """\
factory = "build"
skipped-scores = true

[battery]
only = ["output-delta", "hidden-delta"]
max-examples = 4
timeout = 20

[points]
output-delta = 2
hidden-delta = 0.5
"""


def test_an_assignment_file_gives_settings_points_and_the_factory(tmp_path: Path) -> None:
    path = write(tmp_path / "hw3.toml", ASSIGNMENT)
    assignment = load(str(path), battery_actions())
    assert assignment.factory == "build"
    assert assignment.skipped_scores is True
    assert assignment.battery == {
        "only": ["output-delta", "hidden-delta"], "max_examples": 4, "timeout": 20.0}
    assert (assignment.points_of("output-delta"), assignment.points_of("hidden-delta"),
            assignment.points_of("descent")) == (2.0, 0.5, 1.0)


@pytest.mark.parametrize(("text", "message"), [
    ('factory = "make"\n[points\n', r"hw\.toml, line 2: not valid TOML"),
    ('factory = "make"\ncolour = 3\n', r"hw\.toml, line 2: unknown setting 'colour'"),
    ('[battery]\nmax-examples = "ten"\n', r"hw\.toml, line 2: max-examples must be an integer, not 'ten'"),
    ('[battery]\n\nmax-examples = 2.5\n', r"hw\.toml, line 3: max-examples must be an integer"),
    ('[battery]\nonly = ["output-delta", "nope"]\n', r"line 2: only: unknown value 'nope'"),
    ('[battery]\nplot = "x.png"\n', r"line 2: unknown battery option 'plot'"),
    ('[points]\noutput-delta = -1\n', r"line 2: the points of output-delta must be a number 0 or more"),
    ('[points]\nno-such-check = 1\n', r"line 2: unknown check 'no-such-check' in \[points\]"),
    ('points = 3\n', r"line 1: points must be a table"),
    ('skipped-scores = "yes"\n', r"line 1: skipped-scores must be true or false"),
    ('factory = "not a name"\n', r"line 1: factory must be a Python name"),
])
def test_a_malformed_assignment_is_one_sentence_with_its_line(tmp_path: Path, text: str,
                                                              message: str) -> None:
    path = write(tmp_path / "hw.toml", text)
    with pytest.raises(AssignmentError, match=message):
        load(str(path), battery_actions())


def test_without_tomllib_the_assignment_says_it_needs_python_3_11(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "tomllib", None)  # as on Python 3.10
    with pytest.raises(AssignmentError, match=r"^--assignment needs Python 3\.11 or newer"):
        load(str(write(tmp_path / "hw.toml", "")), battery_actions())


# ------------------------------------------------------------------------------------- option sharing

def options_of(command: str) -> set[str]:
    parser = build_parser([command])
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]  # type: ignore[union-attr]
    return {option for action in sub._actions for option in action.option_strings}


def test_every_battery_option_is_an_option_of_check_and_of_grade() -> None:
    battery = {option for action in battery_actions() for option in action.option_strings}
    assert battery >= {"--loss", "--max-examples", "--seed", "--only", "--timeout"}
    assert battery <= options_of("check")
    assert battery <= options_of("grade")


# --------------------------------------------------------------------------------- the whole command

@pytest.fixture(scope="module")
def class_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One grading of the six examples, the hanging and the crashing submission, with every file
    format but Gradescope's (which is for one submission)."""
    folder = tmp_path_factory.mktemp("class")
    for name in (*CORRECT, *BUGGY):
        shutil.copy(SUBMISSIONS / name, folder / name)
    shutil.copy(HANGS, folder / "hangs.py")
    shutil.copy(CRASHES, folder / "crashes.py")
    (folder / "_layered.py").write_text("")  # a helper module: not a submission
    out = tmp_path_factory.mktemp("out")
    paths = {kind: out / f"grades.{kind}" for kind in ("csv", "json", "junit")}
    command = [sys.executable, "-m", "backprop", "grade", str(folder), *FAST, "-j", "2",
               "--timeout", "30", "--time-limit", "20", *(f"--{k}={p}" for k, p in paths.items())]
    import subprocess

    finished = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=folder)
    return {"finished": finished, "folder": folder, **paths}


def rows(table: str) -> dict[str, str]:
    return {line.split()[0].rsplit("/", 1)[-1]: line for line in table.splitlines() if ".py" in line}


def test_the_class_run_exits_3_and_tells_each_submission_apart(class_run: dict[str, Any]) -> None:
    finished = class_run["finished"]
    assert finished.returncode == 3, finished.stderr
    # not a terminal: no progress display (as root without an interpreter other users can run, a warning)
    assert all(line.startswith("backprop grade: warning: ") for line in finished.stderr.splitlines())
    table = rows(finished.stdout)
    assert sorted(table) == sorted([*CORRECT, *BUGGY, "hangs.py", "crashes.py"])
    scores = {"article_network.py": "3/3", "vectorised_layers.py": "3/3", "nielsen_style.py": "2/2",
              "derivative_at_output.py": "1/3", "sign_flipped_error.py": "2/3",
              "nielsen_missing_fprime.py": "1/2"}
    for name, score in scores.items():
        assert table[name].split()[5] == score, table[name]
    for name in CORRECT:
        assert table[name].split()[2:4] == ["0", "0"], table[name]  # nothing failed or errored
    for name, first in BUGGY.items():
        assert f"  {first} at layer 1 of 1" in table[name], table[name]
    assert "could not be graded: it did not finish within the limit of 20 s" in table["hangs.py"]
    assert "could not be graded: cannot load" in table["crashes.py"]
    assert "crash in native code" in table["crashes.py"]
    assert "8 submissions · 6 graded · 3 without a failure · 2 could not be graded" in finished.stdout


def test_the_csv_has_one_row_a_submission_with_score_and_root_cause(class_run: dict[str, Any]) -> None:
    with open(class_run["csv"], newline="") as stream:
        records = {Path(r["submission"]).name: r for r in csv.DictReader(stream)}
    assert len(records) == 8
    assert records["article_network.py"]["score"] == records["article_network.py"]["max_score"] == "3"
    sign = records["sign_flipped_error.py"]
    assert (sign["graded"], sign["first_failure"], sign["output-delta"], sign["dz-is-fprime-of-z"]) == (
        "yes", "output-delta", "failed", "passed")
    assert sign["where"] == "layer 1 of 1, unit 0" and sign["score"] == "2"
    assert records["hangs.py"]["graded"] == "no"
    assert records["hangs.py"]["reason"].startswith("could not be graded: it did not finish")


def test_the_json_holds_every_result_with_first_failure_and_follows_from(class_run: dict[str, Any]) -> None:
    data = json.loads(Path(class_run["json"]).read_text())
    assert data["settings"]["only"] == ["dz-is-fprime-of-z", "output-delta", "predict-is-forward"]
    by_name = {Path(s["name"]).name: s for s in data["submissions"]}
    derivative = by_name["derivative_at_output.py"]
    assert derivative["first_failure"] == "dz-is-fprime-of-z"
    checks = {r["id"]: r for r in derivative["battery"]["results"]}
    assert checks["dz-is-fprime-of-z"]["first_failure"] is True
    assert checks["dz-is-fprime-of-z"]["follows_from"] is None
    assert checks["output-delta"]["status"] == "failed"
    assert checks["output-delta"]["follows_from"] == "dz-is-fprime-of-z"
    assert checks["output-delta"]["first_failure"] is False
    assert checks["output-delta"]["minimal_case"]["layers"]  # the full result: cases included
    assert by_name["crashes.py"]["graded"] is False and by_name["crashes.py"]["battery"] is None
    assert by_name["hangs.py"]["error"] == "it did not finish within the limit of 20 s"


def test_the_junit_file_follows_the_junit_schema(class_run: dict[str, Any]) -> None:
    root = ET.parse(class_run["junit"]).getroot()
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 8
    for suite in suites:
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "")) == len(cases)
        for attribute, child in (("failures", "failure"), ("errors", "error"), ("skipped", "skipped")):
            counted = sum(c.find(child) is not None for c in cases)
            assert int(suite.get(attribute, "")) == counted, suite.get("name")
        for case in cases:
            assert case.get("classname") == suite.get("name") and case.get("name")
        float(suite.get("time", ""))
    for attribute in ("tests", "failures", "errors", "skipped"):
        assert int(root.get(attribute, "")) == sum(int(s.get(attribute, "")) for s in suites)
    by_name = {Path(s.get("name", "")).name: s for s in suites}
    failure = by_name["sign_flipped_error.py"].find("testcase[@name='output-delta']/failure")
    assert failure is not None and "layer 1 of 1, unit 0" in failure.get("message", "")
    assert [c.get("name") for c in by_name["sign_flipped_error.py"]] == [
        "dz-is-fprime-of-z", "output-delta", "predict-is-forward"]
    nielsen = by_name["nielsen_style.py"]
    assert nielsen.get("skipped") == "1" and nielsen.find("testcase/skipped") is not None
    hang = by_name["hangs.py"]
    assert (hang.get("tests"), hang.get("errors")) == ("1", "1")
    assert "did not finish" in hang.find("testcase/error").get("message", "")  # type: ignore[union-attr]


# --------------------------------------------------------------------------------------- gradescope

def test_gradescope_results_have_the_fields_gradescope_reads(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    code = main(["grade", str(SUBMISSIONS / "derivative_at_output.py"), *FAST, "--gradescope", str(out)])
    assert code == 0
    data = json.loads(out.read_text())
    assert data["score"] == 1
    assert isinstance(data["output"], str) and "dz-is-fprime-of-z" in data["output"]
    assert [t["name"] for t in data["tests"]] == ["dz-is-fprime-of-z", "output-delta", "predict-is-forward"]
    for test in data["tests"]:
        assert set(test) == {"name", "score", "max_score", "status", "output"}
        assert test["status"] in ("passed", "failed") and test["max_score"] == 1
        assert test["score"] == (1 if test["status"] == "passed" else 0)
    statuses = {t["name"]: t["status"] for t in data["tests"]}
    assert statuses == {
        "dz-is-fprime-of-z": "failed", "output-delta": "failed", "predict-is-forward": "passed"}
    assert "follow from the dz-is-fprime-of-z failure" in data["tests"][1]["output"]
    assert sum(t["score"] for t in data["tests"]) == data["score"]


def test_gradescope_results_of_an_ungradable_submission_say_why() -> None:
    graded = Graded(Submission("x.py", "x.py:make"), None, "it did not finish within the limit of 3 s", 3.0)
    data = json.loads(to_gradescope(grade(graded, Assignment())))
    assert data == {"score": 0, "output": "could not be graded: it did not finish within the limit of 3 s",
                    "tests": []}


# ------------------------------------------------------------------------------------ scoring, unit

def battery_json(*checks: dict[str, Any]) -> dict[str, Any]:
    return {"target": "t", "protocol": "layer-level", "loss": "half_sse", "seed": 0, "max_examples": 2,
            "passed": False, "counts": {}, "results": [{"summary": "", "where": "", **c} for c in checks]}


def test_points_skipped_checks_and_the_root_cause_with_a_finding() -> None:
    result = battery_json(
        {"id": "activation-derivative", "status": "skipped", "summary": "no activation_prime"},
        {"id": "output-delta", "status": "failed", "summary": "the output delta is wrong", "where": "layer 2",
         "findings": [{"kind": "sign-flipped", "sentence": "its sign is flipped", "factor": -1.0}]},
        {"id": "hidden-delta", "status": "failed", "summary": "the hidden delta is wrong"},
        {"id": "predict-is-forward", "status": "passed"},
        {"id": "descent", "status": "errored", "summary": "it raised"},
    )
    graded = Graded(Submission("s.py", "s.py:make"), result, None, 1.0)
    points = {"output-delta": 3.0, "predict-is-forward": 2.0, "activation-derivative": 5.0}
    plain = grade(graded, Assignment(points=points))
    assert (plain.score, plain.max_score) == (2.0, 3 + 1 + 2 + 1)  # the skipped check is left out
    kind = grade(graded, Assignment(points=points, skipped_scores=True))
    assert (kind.score, kind.max_score) == (7.0, 5 + 3 + 1 + 2 + 1)
    assert plain.root_cause() == "output-delta at layer 2: sign-flipped"
    hidden = next(c for c in plain.checks if c.id == "hidden-delta")
    assert hidden.follows_from == "output-delta" and not hidden.first_failure
    assert plain.counts() == {"passed": 1, "failed": 2, "errored": 1, "skipped": 1}
    without_finding = battery_json({"id": "hidden-delta", "status": "failed", "summary": "it is wrong"})
    only = grade(Graded(Submission("s.py", "s.py:make"), without_finding, None, 1.0), Assignment())
    assert only.root_cause() == "hidden-delta: it is wrong"


def test_a_junit_error_is_not_counted_as_a_failure_and_stays_valid_xml() -> None:
    result = battery_json({"id": "descent", "status": "errored", "summary": "it raised \x1b[31m\x00"})
    root = ET.fromstring(to_junit([grade(Graded(Submission("s.py", "s.py:make"), result, None, 1.0),
                                         Assignment())]))
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("failures"), suite.get("errors")) == ("0", "1")
    error = suite.find("testcase/error")
    assert error is not None and error.get("message") == "it raised \ufffd[31m\ufffd"


# ----------------------------------------------------------------------------------------- the pool

PRINT_GARBAGE = "import sys; sys.stdin.read(); print('not json')"
CRASH = "import os, signal, sys; sys.stdin.read(); os.kill(os.getpid(), signal.SIGSEGV)"
HANG = "import sys, time; sys.stdin.read(); time.sleep(60)"
EXIT = "import os, sys; sys.stdin.read(); os._exit(4)"


@pytest.mark.parametrize(("script", "sentence"), [
    (PRINT_GARBAGE, "its grading process wrote something other than a result"),
    (CRASH, "its grading process was killed by SIGSEGV"),
    (HANG, "it did not finish within the limit of 2 s"),
    (EXIT, "its grading process exited with code 4 without a result"),
])
def test_a_worker_that_misbehaves_costs_only_its_own_row(script: str, sentence: str) -> None:
    submissions = [Submission("a.py", "a.py:make"), Submission("b.py", "b.py:make")]
    graded = grade_all(submissions, {}, jobs=2, limit=2.0, command=[sys.executable, "-c", script])
    assert [(g.submission.name, g.result, g.error) for g in graded] == [
        ("a.py", None, sentence), ("b.py", None, sentence)]


def test_the_worker_reads_its_request_from_a_pipe_not_from_argv_or_the_environment(tmp_path: Path) -> None:
    seen = tmp_path / "seen.json"
    spy = ("import json, os, sys; request = json.load(sys.stdin); "
           "seen = {'argv': sys.argv, 'env': dict(os.environ), 'cwd': os.getcwd()}; "
           f"json.dump(seen, open({str(seen)!r}, 'w')); "
           "json.dump({'error': 'spied ' + request['target']}, sys.stdout)")
    graded = grade_all([Submission("a.py", "/somewhere/a.py:make")], {"seed": 3}, jobs=1, limit=10.0,
                       command=[sys.executable, "-c", spy])
    assert graded[0].error == "spied /somewhere/a.py:make"
    record = json.loads(seen.read_text())
    assert "/somewhere/a.py" not in " ".join(record["argv"]) + json.dumps(record["env"])
    assert not Path(record["cwd"]).exists()  # a scratch folder, removed once the submission is done


# ------------------------------------------------------------------------------------------- outputs

def test_a_submission_that_writes_the_graders_output_path_does_not_change_the_file(tmp_path: Path) -> None:
    out = {kind: tmp_path / "out" / f"grades.{kind}" for kind in ("csv", "json", "junit")}
    out["csv"].parent.mkdir()
    cheat = tmp_path / "cheat.py"
    witness = tmp_path / "the-attack-ran"
    attack = "def cheat():\n" + "".join(f"    open({str(path)!r}, 'w').write('CHEATED')\n"
                                        for path in [*out.values(), witness])
    source = SUBMISSIONS.joinpath("sign_flipped_error.py").read_text()
    cheat.write_text(attack + "\n\ncheat()\n" + source.replace(
        "def make(layers, activation):", "def make(layers, activation):\n    cheat()"))  # at import, in make
    assert "CHEATED" in cheat.read_text()
    code = main(["grade", str(cheat), *FAST, "--user", "root",  # as root, so that the attack can write
                 *(f"--{kind}={path}" for kind, path in out.items())])
    assert code == 0
    assert witness.read_text() == "CHEATED"  # the submission did write, and was overwritten
    for path in out.values():
        assert "CHEATED" not in path.read_text()
    assert next(csv.DictReader(io.StringIO(out["csv"].read_text())))["first_failure"] == "output-delta"
    left = [p for p in out["csv"].parent.iterdir() if p.name.startswith(".backprop-")]
    assert not left  # no temporary file is left behind


def test_an_atomic_write_replaces_whatever_was_at_the_path(tmp_path: Path) -> None:
    target = tmp_path / "grades.csv"
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("keep me")
    target.symlink_to(elsewhere)  # a link planted at the path is replaced, not followed
    write_atomically(str(target), "new\n")
    assert target.read_text() == "new\n" and not target.is_symlink()
    assert elsewhere.read_text() == "keep me"


# ------------------------------------------------------------------------------------------ exit codes

@pytest.mark.parametrize(("arguments", "message"), [
    (["grade"], "the following arguments are required: PATH"),
    (["grade", "x.py", "--colour"], "unrecognized arguments: --colour"),
    (["grade", "{empty}"], "no submission found in"),
    (["grade", "{examples}", "--gradescope", "{tmp}/r.json"], "--gradescope writes the results of one"),
    (["grade", "{examples}", "--assignment", "{tmp}/bad.toml"], "bad.toml, line 1: not valid TOML"),
    (["grade", "{examples}", "--csv", "{tmp}/no/such/g.csv"], "cannot write --csv"),
    (["grade", "{examples}", "--max-examples", "0"], "--max-examples must be a positive integer, not 0"),
    (["grade", "{examples}", "--loss", "nope"], "nope"),
    (["grade", "{examples}", "-j", "0"], "-j must be 1 or more, not 0"),
    (["grade", "{examples}", "--factory", "not-a-name"], "--factory must be a Python name"),
    (["grade", "{examples}", "--user", "no-such-user-here"], "no user named 'no-such-user-here'"),
    (["grade", "{examples}", "--subject-python", "{tmp}/no-python"], "there is no interpreter"),
])
def test_bad_usage_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         arguments: list[str], message: str) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "bad.toml").write_text("[points\n")
    values = {"empty": str(tmp_path / "empty"), "examples": str(SUBMISSIONS), "tmp": str(tmp_path)}
    arguments = [a.format(**values) for a in arguments]
    with pytest.raises(SystemExit) as raised:  # argparse's own errors exit; the command's return 2
        raise SystemExit(main(arguments))
    assert raised.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err and len(captured.err.strip().splitlines()) == 1, captured.err
    assert "Traceback" not in captured.err


def test_an_assignment_sets_the_battery_and_the_command_line_wins(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assignment = write(tmp_path / "hw.toml", '[battery]\nonly = ["output-delta"]\nmax-examples = 2\n'
                                            'seed = 5\n[points]\noutput-delta = 4\n')
    out = tmp_path / "g.json"
    code = main(["grade", str(SUBMISSIONS / "article_network.py"), "--assignment", str(assignment),
                 "--seed", "1", "--json", str(out)])
    assert code == 0
    data = json.loads(out.read_text())
    assert (data["settings"]["only"], data["settings"]["max_examples"], data["settings"]["seed"]) == (
        ["output-delta"], 2, 1)
    assert (data["submissions"][0]["score"], data["submissions"][0]["max_score"]) == (4, 4)
    assert "4/4" in capsys.readouterr().out


def test_help_documents_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["grade", "--help"])
    text = capsys.readouterr().out
    for line in ("0  every submission was graded", "2  bad usage",
                 "3  at least one submission could not be graded"):
        assert line in text


# ------------------------------------------------------------------------------------------- progress

class FakeTerminal(io.StringIO):
    def __init__(self, terminal: bool) -> None:
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


@pytest.mark.parametrize("terminal", [True, False])
def test_progress_is_shown_on_a_terminal_only(terminal: bool) -> None:
    stream = FakeTerminal(terminal)
    progress = Progress(3, stream)
    progress(Graded(Submission("a.py"), {"passed": False, "results": []}, None, 1.0))
    progress(Graded(Submission("b.py"), None, "it crashed", 1.0))
    progress.close()
    if terminal:
        assert "2/3 graded · 1 failing · 1 could not be graded · about" in stream.getvalue()
    else:
        assert stream.getvalue() == ""



def test_the_assignment_shown_in_the_docs_is_the_shipped_one() -> None:
    text = (ROOT / "docs" / "grading.md").read_text(encoding="utf-8")
    shown = text.split("```toml\n", 1)[1].split("```", 1)[0]
    shipped = (ROOT / "examples" / "assignment.toml").read_text(encoding="utf-8")
    assert shipped.endswith(shown)
    load(str(ROOT / "examples" / "assignment.toml"), battery_actions())  # and it loads


def test_no_more_than_jobs_workers_exist_at_once(tmp_path: Path) -> None:
    """Each fake worker counts the workers alive when it starts (one marker file each)."""
    alive = tmp_path / "alive"
    alive.mkdir()
    counter = ("import json, os, sys, time; sys.stdin.read(); "
               f"mine = os.path.join({str(alive)!r}, str(os.getpid())); open(mine, 'w').close(); "
               f"seen = len(os.listdir({str(alive)!r})); time.sleep(0.3); os.unlink(mine); "
               "json.dump({'error': str(seen)}, sys.stdout)")
    submissions = [Submission(f"{i}.py", f"{i}.py:make") for i in range(6)]
    graded = grade_all(submissions, {}, jobs=2, limit=30.0, command=[sys.executable, "-c", counter])
    seen = [int(g.error or "0") for g in graded]
    assert len(seen) == 6 and max(seen) <= 2 and min(seen) >= 1, seen
    assert [g.submission.name for g in graded] == [s.name for s in submissions]  # in the order given


@pytest.mark.slow  # the whole battery on each of the six examples: about a minute
@pytest.mark.parametrize("name", [*CORRECT, *BUGGY])
def test_each_example_submission_gets_the_verdict_its_docstring_says(name: str) -> None:
    from backprop import check
    from backprop.battery.report import first_failure

    result = check(f"{SUBMISSIONS / name}:make", max_examples=5)
    if name in CORRECT:
        assert result.passed, result.failed_ids
    else:
        first = first_failure(result)
        assert first is not None and first.id == BUGGY[name], result.failed_ids


def test_an_argument_check_refuses_in_the_worker_stops_grading_with_exit_2(
        capsys: pytest.CaptureFixture[str]) -> None:
    """An option the grader does not check itself (here --hidden) is refused by check() in the first
    worker: one line, exit 2, and no table (the grades would all be wrong the same way)."""
    code = main(["grade", str(SUBMISSIONS / "article_network.py"), str(SUBMISSIONS / "nielsen_style.py"),
                 "--only", "output-delta", "--max-examples", "2", "--hidden", "5-1"])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err.startswith("backprop grade: error: hidden layers must be a range")
    assert len(captured.err.strip().splitlines()) == 1


def test_a_repeatable_battery_option_is_a_list_in_the_assignment(tmp_path: Path) -> None:
    path = write(tmp_path / "hw.toml", '[battery]\nlayers = ["2,3,1", "3,2"]\nactivation = "tanh"\n')
    assert load(str(path), battery_actions()).battery == {"layers": ["2,3,1", "3,2"], "activation": "tanh"}
    out = tmp_path / "g.json"
    code = main(["grade", str(SUBMISSIONS / "sign_flipped_error.py"), "--assignment", str(path),
                 "--only", "output-delta", "--max-examples", "2", "--json", str(out)])
    assert code == 0
    submission = json.loads(out.read_text())["submissions"][0]
    case = submission["battery"]["results"][0]["minimal_case"]
    assert case["layers"] in ([2, 3, 1], [3, 2])  # the assignment's settings reached check()
    assert case["activation"] == "tanh"
    assert submission["first_failure"] == "output-delta"


def test_a_submission_that_is_not_its_own_work_scores_nothing(tmp_path: Path) -> None:
    """A submission that patches the battery at import, or builds on the bundled reference network, gets
    the finding as its root cause and a score of 0, whatever its checks say."""
    tampers = tmp_path / "tampers"
    borrows = tmp_path / "borrows"
    for folder in (tampers, borrows):
        shutil.copytree(ROOT / "tests" / "integrity", folder)
    (borrows / "submission.py").write_text(
        "from backprop.network import NeuralNetwork\n\n\ndef make(layers, activation):\n"
        "    return NeuralNetwork(layers, activation)\n")
    for stray in tampers.glob("*.py"):
        if stray.name not in ("patches_battery_at_import.py", "_flipped.py"):
            stray.unlink()
    for stray in borrows.glob("*.py"):
        if stray.name != "submission.py":
            stray.unlink()
    out = tmp_path / "grades.csv"
    code = main(["grade", str(tampers / "patches_battery_at_import.py"), str(borrows / "submission.py"),
                 "--only", "output-delta", "predict-is-forward", "--max-examples", "2", f"--csv={out}"])
    assert code == 0
    rows = {row["submission"]: row for row in csv.DictReader(io.StringIO(out.read_text()))}
    assert len(rows) == 2
    for name, row in rows.items():
        assert float(row["score"]) == 0, (name, row)
    assert sorted(row["kind"] for row in rows.values()) == ["tampering", "uses-reference"]
    assert all(row["reason"].startswith(row["kind"] + ": ") for row in rows.values())


# ------------------------------------------------------------------------------- who runs the code

def test_one_named_user_for_several_jobs_is_refused() -> None:
    from backprop.grading.isolation import plan

    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("only root runs submissions as another user")
    with pytest.raises(ValueError, match="--user 61000 runs every submission as one user, so give -j 1"):
        plan("61000", None, jobs=2)
    assert plan("root", None, jobs=2).users == ()  # root, as asked: nothing to drop


def test_a_private_copy_holds_the_submission_and_its_helpers_only_for_its_user(tmp_path: Path) -> None:
    from backprop.grading.isolation import as_original, private_copy

    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("only root makes copies for another user")
    folder = tmp_path / "class"
    write(folder / "alice.py", "def make(layers, activation): ...\n")
    write(folder / "bob.py", "def make(layers, activation): ...\n")
    write(folder / "_common.py", "HELPER = 1\n")
    write(folder / "_data" / "table.txt", "1 2 3\n")
    (folder / "_link.py").symlink_to(folder / "bob.py")  # a link is copied as a link, never followed
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    target, copy, original = private_copy(Submission("alice.py", f"{folder / 'alice.py'}:make"),
                                          str(scratch), 61000)
    assert target == f"{scratch / 'submission' / 'alice.py'}:make" and original == str(folder.resolve())
    copied = Path(copy)
    assert sorted(p.name for p in copied.iterdir()) == ["_common.py", "_data", "_link.py", "alice.py"]
    assert (copied / "_link.py").is_symlink()
    for path in [scratch, copied, copied / "_data"]:
        assert (path.stat().st_uid, path.stat().st_gid, path.stat().st_mode & 0o777) == (0, 61000, 0o750)
    for path in [copied / "alice.py", copied / "_data" / "table.txt"]:
        assert (path.stat().st_uid, path.stat().st_gid, path.stat().st_mode & 0o777) == (0, 61000, 0o640)
    said = {"summary": f"raised at {copy}/alice.py:1", "list": [copy]}
    assert as_original(said, copy, original) == {"summary": f"raised at {original}/alice.py:1",
                                                 "list": [original]}
    whole = private_copy(Submission("carol/", f"{folder / 'alice.py'}:make"), str(tmp_path / "s2"), 61000)
    assert sorted(p.name for p in Path(whole[1]).iterdir()) == [
        "_common.py", "_data", "_link.py", "alice.py", "bob.py"]  # a folder submission: all of it


def test_submissions_every_user_can_read_are_named(tmp_path: Path) -> None:
    import tempfile

    from backprop.grading.isolation import readable_by_all

    hidden = write(tmp_path / "a.py", "")  # under pytest's own folder, which only its user enters
    shared = Path(tempfile.mkdtemp(dir="/tmp"))
    try:
        shared.chmod(0o755)
        seen = write(shared / "b.py", "")
        seen.chmod(0o644)
        found = readable_by_all([Submission("a.py", f"{hidden}:make"), Submission("b.py", f"{seen}:make"),
                                 Submission("c/", problem="no .py file")])
        assert found == ["b.py"]
    finally:
        shutil.rmtree(shared)


def test_a_submission_that_cannot_be_copied_for_its_user_costs_only_its_own_row(tmp_path: Path) -> None:
    from backprop.grading.isolation import Plan

    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("only root makes copies for another user")
    gone = tmp_path / "gone.py"  # found, then removed before its turn
    graded = grade_all([Submission("gone.py", f"{gone}:make")], {}, jobs=1, limit=10.0,
                       command=[sys.executable, "-c", "print('never run')"], plan=Plan((61000,), None))
    assert graded[0].error == (
        f"it could not be copied for its user to read (No such file or directory: {gone})")
