"""The summary table `backprop grade` prints: one row a submission, sorted by name."""

from __future__ import annotations

from collections.abc import Sequence

from .scoring import Grade


def _points(value: float) -> str:
    return f"{value:g}"


def render(grades: Sequence[Grade]) -> str:
    """The table, then a line of totals."""
    width = max([len("submission")] + [len(g.name) for g in grades])
    heading = "passed  failed  errored  skipped  score    first failure in causal order"
    lines = [f"{'submission':<{width}}  {heading}"]
    for g in sorted(grades, key=lambda g: g.name):
        if not g.graded:
            lines.append(f"{g.name:<{width}}  could not be graded: {g.error}")
            continue
        counts = g.counts()
        score = f"{_points(g.score)}/{_points(g.max_score)}"
        lines.append(
            f"{g.name:<{width}}  {counts['passed']:>6}  {counts['failed']:>6}  {counts['errored']:>7}  "
            f"{counts['skipped']:>7}  {score:<7}  {g.root_cause()}".rstrip()
        )
    graded = sum(g.graded for g in grades)
    passing = sum(g.graded and not g.root and not g.counts()["errored"] for g in grades)
    total = f"{len(grades)} submission{'s' if len(grades) != 1 else ''} · {graded} graded · " \
            f"{passing} without a failure · {len(grades) - graded} could not be graded"
    return "\n".join(lines + ["", total]) + "\n"
