"""Running the subject as an unprivileged user: which user, which interpreter, what it can read.

When the judge runs as root, a subject can run as another user: it then reads only what every
user may read, writes only in its own working directory, and can neither signal nor inspect
the processes of other users (the judge's, another submission's).  That needs an interpreter
the user can execute, with numpy, and this package where the user can read it.  The package is
copied once per judge process into a folder readable by all (`staged_package`); the interpreter
is the judge's own when every user can run it, else one given or found (`subject_python`).
Only the part of the package the subject imports (numpy and the standard library, no
hypothesis) has to work there.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass

FIRST_UID, LAST_UID = 61000, 61183
"""The user ids handed out when none is named: below systemd's dynamic users (61184-65519), above
the usual accounts; one with an account or a running process is passed over."""

PROBE_SECONDS = 120.0
"""How long an interpreter may take to import numpy and the subject's modules when it is tried."""

PROBE = "import numpy, backprop.subject.server, backprop.battery.targets; print(numpy.__version__)"
"""What an interpreter must do to serve as the subject: import what the subject imports."""

@dataclass(frozen=True)
class Identity:
    """Who runs the subjects started now: a user id (None: the judge's own user) and an interpreter
    (None: the judge's own)."""

    user: int | None = None
    python: str | None = None


_current = Identity()
_reserved: dict[int, int] = {}
"""The user ids this process holds (each an open, locked file of RESERVATIONS)."""

RESERVATIONS = "/tmp/backprop-users"
"""Where judges running as root reserve the user ids they run code under test as."""

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
"""This `backprop` package's folder."""
_staged: str | None = None


def current() -> Identity:
    """The identity `Subject.start` gives a target when it is not told one."""
    return _current


@contextlib.contextmanager
def run_as(user: int | str | None = None, python: str | None = None) -> Iterator[Identity]:
    """Within the block, every subject started for a target string runs as `user` (a name or a number;
    the judge must be root; None, root or the judge's own user: no change) with the interpreter
    `python` (default: the judge's, else one found that the user can run, see `subject_python`).

    ValueError (one sentence) at once when that cannot be: no such user, not root, a user something
    else already runs as, or no interpreter the user can run with numpy.
    """
    global _current
    chosen = identity_for(user, python)
    before, _current = _current, chosen
    try:
        yield chosen
    finally:
        _current = before


def identity_for(user: int | str | None, python: str | None = None) -> Identity:
    """The checked Identity `run_as` installs; ValueError (one sentence) when it cannot be had."""
    uid = None if user is None else resolve_user(user)
    if uid is not None and (uid == 0 or (hasattr(os, "geteuid") and uid == os.geteuid())):
        uid = None  # the judge's own user: nothing to drop
    if python is not None:
        python = os.path.abspath(python)
        if not os.path.isfile(python):
            raise ValueError(f"there is no interpreter {python}")
    if uid is None:
        return Identity(None, python)
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        raise ValueError(f"the code under test can run as user {user} only when the judge runs as root")
    problem = in_use(uid)
    if problem:
        raise ValueError(problem)
    return Identity(uid, python if python is not None else subject_python(uid))


def resolve_user(user: int | str) -> int:
    """The numeric user id of a user name or number; ValueError (one sentence) when there is none."""
    if isinstance(user, int) and not isinstance(user, bool):
        number = user
    elif isinstance(user, str) and user.strip().isdigit():
        number = int(user.strip())
    elif isinstance(user, str) and user.strip():
        import pwd

        try:
            return pwd.getpwnam(user.strip()).pw_uid
        except KeyError:
            raise ValueError(f"no user named {user.strip()!r} on this machine") from None
    else:
        raise ValueError(f"a user is a name or a number, not {user!r}")
    if not 0 <= number < 2**32 - 1:
        raise ValueError(f"{number} is not a user id")
    return number


def free_uids(count: int) -> list[int]:
    """`count` user ids from FIRST_UID that no account has, no process runs as and no other judge on
    this machine has reserved; they stay reserved for this process (see `reserve`)."""
    import pwd

    found = []
    for uid in range(FIRST_UID, LAST_UID + 1):
        with contextlib.suppress(KeyError):
            pwd.getpwuid(uid)
            continue
        if not processes_of(uid) and reserve(uid):
            found.append(uid)
            if len(found) == count:
                return found
    raise ValueError(f"fewer than {count} user ids from {FIRST_UID} to {LAST_UID} are unused: "
                     "give fewer jobs")


