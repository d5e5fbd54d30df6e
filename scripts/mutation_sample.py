"""Mutation scores per file from a seeded sample of mutmut's mutants.

A full run over the code that decides verdicts (the battery and the numerical engine) and the
grading and layer code is about 23,700 mutants, and a mutant that survives must run every test
that reaches its function (up to five minutes for the runner's), so a full run takes days on
two cores. This draws the same number of mutants from each file, with a fixed seed, runs them
in one `mutmut run`, and prints each file's score with its 95 % Wilson interval, so a file's
score is a measurement with its uncertainty rather than a guess.

    python scripts/mutation_sample.py --per-file 6             # draw, run, report
    python scripts/mutation_sample.py --per-file 6 --report    # report what was already run
    python scripts/mutation_sample.py --per-file 0 'backprop/numerical/directional*'  # every mutant
    python scripts/mutation_sample.py --names docs/mutation/seed0.txt --report  # a recorded sample
    python scripts/mutation_sample.py --per-file 3 --seed 3 \
        --exclude docs/mutation/seed0.txt --exclude docs/mutation/fresh.txt   # none seen before

Mutants listed in scripts/equivalent_mutants.txt (a name and its reason a line) are counted
apart: no test can kill them, because no behaviour differs. The first run generates the mutants
and mutmut's test statistics, which takes about ten minutes.
"""

from __future__ import annotations

import argparse
import fnmatch
import math
import random
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENTS = ROOT / "scripts" / "equivalent_mutants.txt"
DEFAULT_FILES = ["backprop/battery/*", "backprop/numerical/*", "backprop/grading/*", "backprop/layers/*"]
KILLED = {"killed", "caught by type check", "timeout", "segfault"}


class NoMutmut(Exception):
    """mutmut is not on PATH: nothing can be generated, run or read."""


def mutmut(*args: str, capture: bool = False) -> str:
    """Run ``mutmut`` in the project; its standard output when ``capture``."""
    try:
        done = subprocess.run(["mutmut", *args], cwd=ROOT, capture_output=capture, text=True, check=False)
    except FileNotFoundError:
        install = "pip install -e '.[mutation]' (or run tox -e mutation-battery)"
        raise NoMutmut(f"mutmut is not installed: {install}") from None
    return done.stdout or ""


def mutant_statuses() -> dict[str, str]:
    """Every mutant's name and mutmut's status for it (``not checked`` before it runs)."""
    listing = mutmut("results", "--all", "true", capture=True)
    statuses = {}
    for line in listing.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and "__mutmut_" in name:
            statuses[name] = status
    return statuses


def source_file(mutant: str) -> str:
    """``backprop.battery.checks.deltas.x_f__mutmut_3`` → ``backprop/battery/checks/deltas.py``."""
    module = re.split(r"\.x[_ǁ]", mutant, maxsplit=1)[0].replace(".", "/")
    # mutmut drops ``__init__`` from a package's mutants: theirs is the package's __init__.py
    return f"{module}/__init__.py" if (ROOT / module).is_dir() else f"{module}.py"


def names_in(path: Path) -> list[str]:
    """The mutant names a file lists, whitespace apart (a recorded sample, or one to leave out)."""
    return path.read_text().split()


def equivalents() -> dict[str, str]:
    """The mutants shown equivalent, each with its reason."""
    if not EQUIVALENTS.exists():
        return {}
    reasons = {}
    for line in EQUIVALENTS.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, reason = line.partition(" ")
            reasons[name] = reason.strip()
    return reasons


def draw(
    statuses: dict[str, str],
    patterns: list[str],
    per_file: int,
    seed: int,
    exclude: frozenset[str] = frozenset(),
) -> list[str]:
    """The sample: ``per_file`` mutants of each matching file (all of them when 0), seeded,
    none of them in ``exclude`` (earlier samples, whose survivors have tests written for them)."""
    by_file: dict[str, list[str]] = defaultdict(list)
    for name in sorted(set(statuses) - exclude):
        path = source_file(name)
        if any(fnmatch.fnmatch(path, pattern) for pattern in patterns):
            by_file[path].append(name)
    sample = []
    for path in sorted(by_file):
        names = by_file[path]
        # a generator of each file's own, so that new mutants in one file leave the others' draw alone
        rng = random.Random(f"{seed}:{path}")
        sample += names if per_file == 0 or len(names) <= per_file else rng.sample(names, per_file)
    return sample


