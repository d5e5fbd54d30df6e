"""No implementation can forge its verdict or outlive its check.

The code under test runs in the subject process, the verdict in the judge: whatever it patches, it
patches its own process. Each plug-in of tests/integrity is the same real mistake (the output error's
sign flipped) plus an attack; the verdict must be what it is without the attack, and every process it
starts must be gone when the check is over. Each plug-in is copied into a fresh folder, where it
writes what it records. (Before the judge and the subject were separated, patches_battery_at_import
turned all 13 checks to passed.)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import backprop
from backprop.battery import BatteryResult

SOURCE = Path(__file__).resolve().parent / "integrity"
FAILING = ("output-delta", "weight-gradient", "update-is-sgd-step")
"""Checks the sign-flipped network fails, whatever it attacks."""


def plug_in(tmp_path: Path, name: str) -> str:
    for file in SOURCE.glob("*.py"):
        shutil.copy(file, tmp_path / file.name)
    return f"{tmp_path / name}.py:make"


def judged(target: str, only: tuple[str, ...] = FAILING, **options: object) -> BatteryResult:
    return backprop.check(target, max_examples=3, only=only, **options)  # type: ignore[arg-type]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text().split("State:")[1].split()[0]
    except (FileNotFoundError, IndexError, ProcessLookupError):
        return False
    return state != "Z"


@pytest.mark.parametrize("name", ["patches_battery_at_import", "patches_battery_in_make"])
def test_patching_the_battery_does_not_change_the_verdict(tmp_path: Path, name: str) -> None:
    result = judged(plug_in(tmp_path, name))
    assert [r.status for r in result.results] == ["failed"] * len(FAILING), [
        (r.id, r.status, r.summary) for r in result.results
    ]
    assert "sign" in (result.by_id("output-delta").diagnosis or "")


def test_the_subject_sees_none_of_the_judge_s_arguments_environment_or_folder(tmp_path: Path) -> None:
    target = plug_in(tmp_path, "reads_the_judge")
    secret = tmp_path / "grades-SECRET.json"
    env = {**os.environ, "GRADER_TOKEN": "SECRET-token"}
    ran = subprocess.run(
        [sys.executable, "-m", "backprop", "check", target, "--only", "output-delta", "--max-examples", "2",
         "--json", str(secret)],
        capture_output=True, text=True, env=env, cwd=tmp_path, stdin=subprocess.DEVNULL, timeout=300,
    )
    assert ran.returncode == 1, ran.stderr
    seen = json.loads((tmp_path / "seen.json").read_text())
    assert not any("SECRET" in part for part in seen["argv"] + seen["cmdline"]), seen["cmdline"]
    assert "GRADER_TOKEN" not in seen["environ"]
    assert not any("SECRET" in value for value in seen["environ"].values())
    assert Path(seen["cwd"]).resolve() != tmp_path.resolve()
    assert not Path(seen["cwd"]).exists(), "the subject's working directory is removed afterwards"
    assert seen["stdin_is_tty"] is False
    assert json.loads(secret.read_text())["results"][0]["status"] == "failed"


def test_a_detached_process_is_gone_before_it_can_write(tmp_path: Path) -> None:
    result = judged(plug_in(tmp_path, "detaches_and_writes_later"), only=("output-delta",))
    assert result.by_id("output-delta").status == "failed"
    pids = [int(p) for p in (tmp_path / "detached.pids").read_text().split()]
    assert pids and not any(alive(pid) for pid in pids)
    time.sleep(4)  # longer than the detached process waits before it writes
    assert not (tmp_path / "written-late.txt").exists()


def test_every_forked_child_is_gone_when_the_check_is_over(tmp_path: Path) -> None:
    result = judged(plug_in(tmp_path, "forks_many"), only=("output-delta",))
    assert result.by_id("output-delta").status == "failed"
    pids = [int(p) for p in (tmp_path / "forked.pids").read_text().split()]
    assert len(pids) >= 40 and not any(alive(pid) for pid in pids)


def test_a_file_larger_than_the_limit_ends_the_check_not_the_disk(tmp_path: Path) -> None:
    result = judged(plug_in(tmp_path, "writes_a_huge_file"), only=("predict-is-forward",))
    checked = result.by_id("predict-is-forward")
    assert checked.status == "errored"
    assert "File too large" in checked.summary, checked.summary  # the write fails at the limit (EFBIG)


def test_the_report_says_how_the_code_under_test_was_kept_apart(tmp_path: Path) -> None:
    result = judged(plug_in(tmp_path, "patches_battery_at_import"), only=("output-delta",))
    assert result.isolation == "separate process"
    assert result.to_json()["isolation"] == "separate process"


def test_what_is_not_the_submission_s_own_work_is_a_finding(tmp_path: Path) -> None:
    at_import = judged(plug_in(tmp_path, "patches_battery_at_import"), only=("output-delta",))
    in_make = judged(plug_in(tmp_path, "patches_battery_in_make"), only=("output-delta",))
    assert {f.kind for f in at_import.integrity} == {"tampering", "uses-reference"}
    assert any("imports the judge's own modules" in f.sentence for f in at_import.integrity)
    replaced = next(f for f in in_make.integrity if "replaced" in f.params)
    assert {"numpy.allclose", "numpy.array_equal"} <= set(replaced.params["replaced"])
    assert in_make.to_json()["integrity"][0]["kind"] == "tampering"


def test_the_reference_itself_and_independent_code_have_no_integrity_finding() -> None:
    assert backprop.check(max_examples=2, only=["output-delta"]).integrity == []
    independent = Path(__file__).resolve().parent / "architectures" / "two_layer_net.py"
    assert backprop.check(f"{independent}:make", max_examples=2, only=["weight-gradient"]).integrity == []


def unprivileged() -> tuple[int, str]:
    """A free user id and an interpreter it can run the subject with, or skip saying why there is none.

    The interpreter is BACKPROP_SUBJECT_PYTHON when set (CI builds one, see .ci/run), else one found."""
    from backprop.subject import users

    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("no unprivileged subject: the tests do not run as root")
    uid = users.free_uids(1)[0]
    try:
        return uid, users.subject_python(uid, os.environ.get("BACKPROP_SUBJECT_PYTHON") or None)
    except ValueError as error:
        pytest.skip(f"no unprivileged subject on this machine: {error}")


@pytest.fixture
def readable() -> Iterator[Path]:
    """A folder every user can read (and only root can write), with the catalogue in it."""
    folder = Path(tempfile.mkdtemp(prefix="backprop-test-catalogue-", dir="/tmp"))
    folder.chmod(0o755)
    try:
        plug_in(folder, "_flipped")
        for file in folder.iterdir():
            file.chmod(0o644)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_subject_runs_as_an_unprivileged_user_and_leaves_no_process_of_it(readable: Path) -> None:
    from backprop.subject import Subject, users

    uid, python = unprivileged()
    target = f"{readable / '_flipped.py'}:flipped"
    with Subject.start(target, user=uid, python=python) as subject:
        assert subject.isolation == f"separate process as the unprivileged user {uid}"
        assert subject.pid in users.processes_of(uid)
        worker = subject.worker(60)
        assert worker.pid in users.processes_of(uid)
        worker.close()
    assert users.processes_of(uid) == []


def test_the_catalogue_s_verdicts_are_the_same_as_an_unprivileged_user(readable: Path) -> None:
    from backprop.subject import users

    uid, python = unprivileged()
    from backprop.battery.targets import TargetError

    with users.run_as(uid, python):
        result = judged(f"{readable / 'detaches_and_writes_later.py'}:make")
        assert result.isolation == f"separate process as the unprivileged user {uid}"
        assert [r.status for r in result.results] == ["failed"] * len(FAILING)
        assert "sign" in (result.by_id("output-delta").diagnosis or "")
        # as root only the subreaper bounds it; as a user, the process limit (256) stops its forks too
        with pytest.raises(TargetError, match="Resource temporarily unavailable at forks_many.py"):
            judged(f"{readable / 'forks_many.py'}:make", only=("output-delta",))
    assert users.processes_of(uid) == []  # the detached writer and the forked children too


def test_two_judges_at_once_never_run_code_as_the_same_user() -> None:
    """Each kills every process of its users when done: sharing one would kill the other's subjects."""
    from backprop.subject import users

    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("only root runs the code under test as another user")
    mine = users.free_uids(1)[0]
    code = f"from backprop.subject import users; print(users.free_uids(1)[0], users.reserve({mine}))"
    theirs, shared = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                    timeout=120, check=True).stdout.split()
    assert int(theirs) != mine and shared == "False"
    assert users.reserve(mine)  # still this process's


