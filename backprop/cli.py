"""The `backprop` command: `check` (the conformance battery), `check-layer`, `grade`, `demo`, `bench`.

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
    "grade": (
        "backprop.grading.command",
        "grade a class's submissions with the battery, in parallel, into csv, json, junit or gradescope",
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


def options_table(command: str) -> str:
    """The table of a subcommand's options in its docs page (a test holds the page to it), so that
    the page gives every option with its default and its help, as `--help` does."""
    parser = _Parser(prog=f"backprop {command}")
    importlib.import_module(SUBCOMMANDS[command][0]).add_arguments(parser)
    return parser_table(parser)


def parser_table(parser: argparse.ArgumentParser) -> str:
    """A parser's arguments as a markdown table: how each is written, its default, its help."""
    lines = ["| option | default | what it does |", "|---|---|---|"]
    for action in parser._actions:  # argparse has no public way to list what was added
        if isinstance(action, argparse._HelpAction):
            continue
        lines.append(f"| `{_invocation(action)}` | {_default(action)} | {_help(action, parser.prog)} |")
    return "\n".join(lines)


def _invocation(action: argparse.Action) -> str:
    if action.metavar is not None:
        value = str(action.metavar)
    elif action.choices is not None:
        value = "{" + ",".join(map(str, action.choices)) + "}"
    else:
        value = action.dest.upper()
    if not action.option_strings:
        return value
    flags = ", ".join(action.option_strings)
    return flags if action.nargs == 0 else f"{flags} {value}"


def _default(action: argparse.Action) -> str:
    if action.nargs == 0:
        return "off" if action.default is False else "on" if action.default is True else "–"
    if action.default is None or action.default == argparse.SUPPRESS:
        return "–"
    return f"`{action.default}`"


def _help(action: argparse.Action, prog: str) -> str:
    text = (action.help or "") % {**vars(action), "prog": prog}  # as argparse expands it
    return " ".join(text.split()).replace("|", "\\|")


if __name__ == "__main__":
    sys.exit(main())
