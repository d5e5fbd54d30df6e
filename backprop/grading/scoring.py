"""A submission's grade: points per check, and the first failure in causal order as its root cause.

A submission that is not its own work scores nothing, whatever its checks say: one that tampers
with the judge (replaces numpy's or the battery's functions, imports the battery) or builds on the
bundled reference network; its root cause is that finding (`tampering`, `uses-reference`).

A passed check scores its points; a failed or errored one scores 0 of them.  A skipped check
(one that does not apply to the submission's protocol) scores nothing and is left out of the
maximum, unless the assignment says `skipped-scores = true`: then it scores its points.  The
causal order and what can follow from what are the report's (`backprop.battery.report`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..battery.report import cause_of, first_failure
from ..battery.results import STATUSES, BatteryResult, CheckResult
from .assignment import Assignment
from .pool import Graded


@dataclass(frozen=True)
class CheckGrade:
    """One check of one submission, as the formats need it."""

    id: str
    status: str
    summary: str
    where: str
    details: str
    kind: str | None
    """The first finding's kind, when the check has findings."""
    follows_from: str | None
    first_failure: bool
    points: float
    max_points: float


@dataclass(frozen=True)
class Grade:
    """One submission's grade, or why it could not be graded (`error`)."""

    name: str
    target: str | None
    error: str | None
    checks: tuple[CheckGrade, ...]
    seconds: float
    result: dict[str, Any] | None
    """The battery's whole result, each check annotated with follows_from, first_failure and points."""
    integrity: tuple[str, ...] = ()
    """'kind: sentence' of each finding that the submission is not its own work (it then scores 0)."""

    @property
    def graded(self) -> bool:
        return self.error is None

    @property
    def score(self) -> float:
        return 0.0 if self.integrity else sum(c.points for c in self.checks)

    @property
    def max_score(self) -> float:
        return sum(c.max_points for c in self.checks)

    def counts(self) -> dict[str, int]:
        return {s: sum(c.status == s for c in self.checks) for s in STATUSES}

    @property
    def root(self) -> CheckGrade | None:
        return next((c for c in self.checks if c.first_failure), None)

    def root_cause(self) -> str:
        """'output-delta at layer 1 of 1, unit 0: sign-flipped', or the summary sentence without findings."""
        if self.integrity:
            return self.integrity[0]
        root = self.root
        if root is None:
            return ""
        place = f" at {root.where}" if root.where else ""
        return f"{root.id}{place}: {root.kind or root.summary}"


def _check_grade(battery: BatteryResult, r: CheckResult, first: CheckResult | None,
                 assignment: Assignment) -> CheckGrade:
    points = assignment.points_of(r.id)
    counted = r.status != "skipped" or assignment.skipped_scores
    scored = r.status == "passed" or (r.status == "skipped" and assignment.skipped_scores)
    return CheckGrade(
        r.id, r.status, r.summary, r.where, r.details,
        r.findings[0].kind if r.findings else None,
        cause_of(battery, r.id) if r.status == "failed" else None,
        r is first,
        points if scored else 0.0,
        points if counted else 0.0,
    )


def grade(graded: Graded, assignment: Assignment) -> Grade:
    """The grade of one graded (or ungradable) submission."""
    submission = graded.submission
    if graded.result is None:
        return Grade(submission.name, submission.target, graded.error or "it could not be graded", (),
                     graded.seconds, None)
    try:
        battery = BatteryResult.from_json(graded.result)
    except (KeyError, TypeError, ValueError) as error:
        return Grade(submission.name, submission.target,
                     f"its grading process wrote a result that cannot be read ({type(error).__name__})",
                     (), graded.seconds, None)
    first = first_failure(battery)
    checks = tuple(_check_grade(battery, r, first, assignment) for r in battery.results)
    annotated = dict(graded.result)
    annotated["results"] = [
        {**data, "follows_from": c.follows_from, "first_failure": c.first_failure, "points": c.points,
         "max_points": c.max_points}
        for data, c in zip(graded.result["results"], checks)
    ]
    integrity = tuple(f"{f.kind}: {f.sentence}" for f in battery.integrity)
    return Grade(submission.name, submission.target, None, checks, graded.seconds, annotated, integrity)
