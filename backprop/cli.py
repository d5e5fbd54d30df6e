"""The `backprop` command: `check` (the conformance battery), `check-layer`, `demo`, `bench`.

Each subcommand lives in its own module, which gives `add_arguments(parser)` and
`run(args) -> exit code`; it is imported only when that subcommand runs, so that
`backprop demo` does not pay for the battery's imports.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

SUBCOMMANDS = {
    "check": (
        "backprop.battery.command",
        "run the conformance battery on an implementation (default: the bundled reference network)",
    ),
    "check-layer": (
        "backprop.layers.command",
        "check one layer's gradients (nnfs, Medium or CS231n style) against finite differences",
    ),
    "demo": ("backprop.demo", "train the article's examples and print the results"),
    "bench": (
        "backprop.bench",
        "time the per-sample training step of an implementation against a baseline",
    ),
}


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(arguments)
    args = parser.parse_args(arguments)
    module = importlib.import_module(args._module)
    try:
        return int(module.run(args))
    except KeyboardInterrupt:
        # The sandbox has already killed any child; a traceback would only hide that.
        print(f"backprop {args.command}: interrupted", file=sys.stderr)
        return 130


def build_parser(arguments: Sequence[str]) -> argparse.ArgumentParser:
    """The parser, with the arguments of only the subcommand being run (or of all, for help)."""
    from . import __version__

    parser = _Parser(prog="backprop", description="Tell, with evidence, whether backpropagation is right.")
    parser.add_argument("--version", action="version", version=f"backprop {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    wanted = arguments[0] if arguments else None
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(_module=module_name)
        if wanted == name:
            importlib.import_module(module_name).add_arguments(sub)
    return parser


if __name__ == "__main__":
    sys.exit(main())
