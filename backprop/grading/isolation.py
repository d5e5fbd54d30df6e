"""Who runs each submission's code: as root, an unprivileged user of its own job, from a private copy.

When the grader runs as root, each job (one of `-j`) gets a user id of its own (see
`backprop.subject.users.free_uids`), so that two submissions graded at once cannot read, write or
signal each other's files and processes, nor the grader's.  Each submission's code then reads its
files from a private copy, in a folder owned by root that only its job's user can enter and
nobody but root can write; whatever its processes left is killed when it is done.  Without an
interpreter with numpy that another user can run, the grader says so and runs the code as root.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..subject import users
from .discovery import Submission


@dataclass(frozen=True)
class Plan:
    """The users the jobs run submissions as (none: the grader's own user), their interpreter, and
    what that keeps apart, in words (for the JSON's settings); a warning when it is weaker than root
    grading should be."""

    users: tuple[int, ...] = ()
    python: str | None = None
    sentence: str = "as the grader's own user"
    warning: str | None = None


def plan(user: str | None, python: str | None, jobs: int) -> Plan:
    """How the submissions will run; ValueError (one sentence) for a user or interpreter that cannot be."""
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    if python is not None:
        python = os.path.abspath(python)
    if user is not None:
        uid = users.resolve_user(user)
        if uid == 0 or not root or uid == os.geteuid():
            identity = users.identity_for(user, python)  # refuses another user unless root
            return Plan((), identity.python, "as the grader's own user" + (" (root)" if root else ""))
        if jobs > 1:
            raise ValueError(f"--user {user} runs every submission as one user, so give -j 1 (submissions "
                             "graded at once as one user could read each other's files); without --user, "
                             "each job gets a user id of its own")
        identity = users.identity_for(uid, python)
        if not users.reserve(uid):
            raise ValueError(f"another grading on this machine runs submissions as user {user} now: give "
                             "another --user, or none")
        if python is not None:
            users.subject_python(uid, python)  # tried once here, not in every worker
        return Plan((uid,), identity.python, f"each submission as user {user}, from a private copy")
    if not root:
        return Plan((), python)
    uids = users.free_uids(jobs)
    try:
        chosen = users.subject_python(uids[0], python)
    except ValueError as error:
        if python is not None:
            raise
        return Plan((), None, "as root",
                    f"the submissions run as root, where they can read each other's files: {error}")
    span = f"{uids[0]}" if len(uids) == 1 else f"{uids[0]}-{uids[-1]}"
    return Plan(tuple(uids), chosen, f"each submission as the unprivileged user of its job ({span}), "
                "from a private copy")


def readable_by_all(submissions: Sequence[Submission]) -> list[str]:
    """The submissions whose own files every user can read (so a submission could read them there)."""
    return [s.name for s in submissions
            if s.target and users.unreadable_part(s.target.rpartition(":")[0]) is None]


def private_copy(submission: Submission, scratch: str, uid: int) -> tuple[str, str, str]:
    """Copy the submission into `scratch` for user `uid`: (the target in the copy, the copy's folder,
    the original folder).  A folder submission is copied whole; a file, with the helpers beside it
    (names starting with `_`).  Links are copied as links, so that they lead only where `uid` may go."""
    assert submission.target is not None
    path, _, attribute = submission.target.rpartition(":")
    path = os.path.realpath(path)
    original = os.path.dirname(path)
    copy = os.path.join(scratch, "submission")
    if submission.name.endswith(os.sep):
        shutil.copytree(original, copy, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        os.mkdir(copy)
        shutil.copy2(path, copy)
        for entry in os.listdir(original):
            source = os.path.join(original, entry)
            if not entry.startswith("_") or entry == "__pycache__":
                continue
            if os.path.isdir(source) and not os.path.islink(source):
                shutil.copytree(source, os.path.join(copy, entry), symlinks=True,
                                ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(source, os.path.join(copy, entry), follow_symlinks=False)
    for folder in (scratch, copy):  # only root and the job's user may enter
        os.chown(folder, 0, uid)
        os.chmod(folder, 0o750)
    for root, folders, files in os.walk(copy):
        for name in folders + files:
            entry = os.path.join(root, name)
            if os.path.islink(entry):
                continue
            os.chown(entry, 0, uid)
            executable = os.path.isdir(entry) or os.stat(entry).st_mode & 0o100
            os.chmod(entry, 0o750 if executable else 0o640)  # readable by its user, writable by root only
    return f"{os.path.join(copy, os.path.basename(path))}:{attribute}", copy, original


def as_original(value: Any, copy: str, original: str) -> Any:
    """The value with every path inside the copy written as the path of the original."""
    if isinstance(value, str):
        return value.replace(copy + os.sep, original + os.sep).replace(copy, original)
    if isinstance(value, list):
        return [as_original(item, copy, original) for item in value]
    if isinstance(value, dict):
        return {key: as_original(item, copy, original) for key, item in value.items()}
    return value
