"""Plug-in implementations the battery is tested against: planted bugs and correct variants.

Every module exposes `make(layers, activation)`, `EXPECTED_FAILED`, the ids of the checks
that must fail on it (empty for a correct implementation), and `EXPECTED_KINDS`, check id -> the
finding kinds (backprop.findings.KINDS) its failure must carry.  A planted bug is the article's
network (`backprop.network`) with exactly one realistic mistake, named in the module's
one-line docstring; `LOSS` is the loss a module is written for when it is not half-SSE.
Each file imports nothing from this package, so `backprop check tests/implementations/NAME.py:make`
works on it as on a student's script.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def catalogue() -> dict[str, ModuleType]:
    """Every implementation module, by name, in alphabetical order."""
    names = sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_"))
    return {name: importlib.import_module(f"{__name__}.{name}") for name in names}
