"""`backprop check [TARGET]`: run the battery and print the report.

Exit codes: 0 when every check passes (or is skipped), 1 when any check fails or errors,
2 when the target cannot be loaded or an argument is wrong (one line on stderr).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from typing import Any

from ..sandbox import run_isolated
from . import CHECK_IDS
from .cases import default_case
from .interfaces import CLI
from .profile import BIAS_POSITIONS
from .results import BatteryResult, CheckResult
from .runner import DEFAULT_MAX_EXAMPLES, DEFAULT_TARGET, check
from .schemes import NAMES as SCHEME_NAMES
from .targets import TargetError, load_target

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "target",
        nargs="?",
        default=DEFAULT_TARGET,
        metavar="TARGET",
        help="module:attr or path/to/file.py:attr naming make(layers, activation) "
        f"(default: {DEFAULT_TARGET}, the bundled reference network)",
    )
    parser.add_argument(
        "--json", metavar="PATH", help="also write the full result, cases and weights, as JSON"
    )
    add_battery_options(parser)
    add_isolation_options(parser)
    parser.add_argument(
        "--plot",
        metavar="PATH",
        help="draw the smallest failing case (or a default one) to an image (needs matplotlib)",
    )


def add_battery_options(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> list[argparse.Action]:
    """Add the options that choose how the battery runs, shared by `check` and `grade`; return them.

    Each option's dest is the keyword argument of `check()` it sets, so that `battery_options` can
    pass them all on and a new option reaches every command that runs the battery.
    """
    add = parser.add_argument
    return [
        add(
            "--loss",
            default="half_sse",
            metavar="NAME",
            help="the loss the implementation's backward differentiates: half_sse (default), "
            "mse, bce (on sigmoid outputs) or softmax_ce",
        ),
        add(
            "--max-examples",
            type=int,
            default=None,
            metavar="N",
            help=f"cases tried per check (default {DEFAULT_MAX_EXAMPLES})",
        ),
        add("--seed", type=int, default=0, metavar="N", help="seed of the case search (default 0)"),
        add(
            "--only",
            nargs="+",
            metavar="ID",
            choices=CHECK_IDS,
            help="run only these checks: " + ", ".join(CHECK_IDS),
        ),
        add(
            "--layers",
            action="append",
            metavar="SIZES",
            help="check only this architecture, e.g. 784,128,10 (repeatable); default: networks of 0 to 3 "
            "hidden layers drawn by the battery, within what the target builds",
        ),
        add(
            "--hidden",
            metavar="MIN-MAX",
            help="draw networks with this many hidden layers (e.g. 1 or 1-2; default 0-3)",
        ),
        add(
            "--activation",
            metavar="NAMES",
            help="draw only these activations, e.g. tanh,sigmoid (default: every one the loss allows)",
        ),
        add(
            "--l2",
            type=float,
            default=0.0,
            metavar="LAMBDA",
            help="the loss includes an L2 penalty LAMBDA/2·‖W‖² on the weights (default 0: none)",
        ),
        add("--l2-biases", action="store_true", help="the L2 penalty covers the biases too"),
        add(
            "--bias",
            choices=BIAS_POSITIONS,
            default=None,
            help="where the layers expect the constant 1 of the bias: first (the article's) or last "
            "(default: detected from fit and predict)",
        ),
        add(
            "--fit-scheme",
            dest="scheme",
            default=None,
            metavar="NAME",
            help="how fit trains: " + ", ".join(SCHEME_NAMES) + " (default: observed; a fit that does not "
            "follow the declared scheme fails fit-two-samples)",
        ),
        add(
            "--timeout",
            type=float,
            default=60.0,
            metavar="SECONDS",
            help="time allowed to each check before it counts as errored (default 60)",
        ),
    ]


def add_isolation_options(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup, user_help: str | None = None
) -> list[argparse.Action]:
    """Add who runs the code under test (`--user`, `--subject-python`), shared by `check` and `grade`.

    They are not battery options: they say how this machine runs the code, not what is checked, so an
    assignment file does not carry them.
    """
    add = parser.add_argument
    return [
        add("--user", metavar="USER", default=None,
            help=user_help or "run the code under test as this user, a name or a number (the judge must "
            "run as root; the code then reads only what every user may, and every process of that user is "
            "killed when it is done)"),
        add("--subject-python", metavar="PATH", default=None,
            help="the interpreter the code under test runs with (it needs numpy; default: this one, or, "
            "for another user, the first of this one and the system's of the same version that it can run)"),
    ]


def battery_dests() -> list[str]:
    """The dests of the battery's options, which are the names of `check()`'s keyword arguments."""
    return [action.dest for action in add_battery_options(argparse.ArgumentParser(add_help=False))]


def battery_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of `check()` from parsed battery options."""
    return {dest: getattr(args, dest) for dest in battery_dests()}


