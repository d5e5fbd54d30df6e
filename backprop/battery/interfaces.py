"""Where the battery was run from, and how an option is declared there: `backprop check --loss bce`, the
pytest plugin's `--backprop-loss bce`, or Python's `backprop.check(make, loss='bce')`.

Every sentence that names an option (a hint to declare the loss, an argument refused, the reproduce
line) is written here for the interface in use, so that what the user is told to type works where
they are.  Options are named by the keyword arguments of `backprop.check()`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

CLI, PYTEST, PYTHON = "cli", "pytest", "python"
INTERFACES = (CLI, PYTEST, PYTHON)

_FLAGS = {"scheme": "fit-scheme"}
"""Keywords of check() whose command-line flag has another name."""

_PYTEST_ONLY = "-k"
"""The plugin runs one test item per check: a pytest reproduce line selects it by name."""


def validate_interface(interface: Any) -> str:
    if interface not in INTERFACES:
        raise ValueError(f"interface must be one of {', '.join(INTERFACES)}, not {interface!r}")
    return str(interface)


def option_name(option: str, interface: str) -> str:
    """The name the user gives `option` (a keyword of check()) in the interface: "--max-examples",
    "--backprop-max-examples" or "max_examples"."""
    if interface == PYTHON:
        return option
    flag = _FLAGS.get(option, option).replace("_", "-")
    return ("--backprop-" if interface == PYTEST else "--") + flag


def declare(option: str, value: Any, interface: str) -> str:
    """How to declare `option` = `value` in the interface: "--loss bce", "--backprop-loss bce" or
    "loss='bce'".  A switch (value True) is a bare flag on a command line; a list is the values after one
    flag (`only`), or one flag a value for a repeatable option (`layers`); `only` under pytest is `-k`."""
    if interface == PYTHON:
        return f"{option}={_python(value)}"
    if option == "only" and interface == PYTEST:
        names = [value] if isinstance(value, str) else list(value)
        expression = " or ".join(names)
        return f"{_PYTEST_ONLY} {expression}" if len(names) == 1 else f"{_PYTEST_ONLY} '{expression}'"
    flag = option_name(option, interface)
    if value is True:
        return flag
    if isinstance(value, (list, tuple)):
        if option == "only":
            return " ".join([flag, *map(str, value)])
        return " ".join(f"{flag} {item}" for item in value)
    return f"{flag} {_text(value)}"


def _text(value: Any) -> str:
    """A value as a command line writes it: a float short (1, 0.001) when that reads back the same,
    else in full, so that a reproduce line reruns the check with the value that was declared."""
    if not isinstance(value, float):
        return str(value)
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


def _python(value: Any) -> str:
    if isinstance(value, tuple):
        value = list(value)
    return repr(value)


def reproduce(
    interface: str, target: str | None, factory_name: str | None, declared: Sequence[tuple[str, Any]]
) -> str | None:
    """The line that runs the same check on the same cases again, in the interface: a `backprop check`
    command, a `python -m pytest --backprop-impl` command, or a `backprop.check(...)` call (which names
    the factory object when there is no target string).  None when it cannot be written (no target
    string for a command line)."""
    options = [declare(option, value, interface) for option, value in declared]
    if interface == PYTHON:
        subject = repr(target) if target is not None and factory_name is None else factory_name
        return f"backprop.check({', '.join([subject or 'make', *options])})"
    if target is None:
        return None
    command = f"backprop check {target}" if interface == CLI else f"python -m pytest --backprop-impl {target}"
    return " ".join([command, *options])


__all__ = ["CLI", "INTERFACES", "PYTEST", "PYTHON", "declare", "option_name", "reproduce",
           "validate_interface"]
