"""The grade files: csv, json, JUnit XML and Gradescope's results.json.

Each file is written only after every worker process is gone, into a temporary file in the same
folder that then replaces the path (`os.replace`): whatever a submission may have written at
that path does not survive, and a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

from ..battery import CHECK_IDS
from .scoring import CheckGrade, Grade


def write_atomically(path: str, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder and os.replace."""
    folder = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(prefix=".backprop-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _reason(grade: Grade) -> str:
    return f"could not be graded: {grade.error}" if grade.error else grade.root_cause()


# ---------------------------------------------------------------------------------------------- csv

def _kind(grade: Grade) -> str:
    """The root cause's finding kind: a finding that the work is not the submission's own comes first."""
    if grade.integrity:
        return grade.integrity[0].split(":")[0]
    return (grade.root.kind or "") if grade.root else ""


def to_csv(grades: Sequence[Grade]) -> str:
    """One row a submission: counts, score, the root cause, and each check's status."""
    ids = [i for i in CHECK_IDS if any(c.id == i for g in grades for c in g.checks)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["submission", "graded", "score", "max_score", "passed", "failed", "errored", "skipped",
                     "first_failure", "where", "kind", "reason", *ids])
    for g in grades:
        root = g.root
        counts = g.counts()
        statuses = {c.id: c.status for c in g.checks}
        writer.writerow([
            g.name, "yes" if g.graded else "no", _number(g.score), _number(g.max_score),
            *(counts[s] for s in ("passed", "failed", "errored", "skipped")),
            root.id if root else "", root.where if root else "", _kind(g), _reason(g),
            *(statuses.get(i, "") for i in ids),
        ])
    return out.getvalue()


# --------------------------------------------------------------------------------------------- json

def submission_json(grade: Grade) -> dict[str, Any]:
    root = grade.root
    return {
        "name": grade.name,
        "target": grade.target,
        "graded": grade.graded,
        "error": grade.error,
        "score": _number(grade.score),
        "max_score": _number(grade.max_score),
        "seconds": round(grade.seconds, 3),
        "first_failure": root.id if root else None,
        "root_cause": grade.root_cause() or None,
        "battery": grade.result,
    }


def to_json(grades: Sequence[Grade], settings: dict[str, Any], version: str) -> str:
    """Every submission's grade and full battery result (cases and weights included)."""
    data = {"version": version, "settings": settings, "submissions": [submission_json(g) for g in grades]}
    return json.dumps(data, indent=2, allow_nan=False) + "\n"


# -------------------------------------------------------------------------------------------- junit

_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 cannot hold, even escaped (a submission's exception text may carry them)."""


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _testcase(suite: ET.Element, classname: str, check: CheckGrade) -> None:
    case = ET.SubElement(suite, "testcase", classname=classname, name=check.id)
    message = _xml(f"{check.summary} ({check.where})" if check.where else check.summary)
    if check.status == "failed":
        failure = ET.SubElement(case, "failure", message=message, type=check.kind or "failed")
        extra = [f"this can follow from the {check.follows_from} failure"] if check.follows_from else []
        failure.text = _xml("\n".join([check.summary, *extra, check.details]).strip())
    elif check.status == "errored":
        error = ET.SubElement(case, "error", message=message, type="errored")
        error.text = _xml("\n".join([check.summary, check.details]).strip())
    elif check.status == "skipped":
        ET.SubElement(case, "skipped", message=_xml(check.summary))


def to_junit(grades: Sequence[Grade]) -> str:
    """One <testsuite> a submission, one <testcase> a check; an ungradable submission is one <error>."""
    root = ET.Element("testsuites", name="backprop grade")
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    total_time = 0.0
    for g in grades:
        suite = ET.SubElement(root, "testsuite", name=_xml(g.name))
        if g.graded:
            counts = g.counts()
            numbers = {"tests": len(g.checks), "failures": counts["failed"], "errors": counts["errored"],
                       "skipped": counts["skipped"]}
            for check in g.checks:
                _testcase(suite, _xml(g.name), check)
        else:
            numbers = {"tests": 1, "failures": 0, "errors": 1, "skipped": 0}
            case = ET.SubElement(suite, "testcase", classname=_xml(g.name), name="grading")
            ET.SubElement(case, "error", message=_xml(f"could not be graded: {g.error}"), type="not-graded")
        for key, value in numbers.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("time", f"{g.seconds:.3f}")
        total_time += g.seconds
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{total_time:.3f}")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


# --------------------------------------------------------------------------------------- gradescope

def to_gradescope(grade: Grade) -> str:
    """Gradescope's autograder results.json for one submission: the score and one test a check."""
    if not grade.graded:
        data: dict[str, Any] = {"score": 0, "output": f"could not be graded: {grade.error}", "tests": []}
        return json.dumps(data, indent=2) + "\n"
    tests = []
    for check in grade.checks:
        lines = [check.summary]
        if check.where:
            lines.append(f"where: {check.where}")
        if check.follows_from:
            lines.append(f"this can follow from the {check.follows_from} failure: fix that first")
        if check.first_failure:
            lines.append("the first failure in causal order: start here")
        if check.details:
            lines.append(check.details)
        tests.append({
            "name": check.id,
            "score": _number(check.points),
            "max_score": _number(check.max_points),
            "status": "passed" if check.status in ("passed", "skipped") else "failed",
            "output": "\n".join(lines),
        })
    summary = grade.root_cause()
    output = f"start with {summary}" if summary else "no check failed"
    data = {"score": _number(grade.score), "output": output,
            "tests": tests}
    return json.dumps(data, indent=2, allow_nan=False) + "\n"
