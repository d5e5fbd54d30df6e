"""The assignment file: a course's grading settings and the points of each check, in one TOML file.

    factory = "make"            # the name each submission defines (default make)
    skipped-scores = false      # a skipped check scores its points (true) or is left out (false)

    [battery]                   # any option of `backprop check`, by its name without the dashes
    only = ["output-delta", "hidden-delta", "weight-gradient"]
    layers = ["2,3,1"]          # a repeatable option is a list
    max-examples = 10
    timeout = 20

    [points]                    # points of each check (default 1)
    output-delta = 2
    hidden-delta = 3

Options given on the command line win over the file.  A mistake in the file is one sentence
naming the file and, where it can be found, the line.
"""

from __future__ import annotations

import argparse
import numbers
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..battery import CHECK_IDS


class AssignmentError(ValueError):
    """The assignment file cannot be used: one sentence with the file and, if known, the line."""


@dataclass(frozen=True)
class Assignment:
    """What an assignment file says; the defaults are those of an assignment with no file."""

    factory: str | None = None
    skipped_scores: bool = False
    battery: Mapping[str, Any] = field(default_factory=dict)
    """Battery settings by dest (the keyword arguments of `check()`)."""
    points: Mapping[str, float] = field(default_factory=dict)

    def points_of(self, check_id: str) -> float:
        return float(self.points.get(check_id, 1))


_TOP_LEVEL = ("factory", "skipped-scores", "battery", "points")
_TOML_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


def load(path: str, battery_actions: Sequence[argparse.Action]) -> Assignment:
    """Read and check an assignment file against the battery's options (those of add_battery_options)."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        raise AssignmentError(
            "--assignment needs Python 3.11 or newer (it reads TOML with tomllib)"
        ) from None
    try:
        with open(path, "rb") as stream:
            raw = stream.read()
    except OSError as error:
        raise AssignmentError(f"cannot read {path}: {error.strerror}") from None
    text = raw.decode("utf-8", errors="replace")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise AssignmentError(f"{path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        where = _TOML_LINE.search(message)
        line = f", line {where[1]}" if where else ""
        message = _TOML_LINE.sub("", message).strip().rstrip(".")
        raise AssignmentError(f"{path}{line}: not valid TOML: {message}") from None
    return _Reader(path, text).assignment(data, battery_actions)


class _Reader:
    """Checks the parsed data, and finds a key's line in the text for the error message."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def fail(self, key: str, message: str) -> AssignmentError:
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=|^\s*\[\s*{re.escape(key)}\s*\]")
        number = next((i for i, line in enumerate(self.lines, 1) if pattern.match(line)), None)
        where = f", line {number}" if number else ""
        return AssignmentError(f"{self.path}{where}: {message}")

    def assignment(self, data: dict[str, Any], battery_actions: Sequence[argparse.Action]) -> Assignment:
        for key in data:
            if key not in _TOP_LEVEL:
                raise self.fail(key, f"unknown setting {key!r}; the settings are: {', '.join(_TOP_LEVEL)}")
        factory = data.get("factory")
        if factory is not None and (not isinstance(factory, str) or not factory.isidentifier()):
            raise self.fail("factory", f"factory must be a Python name such as \"make\", not {factory!r}")
        skipped = data.get("skipped-scores", False)
        if not isinstance(skipped, bool):
            raise self.fail("skipped-scores", f"skipped-scores must be true or false, not {skipped!r}")
        return Assignment(factory, skipped, self.battery(data.get("battery", {}), battery_actions),
                          self.points(data.get("points", {})))

    def table(self, name: str, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(name, f"{name} must be a table ([{name}]), not a {type(value).__name__}")
        return value

    def battery(self, value: Any, actions: Sequence[argparse.Action]) -> dict[str, Any]:
        by_name = {action.option_strings[0].lstrip("-"): action for action in actions}
        settings = {}
        for key, item in self.table("battery", value).items():
            action = by_name.get(key)
            if action is None:
                raise self.fail(key, f"unknown battery option {key!r}; they are: {', '.join(by_name)}")
            settings[action.dest] = self.option(key, item, action)
        return settings

    def option(self, key: str, value: Any, action: argparse.Action) -> Any:
        if action.nargs in ("+", "*") or isinstance(action, argparse._AppendAction):  # several values
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list) or (action.nargs == "+" and not items):
                raise self.fail(key, f"{key} must be a list, such as [\"a\", \"b\"], not {value!r}")
            return [self.scalar(key, item, action) for item in items]
        return self.scalar(key, value, action)

    def scalar(self, key: str, value: Any, action: argparse.Action) -> Any:
        wanted = action.type or str
        if wanted is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif wanted is float:
            ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
        else:
            ok = isinstance(value, str)
        if not ok:
            kind = "an integer" if wanted is int else "a number" if wanted is float else "a string"
            raise self.fail(key, f"{key} must be {kind}, not {value!r}")
        if action.choices is not None and value not in action.choices:
            choices = ", ".join(str(c) for c in action.choices)
            raise self.fail(key, f"{key}: unknown value {value!r}; the choices are: {choices}")
        return wanted(value) if callable(wanted) else value

    def points(self, value: Any) -> dict[str, float]:
        points = {}
        for check_id, item in self.table("points", value).items():
            if check_id not in CHECK_IDS:
                raise self.fail(check_id, f"unknown check {check_id!r} in [points]; the checks are: "
                                          f"{', '.join(CHECK_IDS)}")
            if not isinstance(item, (int, float)) or isinstance(item, bool) or not 0 <= item < float("inf"):
                raise self.fail(check_id, f"the points of {check_id} must be a number 0 or more, "
                                          f"not {item!r}")
            points[check_id] = float(item)
        return points