def test_an_interpreter_the_user_cannot_run_is_one_sentence(readable: Path) -> None:
    import re

    from backprop.subject import users

    if os.geteuid() != 0:
        pytest.skip("only root runs the code under test as another user")
    private = readable / "private"
    private.mkdir(mode=0o700)
    python = private / "python"
    python.symlink_to(sys.executable)
    uid = users.free_uids(1)[0]
    unreadable = f"user {uid} cannot run {python}: {private} cannot be read by other users"
    with pytest.raises(ValueError, match=re.escape(unreadable)):
        users.subject_python(uid, str(python))
    fake = readable / "no-numpy"
    fake.write_text("#!/bin/sh\necho \"ModuleNotFoundError: No module named 'numpy'\" >&2\nexit 1\n")
    fake.chmod(0o755)
    assert users.why_not(str(fake), uid) == (
        f"{fake} cannot import what the subject needs as user {uid} "
        "(ModuleNotFoundError: No module named 'numpy')")
    assert users.why_not("/bin/true", uid) == (
        "/bin/true is not a Python interpreter with numpy (asked numpy's version, it said '')")
    with pytest.raises(ValueError, match="no user named 'no-such-user-here'"):
        users.resolve_user("no-such-user-here")


def test_the_subject_imports_numpy_and_the_standard_library_only() -> None:
    """What an interpreter for unprivileged subjects must have: numpy, nothing of the judge's."""
    from backprop.subject.users import PROBE

    code = f"import sys; {PROBE.split(';')[0]}; print(sorted({{m.split('.')[0] for m in sys.modules}}))"
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         check=True)
    loaded = set(json.loads(ran.stdout.replace("'", '"')))
    assert {"numpy", "backprop"} <= loaded
    assert not loaded & {"hypothesis", "pytest", "scipy", "matplotlib", "_pytest"}, loaded


