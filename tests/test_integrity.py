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
import time
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


def test_a_subject_runs_as_an_unprivileged_user_when_the_machine_allows_it(tmp_path: Path) -> None:
    from backprop.subject import Subject
    from backprop.subject.client import _processes_of, unprivileged_blocker

    blocker = unprivileged_blocker()
    if blocker is not None:
        pytest.skip(f"no unprivileged subject on this machine: {blocker}")
    folder = Path("/tmp") / f"backprop-unprivileged-{os.getpid()}"
    folder.mkdir(mode=0o755, exist_ok=True)
    try:
        for file in SOURCE.glob("*.py"):
            shutil.copy(file, folder / file.name)
            (folder / file.name).chmod(0o644)
        with Subject.start(f"{folder}/reads_the_judge.py:make", user=61234) as subject:
            assert "unprivileged user 61234" in subject.isolation
        assert _processes_of(61234) == []
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_why_a_subject_cannot_run_unprivileged_is_one_sentence() -> None:
    from backprop.subject.client import unprivileged_blocker

    blocker = unprivileged_blocker()
    assert blocker is None or blocker.endswith("cannot be read by other users") or "root" in blocker
