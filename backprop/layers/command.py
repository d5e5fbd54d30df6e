"""`backprop check-layer FILE.py:NAME`: check one layer's gradients and print the report.

Exit codes: 0 when every check passes, 1 when any fails or errors, 2 when the layer cannot be
checked as named (unknown kind, wrong signature, missing pair, cannot be loaded) or an argument is
wrong (one line on stderr).
"""

from __future__ import annotations

import argparse
import sys

from ..battery.command import write_json
from ..battery.report import counts_line, explain, table
from ..battery.results import CheckResult
from ..battery.targets import TargetError
from .kinds import KIND_NAMES
from .runner import DEFAULT_MAX_EXAMPLES, LayerResult, check_layer

EXIT_PASSED, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "target",
        metavar="FILE.py:NAME",
        help="the layer: a class (nnfs or Medium style), a function returning a layer, "
        "either function of a CS231n-style forward/backward pair, or a loss function",
    )
    parser.add_argument(
        "--kind",
        choices=KIND_NAMES,
        metavar="KIND",
        help="the kind of layer, when its name does not say: " + ", ".join(KIND_NAMES),
    )
    parser.add_argument("--json", metavar="PATH", help="also write the full result as JSON")
    parser.add_argument(
        "--max-examples",
        type=int,
        default=None,
        metavar="N",
        help=f"cases tried per check (default {DEFAULT_MAX_EXAMPLES})",
    )
    parser.add_argument(
        "--seed", type=int, default=0, metavar="N", help="seed of the case search (default 0)"
    )
    parser.add_argument(
        "--only", nargs="+", metavar="ID", help="run only these checks (dx, dW, db, ..., untouched)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="time allowed to each check before it counts as errored (default 60)",
    )


def header(result: LayerResult, version: str) -> str:
    return (
        f"backprop {version} · layer {result.target} · {result.protocol} style · kind {result.kind} · "
        f"{result.max_examples} cases per check · seed {result.seed}"
    )


def render(result: LayerResult, version: str) -> str:
    """The report: the battery's table and failure blocks, with each failure's smallest shapes."""
    lines = [header(result, version), ""] + table(result) + ["", "  " + counts_line(result)]
    if result.note:
        lines += ["", f"  note: {result.note}"]
    for r in result.results:
        if r.status in ("failed", "errored"):
            lines.append("")
            lines += explain_check(result, r)
    return "\n".join(lines) + "\n"


def explain_check(result: LayerResult, r: CheckResult) -> list[str]:
    """The battery's block for one failed check (its smallest case is in the details already)."""
    plain = CheckResult(
        r.id,
        r.status,
        r.summary,
        r.worst_rel_error,
        r.where,
        r.details,
        r.diagnosis,
        None,
        r.reproduce,
        r.findings,
    )
    return explain(result, plain, first=False)


def _fail(message: str) -> int:
    print(f"backprop check-layer: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def run(args: argparse.Namespace) -> int:
    from .. import __version__

    try:
        result = check_layer(
            args.target,
            kind=args.kind,
            max_examples=args.max_examples,
            seed=args.seed,
            only=args.only,
            timeout=args.timeout,
        )
    except (TargetError, ValueError, TypeError) as error:
        return _fail(str(error))
    sys.stdout.write(render(result, __version__))
    if args.json:
        problem = write_json(args.json, result)
        if problem:
            return _fail(problem)
    return EXIT_PASSED if result.passed else EXIT_FAILED


__all__ = ["add_arguments", "explain_check", "render", "run"]