SECRET = "sibling-secret-7e1f0c"


def _class(folder: Path, outputs: dict[str, Path]) -> Path:
    """Two submissions, each the sign-flipped network: a sibling holding a secret, and the reader."""
    folder.mkdir()
    shutil.copy(SOURCE / "_flipped.py", folder / "_flipped.py")
    shutil.copy(SOURCE / "reads_a_sibling.py", folder / "reader.py")
    sibling = folder / "sibling.py"
    sibling.write_text(f'SECRET = "{SECRET}"\n\nfrom _flipped import flipped as make\n')
    aims = {"sibling": str(sibling), "outputs": [str(p) for p in outputs.values()], "secret": SECRET}
    (folder / "_aims.json").write_text(json.dumps(aims))
    return sibling


def _grade_the_class(tmp_path: Path, name: str, *options: str) -> tuple[dict, str, Path]:
    from backprop.cli import main

    out = tmp_path / f"{name}-out"
    out.mkdir()
    outputs = {"csv": out / "grades.csv", "json": out / "grades.json"}
    sibling = _class(tmp_path / name, outputs)
    before = sibling.read_text()
    code = main(["grade", str(tmp_path / name), "--only", "output-delta", "--max-examples", "2", "-j", "2",
                 *options, *(f"--{kind}={path}" for kind, path in outputs.items())])
    assert code in (0, 3)
    text = outputs["json"].read_text()
    assert "FORGED" not in text and "FORGED" not in outputs["csv"].read_text()  # the judge's files
    assert all(path.stat().st_uid == os.geteuid() for path in outputs.values())
    rows = {Path(s["name"]).stem: s for s in json.loads(text)["submissions"]}
    assert set(rows) == {"reader", "sibling"}
    sibling_row = rows["sibling"]["battery"]["results"][0]
    assert sibling_row["status"] == "failed" and "sign" in sibling_row["diagnosis"]
    return rows, text, sibling if sibling.read_text() == before else Path("changed")


def test_as_root_without_a_user_of_its_own_a_submission_reads_its_sibling(tmp_path: Path) -> None:
    """The reader's attack works when nothing stops it: its verdict turns to errored with the secret."""
    rows, text, sibling = _grade_the_class(tmp_path, "as-root", "--user", "root")
    reader = rows["reader"]
    said = json.dumps(reader)
    assert SECRET in said and "the attack worked" in said, said
    assert sibling == Path("changed")  # it wrote into its sibling's file


def test_a_submission_cannot_read_or_write_its_sibling_or_the_grader_s_files(tmp_path: Path) -> None:
    from backprop.subject import users

    uid, python = unprivileged()
    assert users.unreadable_part(str(tmp_path)) is not None, "the originals must be where only root goes"
    rows, text, sibling = _grade_the_class(tmp_path, "apart", "--subject-python", python)
    reader = rows["reader"]["battery"]["results"][0]
    assert reader["status"] == "failed" and "sign" in reader["diagnosis"], reader  # nothing read or written
    assert SECRET not in text
    assert sibling != Path("changed")
    assert json.loads(text)["settings"]["isolation"].startswith("each submission as the unprivileged user")
    isolations = {r["battery"]["isolation"] for r in rows.values()}
    assert len(isolations) == 2, isolations  # graded at once, as two users
    for isolation in isolations:
        assert isolation.startswith("separate process as the unprivileged user ")
        assert users.processes_of(int(isolation.rsplit(" ", 1)[1])) == []