def reserve(uid: int) -> bool:
    """Reserve a user id for this process until it exits (an flock on a file of RESERVATIONS), so that
    two judges running at once never kill each other's processes; False when another holds it."""
    if uid in _reserved:
        return True
    import fcntl

    os.makedirs(RESERVATIONS, mode=0o700, exist_ok=True)
    folder = os.stat(RESERVATIONS)
    if folder.st_uid != os.geteuid() or folder.st_mode & 0o022:
        raise ValueError(f"{RESERVATIONS} is not the judge's own folder: remove it")
    handle = os.open(os.path.join(RESERVATIONS, str(uid)), os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(handle)
        return False
    _reserved[uid] = handle
    return True


def in_use(uid: int) -> str | None:
    """Why this user is not free for the subject (a process of it runs now), or None."""
    found = processes_of(uid)
    if found:
        return (f"user {uid} already runs process {found[0]}, and every process of the subject's user is "
                "killed after each target: give a user that nothing else runs as")
    return None


def unreadable_part(path: str) -> str | None:
    """The first folder (or the file) on the path that other users cannot search (read), or None."""
    for name in (path, os.path.realpath(path)):
        parts = os.path.abspath(name).split(os.sep)
        for depth in range(2, len(parts) + 1):
            part = os.sep.join(parts[:depth])
            try:
                mode = os.stat(part).st_mode
            except OSError:
                return part
            needed = 0o001 if os.path.isdir(part) else 0o004
            if depth == len(parts) and os.path.isdir(part):
                needed = 0o005
            if mode & needed != needed:
                return part
    return None


def staged_package() -> str:
    """A folder, readable by every user, holding a copy of this `backprop` package (made once, removed
    at exit), for PYTHONPATH: the subject's user may not be able to read the judge's own copy."""
    global _staged
    if _staged is None or not os.path.isdir(_staged):
        folder = tempfile.mkdtemp(prefix="backprop-package-")
        atexit.register(shutil.rmtree, folder, True)
        shutil.copytree(_PACKAGE, os.path.join(folder, "backprop"),
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for root, _, files in os.walk(folder):
            os.chmod(root, 0o755)
            for file in files:
                os.chmod(os.path.join(root, file), 0o644)
        _staged = folder
    return _staged


def candidates() -> list[str]:
    """Interpreters to try, in order: the judge's own, then the system's of the same version."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    found = []
    for path in (sys.executable, f"/usr/local/bin/{version}", f"/usr/bin/{version}"):
        if path and os.path.isfile(path) and path not in found:
            found.append(path)
    return found


def why_not(python: str, uid: int) -> str | None:
    """Why `python` cannot serve as the subject's interpreter when run as user `uid` (None when it can)."""
    who = f"user {uid}"
    if not os.path.isfile(python):
        return f"there is no interpreter {python}"
    part = unreadable_part(python)
    if part is not None:
        return f"{who} cannot run {python}: {part} cannot be read by other users"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": staged_package(),
           "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        ran = subprocess.run(
            [python, "-c", PROBE], capture_output=True, text=True, timeout=PROBE_SECONDS, cwd="/", env=env,
            stdin=subprocess.DEVNULL, user=uid, group=uid, extra_groups=[],
        )
    except subprocess.TimeoutExpired:
        return f"{python} did not import numpy within {PROBE_SECONDS:g} s as {who}"
    except OSError as error:
        return f"{who} cannot run {python} ({error.strerror})"
    if ran.returncode != 0:
        lines = [line.strip() for line in ran.stderr.splitlines() if line.strip()]
        last = lines[-1] if lines else f"exit code {ran.returncode}"
        return f"{python} cannot import what the subject needs as {who} ({last})"
    import numpy

    theirs, ours = ran.stdout.strip(), numpy.__version__
    if not theirs[:1].isdigit():
        return f"{python} is not a Python interpreter with numpy (asked numpy's version, it said {theirs!r})"
    if theirs.split(".")[0] != ours.split(".")[0]:
        return (f"{python} has numpy {theirs} and the judge numpy {ours}: the subject needs numpy "
                f"{ours.split('.')[0]}, since arrays cross between them in numpy's own format")
    return None


def subject_python(uid: int, python: str | None = None) -> str:
    """The interpreter the subject runs with as user `uid`: `python` if it can serve, else the first of
    `candidates()` that can; ValueError (one sentence, why the first one tried cannot) otherwise."""
    tried = [python] if python else candidates()
    reasons = []
    for path in tried:
        reason = why_not(path, uid)
        if reason is None:
            return path
        reasons.append(reason)
    hint = "" if python else " (give an interpreter with numpy every user can run: --subject-python PATH)"
    raise ValueError(f"the code under test cannot run as an unprivileged user: {reasons[0]}{hint}")


def processes_of(uid: int) -> list[int]:
    """The pids of the processes whose real user is `uid` (none without /proc)."""
    from .server import _field, processes

    return [pid for pid in processes(lambda status: _field(status, "Uid") == str(uid)) if pid != os.getpid()]


def kill_user(uid: int) -> int:
    """Kill every process of this (unprivileged) user, until none is left: whatever the subject left
    behind, wherever it was re-parented to. How many were killed."""
    if uid == 0:
        raise ValueError("refusing to kill every process of root")
    killed = 0
    for _ in range(50):
        found = processes_of(uid)
        if not found:
            break
        for pid in found:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
                killed += 1
        time.sleep(0.01)
    return killed
