"""The process that grades one submission: `python -m backprop.grading.worker`.

It reads its request, `{"target": ..., "options": {keyword arguments of check()}, "user": uid or
null, "python": interpreter or null}` (who runs the code under test), as JSON on stdin, runs the
battery, and writes one JSON object on the stdout it was started with: the BatteryResult,
`{"error": sentence}` when the submission cannot be graded, or `{"usage": sentence}` when check()
refuses one of its arguments (the same for every submission: the grader stops).  Nothing else it
needs comes from its command line or its environment, so neither carries the grader's paths.
Its file descriptors 1 and 2 are pointed at /dev/null before the submission is imported, so that
whatever the submission prints cannot mix with the result.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any


def grade(request: dict[str, Any]) -> dict[str, Any]:
    """The battery's result on the requested target, as JSON-able data, or {"error"/"usage": sentence}."""
    from .. import check
    from ..battery.targets import TargetError
    from ..subject.users import run_as

    try:
        with run_as(request.get("user"), request.get("python")):
            result = check(str(request["target"]), **request.get("options", {}), interface="cli")
    except TargetError as error:
        return {"error": str(error)}
    except (ValueError, TypeError) as error:  # a bad argument, by check()'s contract
        return {"usage": str(error)}
    return result.to_json()


def main() -> int:
    request = json.load(sys.stdin)
    result_fd = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    try:
        answer = grade(request)
    except Exception as error:  # noqa: BLE001 (the grader's own failure: one sentence, not a traceback)
        answer = {"error": f"the grading process failed ({type(error).__name__}: {error})"}
    with os.fdopen(result_fd, "w", encoding="utf-8") as out:
        json.dump(answer, out, allow_nan=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
