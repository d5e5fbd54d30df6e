"""`backprop grade PATH...`: grade every submission the paths name, in parallel, print the table.

Exit codes: 0 when every submission was graded (whatever its grade), 2 for bad usage (an unknown
option, no submission found, a malformed assignment file, an output path that cannot be written),
3 when at least one submission could not be graded at all.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ..battery import CHECK_IDS
from ..battery.command import add_battery_options, add_isolation_options, battery_dests
from .assignment import Assignment, AssignmentError, load
from .discovery import DiscoveryError, discover

EXIT_GRADED, EXIT_USAGE, EXIT_NOT_GRADED = 0, 2, 3

EXIT_CODES = """\
exit codes:
  0  every submission was graded, whatever its grade
  2  bad usage: an unknown option, no submission found, a malformed assignment file,
     or an output file that cannot be written
  3  at least one submission could not be graded (it crashed or hung its grading
     process, or cannot be loaded): its row says why"""

STARTUP_SECONDS = 10.0
"""Time allowed for a worker process to start and load the battery, on top of its checks' time."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = EXIT_CODES
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="a submission's .py file, a folder of submissions, or a glob of them")
    parser.add_argument("--factory", metavar="NAME", default=None,
                        help="the name of the factory make(layers, activation) each submission defines "
                        "(default make)")
    parser.add_argument("--assignment", metavar="FILE",
                        help="a TOML file with the battery's settings and each check's points (Python 3.11+)")
    parser.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                        help="submissions graded at once, each in its own process (default: the cores)")
    parser.add_argument("--time-limit", type=float, default=None, metavar="SECONDS",
                        help="wall-clock time allowed to each submission (default: --timeout × (checks + 2) "
                        f"+ {STARTUP_SECONDS:g})")
    outputs = parser.add_argument_group("output files (written atomically once every submission is done)")
    outputs.add_argument("--csv", metavar="FILE", help="one row a submission")
    outputs.add_argument("--json", metavar="FILE", help="every submission's grade and full battery result")
    outputs.add_argument("--junit", metavar="FILE",
                         help="JUnit XML: one test suite a submission, one test case a check")
    outputs.add_argument("--gradescope", metavar="FILE",
                         help="Gradescope's results.json, for a single submission")
    isolation = parser.add_argument_group("who runs the submissions' code")
    add_isolation_options(isolation, user_help=(
        "run every submission's code as this user, a name or a number (with -j 1); by default, when the "
        "grader runs as root, each job runs its submissions as an unprivileged user id of its own, from a "
        "private copy; --user root keeps them root"))
    battery = parser.add_argument_group(
        "battery options (as for backprop check; they win over the assignment's)"
    )
    actions = add_battery_options(battery)
    # None means "not given", so that an assignment's setting can fill it before the default does.
    parser.set_defaults(_battery_actions=actions, **{action.dest: None for action in actions})