def _fail(message: str) -> int:
    print(f"backprop check: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def run(args: argparse.Namespace) -> int:
    from .. import __version__
    from ..subject.users import run_as
    from .report import render

    try:
        with run_as(args.user, args.subject_python):
            result = check(args.target, **battery_options(args), interface=CLI)
    except (TargetError, ValueError, TypeError) as error:
        return _fail(str(error))
    sys.stdout.write(render(result, __version__))
    if args.json:
        problem = write_json(args.json, result)
        if problem:
            return _fail(problem)
    if args.plot:
        code = _plot(args.plot, args.target, result, args.timeout)
        if code is not None:
            return code
    return EXIT_PASSED if result.passed else EXIT_FAILED


def write_json(path: str, result: BatteryResult) -> str | None:
    """Write the result as JSON (with the version); the sentence saying why it cannot be, or None."""
    from .. import __version__

    try:
        with open(path, "w", encoding="utf-8") as stream:
            json.dump({"version": __version__, **result.to_json()}, stream, indent=2, allow_nan=False)
    except OSError as error:
        return f"cannot write {path}: {error.strerror}"
    return None


def _plot(path: str, target: str, result: BatteryResult, timeout: float) -> int | None:
    """Draw the smallest failing case (or a default one) in a sandboxed child; exit 2 if it cannot."""
    try:
        from ..plots import write_check_plot  # noqa: F401 (only whether it imports)
    except ImportError:
        return _fail("plotting needs matplotlib: pip install 'backprop-check[plot]'")
    if importlib.util.find_spec("matplotlib") is None:
        return _fail("plotting needs matplotlib: pip install 'backprop-check[plot]'")
    drawn = drawn_result(result)
    # The target is imported, and the default case built with its factory, in the sandboxed child only.
    outcome = run_isolated(_draw, path, target, drawn.minimal_case if drawn else None, result.loss,
                           result.protocol, timeout, result.failed_ids, drawn.id if drawn else None,
                           timeout=timeout)
    if outcome.status != "returned":
        return _fail(f"cannot draw {path}: {outcome.message}")
    return None


def drawn_result(result: BatteryResult) -> CheckResult | None:
    """The failed check whose smallest case `--plot` draws: the first one in causal order with a case (the
    gradient checks come first); None when nothing failed with a case (a default case is drawn)."""
    return next((r for r in result.results if r.status == "failed" and r.minimal_case), None)


def _draw(path: str, target: str, case: dict | None, loss_name: str, protocol: str, timeout: float,
          battery_failed: list[str], case_of: str | None) -> None:
    """write_check_plot on the case, or on a default one drawn with the factory's own weight shapes;
    the title says the battery's verdict too."""
    from ..losses import get_loss
    from ..plots import write_check_plot
    from .checks import prepare
    from .protocols import LocalWorker

    factory = load_target(target)
    loss = get_loss(loss_name)
    if case is None:
        default = default_case(loss)
        case = default.to_json(prepare(LocalWorker(factory), default, protocol).copy_weights())
    write_check_plot(path, factory, case, loss, timeout=timeout, battery_failed=battery_failed,
                     case_of=case_of)


__all__ = [
    "add_arguments", "add_battery_options", "add_isolation_options", "battery_options", "run", "write_json"
]
