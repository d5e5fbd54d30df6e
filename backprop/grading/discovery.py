"""Which paths are submissions: files, folders and globs, one submission each.

A `.py` file is one submission.  A folder in which exactly one `.py` file defines the factory
is one submission (its other files are that file's helpers).  Any other folder holds
submissions: each of its `.py` files, and each of its subfolders holding `.py` files, is one
(names starting with `_` or `.` are helpers, not submissions, there and in a glob's matches).
A subfolder submission in which no file, or several, define the factory is reported as one
that cannot be graded, with the reason, instead of being guessed at.
"""

from __future__ import annotations

import ast
import glob
import os
from dataclasses import dataclass


class DiscoveryError(ValueError):
    """A path names nothing (bad usage): the message is one sentence."""


@dataclass(frozen=True)
class Submission:
    """One submission: its name in reports, and the target the battery loads, or why there is none."""

    name: str
    target: str | None = None
    problem: str | None = None


def defines(path: str, name: str) -> bool:
    """Whether the file binds `name` at its top level (def, class, assignment or import), read, not run."""
    try:
        with open(path, encoding="utf-8") as stream:
            tree = ast.parse(stream.read(), path)
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return False
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            return True
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                return True
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if any((alias.asname or alias.name.split(".")[0]) == name for alias in node.names):
                return True
    return False


def _shown(path: str) -> str:
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _python_files(folder: str) -> list[str]:
    return sorted(
        os.path.join(folder, entry)
        for entry in os.listdir(folder)
        if entry.endswith(".py") and not entry.startswith((".", "_"))
        and os.path.isfile(os.path.join(folder, entry))
    )


def _subfolders(folder: str) -> list[str]:
    return sorted(
        os.path.join(folder, entry)
        for entry in os.listdir(folder)
        if not entry.startswith((".", "_")) and os.path.isdir(os.path.join(folder, entry))
        and _python_files(os.path.join(folder, entry))
    )


def _file_submission(path: str, factory: str) -> Submission:
    return Submission(_shown(path), f"{os.path.abspath(path)}:{factory}")


def _folder_submission(folder: str, factory: str) -> Submission:
    name = _shown(folder).rstrip(os.sep) + os.sep
    defining = [f for f in _python_files(folder) if defines(f, factory)]
    if len(defining) == 1:
        return Submission(name, f"{os.path.abspath(defining[0])}:{factory}")
    if not defining:
        return Submission(name, problem=f"no .py file in {name} defines {factory}")
    files = ", ".join(os.path.basename(f) for f in defining)
    return Submission(name, problem=f"several files in {name} define {factory} ({files}): keep one")


def _in_folder(folder: str, factory: str) -> list[Submission]:
    files = _python_files(folder)
    if sum(defines(f, factory) for f in files) == 1:
        return [_folder_submission(folder, factory)]
    return [_file_submission(f, factory) for f in files] + [
        _folder_submission(sub, factory) for sub in _subfolders(folder)
    ]


def _expand(path: str) -> list[str]:
    if os.path.exists(path):
        return [path]
    if glob.has_magic(path):
        # as in a folder, names starting with _ or . are helpers, not submissions
        matches = [m for m in sorted(glob.glob(path, recursive=True))
                   if not os.path.basename(m.rstrip(os.sep)).startswith((".", "_"))]
        if not matches:
            raise DiscoveryError(f"no file or folder matches {path}")
        return matches
    raise DiscoveryError(f"no such file or folder: {path}")


def discover(paths: list[str], factory: str = "make") -> list[Submission]:
    """Every submission the paths name, sorted by name, each once; DiscoveryError if there is none."""
    found: dict[str, Submission] = {}
    for given in paths:
        for path in _expand(given):
            if os.path.isdir(path):
                submissions = _in_folder(path, factory)
            elif path.endswith(".py"):
                submissions = [_file_submission(path, factory)]
            else:
                raise DiscoveryError(f"{path} is neither a .py file nor a folder")
            for submission in submissions:
                key = os.path.realpath(submission.target.rpartition(":")[0]) if submission.target \
                    else submission.name
                found.setdefault(key, submission)
    if not found:
        raise DiscoveryError(f"no submission found in {', '.join(paths)} (no .py file, no folder of them)")
    return sorted(found.values(), key=lambda s: s.name)