def _fail(message: str) -> int:
    print(f"backprop grade: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _warn(message: str) -> None:
    print(f"backprop grade: warning: {message}", file=sys.stderr)


def battery_settings(args: argparse.Namespace, assignment: Assignment) -> dict[str, Any]:
    """The keyword arguments of check(): the command line's, else the assignment's, else the defaults."""
    defaults = {a.dest: a.default for a in add_battery_options(argparse.ArgumentParser(add_help=False))}
    settings = {}
    for dest in battery_dests():
        given = getattr(args, dest, None)
        settings[dest] = given if given is not None else assignment.battery.get(dest, defaults[dest])
    return settings


def _validate(settings: dict[str, Any]) -> None:
    """The commonest checks check() makes of its arguments, here at once; a worker reports any other
    argument check() refuses, and grading stops there (see pool.UsageError)."""
    from ..battery.interfaces import CLI
    from ..battery.runner import _validate as validate_arguments
    from ..losses import get_loss

    get_loss(settings["loss"])
    validate_arguments(settings["max_examples"], settings["seed"], settings["only"], settings["timeout"], CLI)


def _writable(path: str, option: str) -> str | None:
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        return f"cannot write {option} {path}: no such folder {os.path.dirname(path) or '.'}"
    if os.path.isdir(path):
        return f"cannot write {option} {path}: it is a folder"
    if not os.access(folder, os.W_OK):
        return f"cannot write {option} {path}: the folder is not writable"
    return None


OUTPUTS = ("csv", "json", "junit", "gradescope")


def run(args: argparse.Namespace) -> int:
    from .. import __version__
    from . import formats
    from .isolation import plan, readable_by_all
    from .pool import UsageError, grade_all
    from .progress import Progress
    from .scoring import grade
    from .table import render

    try:
        assignment = load(args.assignment, args._battery_actions) if args.assignment else Assignment()
    except AssignmentError as error:
        return _fail(str(error))
    settings = battery_settings(args, assignment)
    try:
        _validate(settings)
    except (ValueError, TypeError) as error:
        return _fail(str(error))
    if args.jobs is None:
        args.jobs = os.cpu_count() or 1
    if args.jobs < 1:
        return _fail(f"-j must be 1 or more, not {args.jobs}")
    checks = len(settings["only"]) if settings["only"] else len(CHECK_IDS)
    limit = args.time_limit if args.time_limit is not None else \
        settings["timeout"] * (checks + 2) + STARTUP_SECONDS
    if not 0 < limit < float("inf"):
        return _fail(f"--time-limit must be a positive number of seconds, not {args.time_limit:g}")
    factory = args.factory or assignment.factory or "make"
    if not factory.isidentifier():
        return _fail(f"--factory must be a Python name such as make, not {factory!r}")
    for option in OUTPUTS:
        path = getattr(args, option)
        problem = path and _writable(path, f"--{option}")
        if problem:
            return _fail(problem)
    try:
        submissions = discover(args.paths, factory)
    except DiscoveryError as error:
        return _fail(str(error))
    if args.gradescope and len(submissions) != 1:
        return _fail(f"--gradescope writes the results of one submission, and {len(submissions)} were found "
                     "(Gradescope runs the grader once a submission)")

    try:
        isolation = plan(args.user, args.subject_python, args.jobs)
    except ValueError as error:
        return _fail(str(error))
    warnings = [isolation.warning] if isolation.warning else []
    exposed = readable_by_all(submissions) if isolation.users else []
    if exposed:
        warnings.append(f"every user can read the files of {len(exposed)} submission(s) ({exposed[0]} and so "
                        "on), so the others can read them there: keep the submissions in a folder only root "
                        "can enter")

    progress = Progress(len(submissions))
    try:
        graded = grade_all(submissions, settings, args.jobs, limit, on_done=progress, plan=isolation)
    except UsageError as error:
        return _fail(str(error))
    finally:
        progress.close()
    grades = [grade(g, assignment) for g in graded]
    sys.stdout.write(render(grades))
    for warning in warnings:  # after the table, where they are seen
        _warn(warning)

    # Every worker process is gone: only now are the files written, each replacing its path at once.
    record = {**settings, "factory": factory, "time_limit": limit, "points": dict(assignment.points),
              "skipped_scores": assignment.skipped_scores, "isolation": isolation.sentence}
    texts = {
        "csv": lambda: formats.to_csv(grades),
        "json": lambda: formats.to_json(grades, record, __version__),
        "junit": lambda: formats.to_junit(grades),
        "gradescope": lambda: formats.to_gradescope(grades[0]),
    }
    for option in OUTPUTS:
        path = getattr(args, option)
        if path:
            try:
                formats.write_atomically(path, texts[option]())
            except OSError as error:
                return _fail(f"cannot write --{option} {path}: {error.strerror}")
    return EXIT_GRADED if all(g.graded for g in grades) else EXIT_NOT_GRADED


__all__ = ["add_arguments", "run"]
