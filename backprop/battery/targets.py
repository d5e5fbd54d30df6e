"""Turn a target string, "module:attr" or "path/to/file.py:attr", into the factory it names.

Students have scripts rather than packages, so a path to a .py file is as good as a module
name; its folder goes on sys.path so that it can import its neighbours.  The target is first
imported in a sandboxed child, so that an import that hangs, exits or crashes is reported in
one sentence instead of taking the battery down; only then is it imported here.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from collections.abc import Callable
from typing import Any

from ..sandbox import run_isolated, silenced_fds

DEFAULT_ATTRIBUTE = "make"
"""The factory's name when a target gives none ("mynet.py" means "mynet.py:make")."""


class TargetError(ValueError):
    """The target cannot be loaded: the message is one sentence, fit for a command line."""


def split_target(target: str) -> tuple[str, str]:
    """("module or path", "attribute") from "module:attr" or "path/to/file.py:attr"."""
    if not isinstance(target, str) or not target.strip():
        raise TargetError(
            f"a target must be a string such as mynet.py:make or package.module:make, not {target!r}"
        )
    location, sep, attribute = target.strip().rpartition(":")
    if not sep or (len(location) == 1 and location.isalpha()):  # no colon, or only a Windows drive letter
        location, attribute = target.strip(), DEFAULT_ATTRIBUTE
    if not location or not all(part.isidentifier() for part in attribute.split(".")):
        raise TargetError(f"target {target!r} is not of the form module:attr or path/to/file.py:attr")
    return location, attribute


def is_path(location: str) -> bool:
    return location.endswith(".py") or os.sep in location or "/" in location


def _import(location: str) -> Any:
    if is_path(location):
        path = os.path.abspath(location)
        if not os.path.isfile(path):
            raise TargetError(f"no such file: {location}")
        name = "_backprop_target_" + os.path.splitext(os.path.basename(path))[0].replace("-", "_")
        folder = os.path.dirname(path)
        if folder in sys.path:  # first, as for a script: its neighbours win over same-named modules elsewhere
            sys.path.remove(folder)
        sys.path.insert(0, folder)
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise TargetError(f"{location} cannot be imported as a Python file")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(name, None)
            raise
        return module
    try:
        return importlib.import_module(location)
    except ModuleNotFoundError as error:
        # the target itself or a package on its path is missing; a module it imports propagates
        if error.name and (location == error.name or location.startswith(error.name + ".")):
            raise TargetError(
                f"no module named {error.name!r} (is it installed, or did you mean a path to a .py file?)"
            ) from None
        raise


def load_target(target: str, what: str = "a callable make(layers, activation)") -> Callable[..., Any]:
    """The callable the target names; TargetError for a missing attribute or a non-callable one.

    `what` says, in the error for a non-callable attribute, what the target should have named.

    Errors raised by the user's own module (a syntax error, an exception at import) propagate.
    """
    location, attribute = split_target(target)
    module = _import(location)
    value: Any = module
    for part in attribute.split("."):
        if not hasattr(value, part):
            raise TargetError(f"{location} has no attribute {attribute!r}")
        value = getattr(value, part)
    if not callable(value):
        raise TargetError(
            f"{location}:{attribute} is a {type(value).__name__}, not {what}"
        )
    return value


def _try_load(target: str) -> str | None:
    """None when the target loads, the TargetError's sentence when it does not (run in a child)."""
    try:
        load_target(target)
    except TargetError as error:
        return str(error)
    except SyntaxError as error:
        return f"syntax error in {error.filename or target}, line {error.lineno}: {error.msg}"
    return None


def resolve(factory_or_target: Any, timeout: float = 60.0) -> tuple[Callable[..., Any], str]:
    """(factory, its name for reports) from a factory or a target string; TargetError otherwise."""
    if isinstance(factory_or_target, str):
        target = factory_or_target.strip()
        outcome = run_isolated(_try_load, target, timeout=timeout)
        if outcome.status == "returned" and outcome.value:
            raise TargetError(f"cannot load {target}: {outcome.value}")
        if outcome.status != "returned":
            message = outcome.message.replace("the implementation's process", "the importing process")
            message = message.replace("the implementation", "importing it")
            raise TargetError(f"cannot load {target}: {message}")
        with silenced_fds():
            return load_target(target), target
    if not callable(factory_or_target):
        raise TypeError(
            f"the battery needs a factory make(layers, activation) or a target string, "
            f"not a {type(factory_or_target).__name__}"
        )
    return factory_or_target, describe_factory(factory_or_target)


def describe_factory(factory: Callable[..., Any]) -> str:
    """module:qualname of a factory, the form a target string would take."""
    module = getattr(factory, "__module__", None) or "?"
    name = getattr(factory, "__qualname__", None) or getattr(factory, "__name__", None) or repr(factory)
    return f"{module}:{name}"


def importable_name(factory: Callable[..., Any]) -> str | None:
    """The factory's target string when `backprop check` could load it by that name, else None."""
    name = describe_factory(factory)
    module, _, qualname = name.partition(":")
    if module in ("?", "__main__") or "<" in qualname or module.startswith("_backprop_target_"):
        return None
    try:
        return name if load_target(name) is factory else None
    except Exception:
        return None
