"""Each command's docs page gives every option as the command defines it: its name, its value's
name, its default and its help. A changed default or help text that the page does not follow
fails here, whichever of the two was changed by mistake."""

import argparse
from pathlib import Path

import pytest

from backprop.cli import SUBCOMMANDS, options_table, parser_table

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = {"check": "battery.md", "check-layer": "layers.md", "grade": "grading.md"}


@pytest.mark.parametrize("command", sorted(PAGES))
def test_the_docs_page_of_a_command_gives_every_option_as_the_command_defines_it(command):
    table = options_table(command)
    page = (DOCS / PAGES[command]).read_text(encoding="utf-8")
    assert table in page, f"docs/{PAGES[command]} does not hold the table of `backprop {command}`:\n{table}"


def test_every_documented_command_is_one_the_cli_runs():
    assert set(PAGES) <= set(SUBCOMMANDS)


def test_the_table_writes_each_kind_of_argument_as_its_help_does():
    parser = argparse.ArgumentParser(prog="demo")
    parser.add_argument("target", metavar="FILE.py:NAME", help="what is checked")
    parser.add_argument("--seed", type=int, default=3, metavar="N", help="the seed (default %(default)s)")
    parser.add_argument("--fast", action="store_true", help="skip the | slow part")
    parser.add_argument("--side", choices=["first", "last"], help="where")
    parser.add_argument("-n", "--name", help="a  name\n   wrapped")
    assert parser_table(parser).splitlines() == [
        "| option | default | what it does |",
        "|---|---|---|",
        "| `FILE.py:NAME` | – | what is checked |",
        "| `--seed N` | `3` | the seed (default 3) |",
        "| `--fast` | off | skip the \\| slow part |",
        "| `--side {first,last}` | – | where |",
        "| `-n, --name NAME` | – | a name wrapped |",
    ]


def test_a_flag_that_is_on_unless_turned_off_says_so():
    parser = argparse.ArgumentParser(prog="demo")
    parser.add_argument("--no-plot", dest="plot", action="store_false", help="no picture")
    parser.add_argument("--quiet", action="store_const", const=1, default=None, help="less")
    rows = parser_table(parser).splitlines()[2:]
    assert rows == ["| `--no-plot` | on | no picture |", "| `--quiet` | – | less |"]