def wilson(killed: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95 % Wilson interval of a proportion: honest at 0 or n kills, unlike ±1.96·σ."""
    if n == 0:
        return 0.0, 1.0
    p = killed / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def report(statuses: dict[str, str], sample: list[str]) -> int:
    """One line a file, the totals, every survivor that is not known equivalent, and every mutant listed
    as equivalent that a test killed: an edit renumbered its function, so its entry names another mutant."""
    known = equivalents()
    rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    survivors = []
    stale = []
    for name in sample:
        status = statuses.get(name, "not checked")
        killed = status in KILLED
        outcome = "killed" if killed else ("equivalent" if name in known else status)
        rows[source_file(name)][outcome] += 1
        if outcome in ("survived", "no tests"):
            survivors.append((name, status))
        if killed and name in known:
            stale.append(name)
    columns = f"{'drawn':>5} {'killed':>6} {'equiv':>5} {'alive':>5} {'unrun':>5}"
    print(f"{'file':44} {columns}  score  95 % interval")
    totals: dict[str, int] = defaultdict(int)
    for path in sorted(rows):
        row = rows[path]
        for key, count in row.items():
            totals[key] += count
        print(line(path, row))
    print(line("all", totals))
    for name, status in survivors:
        print(f"{status}: {name}")
    for name in stale:
        print(f"listed as equivalent but killed (renumbered? look again at its entry): {name}")
    return 0


def line(label: str, row: dict[str, int]) -> str:
    drawn = sum(row.values())
    alive = row["survived"] + row["no tests"]
    unrun = drawn - row["killed"] - row["equivalent"] - alive
    judged = row["killed"] + alive
    score = f"{row['killed'] / judged:6.1%}" if judged else "     -"
    low, high = wilson(row["killed"], judged)
    return (
        f"{label:44} {drawn:5d} {row['killed']:6d} {row['equivalent']:5d} {alive:5d} {unrun:5d}"
        f" {score}  {low:.0%}–{high:.0%}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", default=DEFAULT_FILES, help="source file globs")
    parser.add_argument("--per-file", type=int, default=5, help="mutants drawn from each file (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--names", type=Path, help="the mutants listed in this file, not a draw")
    parser.add_argument(
        "--exclude", type=Path, action="append", default=[], help="leave out the mutants listed in this file"
    )
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument("--report", action="store_true", help="report the sample's results without running")
    parser.add_argument("--rerun", action="store_true", help="run the sample's survivors again (new tests)")
    args = parser.parse_args(argv)
    for listed in [args.names, *args.exclude]:
        if listed is not None and not listed.is_file():
            print(f"{listed}: no such file of mutant names", file=sys.stderr)
            return 2
    try:
        return run(args)
    except NoMutmut as error:
        print(error, file=sys.stderr)
        return 2


def run(args: argparse.Namespace) -> int:
    statuses = mutant_statuses()
    if not statuses:
        print("generating the mutants and mutmut's test statistics (about ten minutes)", flush=True)
        mutmut("run", "--max-children", str(args.max_children), "none.x_none")
        statuses = mutant_statuses()
    if args.names:
        listed = names_in(args.names)
        sample = [name for name in listed if name in statuses]
        if not sample:
            unknown = f"none of the {len(listed)} names in {args.names} is one of mutmut's mutants"
            print(unknown, file=sys.stderr)
            return 2
    else:
        excluded = frozenset(name for path in args.exclude for name in names_in(path))
        sample = draw(statuses, args.files, args.per_file, args.seed, excluded)
        if not sample:
            print(f"no mutant matches {' '.join(args.files)}", file=sys.stderr)
            return 2
    wanted = {"not checked"} | ({"survived", "no tests"} if args.rerun else set())
    known = equivalents()
    to_run = [name for name in sample if statuses[name] in wanted and name not in known]
    if to_run and not args.report:
        mutmut("run", "--max-children", str(args.max_children), *to_run)
        statuses = mutant_statuses()
    return report(statuses, sample)


if __name__ == "__main__":
    sys.exit(main())
