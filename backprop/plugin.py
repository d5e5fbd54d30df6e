"""pytest plugin: `pytest --backprop-impl TARGET` runs the conformance battery on TARGET."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("backprop")
    group.addoption(
        "--backprop-impl",
        action="store",
        default=None,
        metavar="TARGET",
        help="run the backprop conformance battery on TARGET (module:attr or path/to/file.py:attr)",
    )
