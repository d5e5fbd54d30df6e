"""How `fit` trains: the schemes the battery knows, and the paths one epoch of each may take.

A scheme is named by a string (`check(..., scheme=NAME)`, `--fit-scheme NAME`):

- `random-sample`: one step an epoch, on one row drawn at random (the article's fit);
- `per-sample`: one step per row, every row once an epoch, in some order;
- `full-batch-sum`, `full-batch-mean`: one step an epoch on all rows, the rows' gradients summed
  or averaged;
- `mini-batch-sum-K`, `mini-batch-mean-K`: one step per batch of K rows (the last one may be smaller,
  or dropped), in some order.

An epoch on n rows is a *path*: the batches it steps on, in order, each a tuple of row indices.
`epoch_paths` gives every path a scheme may take, so that what a fit did can be compared with each
(backprop.battery.conventions characterises a fit that way), and what a scheme should do on given
rows can be computed (fit-two-samples).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import permutations

RANDOM_SAMPLE = "random-sample"
PER_SAMPLE = "per-sample"
REDUCTIONS = ("sum", "mean")

Path = tuple[tuple[int, ...], ...]
"""The batches one epoch steps on, in order."""

_MINI = re.compile(r"mini-batch-(sum|mean)-([1-9][0-9]*)")


@dataclass(frozen=True)
class Scheme:
    """A parsed scheme name: its kind, how a batch combines its rows, and the batch size."""

    name: str
    kind: str
    """"random-sample", "per-sample", "full-batch" or "mini-batch"."""
    reduction: str = "sum"
    size: int | None = None

    def describe(self) -> str:
        """The scheme in words, for the report's header."""
        combined = "summed" if self.reduction == "sum" else "averaged"
        if self.kind == "random-sample":
            return "one random sample per epoch"
        if self.kind == "per-sample":
            return "every sample once per epoch, one step each"
        if self.kind == "full-batch":
            return f"the full batch per epoch, gradients {combined}"
        return f"mini-batches of {self.size} rows, gradients {combined}"


NAMES = (RANDOM_SAMPLE, PER_SAMPLE, "full-batch-sum", "full-batch-mean", "mini-batch-sum-K",
         "mini-batch-mean-K")
"""The scheme names a user can declare (K a positive batch size)."""

CANDIDATES = (RANDOM_SAMPLE, PER_SAMPLE, "full-batch-sum", "full-batch-mean",
              "mini-batch-sum-2", "mini-batch-mean-2", "mini-batch-sum-3", "mini-batch-mean-3")
"""The schemes a fit is compared with, in the order the first that fits is named (on the battery's
4 probe rows, mini-batches of 4 rows or more are a full batch)."""


def parse_scheme(name: object) -> Scheme:
    """The scheme of a name, or a ValueError (one sentence) listing the names."""
    text = name.strip() if isinstance(name, str) else ""
    if text in (RANDOM_SAMPLE, PER_SAMPLE):
        return Scheme(text, text)
    for reduction in REDUCTIONS:
        if text == f"full-batch-{reduction}":
            return Scheme(text, "full-batch", reduction)
    match = _MINI.fullmatch(text)
    if match:
        return Scheme(text, "mini-batch", match.group(1), int(match.group(2)))
    raise ValueError(f"unknown fit scheme {name!r}; the schemes are: {', '.join(NAMES)}")


def epoch_paths(scheme: Scheme, n: int) -> list[Path]:
    """Every path one epoch of the scheme may take on n rows, without repeats."""
    rows = tuple(range(n))
    if scheme.kind == "random-sample":
        return [((i,),) for i in rows]
    if scheme.kind == "full-batch" or (scheme.kind == "mini-batch" and (scheme.size or 1) >= n):
        return [(rows,)]
    size = 1 if scheme.kind == "per-sample" else int(scheme.size or 1)
    found: dict[Path, None] = {}
    for order in permutations(rows):
        batches = tuple(tuple(sorted(order[k:k + size])) for k in range(0, n, size))
        found[batches] = None
        if len(batches[-1]) < size:  # the smaller last batch dropped
            found[batches[:-1]] = None
    return list(found)


def weight_of(scheme: Scheme, batch: tuple[int, ...]) -> float:
    """What each row's gradient is multiplied by in a step on this batch."""
    return 1.0 / len(batch) if scheme.reduction == "mean" and scheme.kind in ("full-batch", "mini-batch") \
        else 1.0


def describe_path(scheme: Scheme, path: Path) -> str:
    """'one step on row 2', 'steps on rows 1, then 2', 'one step on the mean of rows 1 to 4'..."""
    def rows(batch: tuple[int, ...]) -> str:
        if len(batch) == 1:
            return f"row {batch[0] + 1}"
        how = "mean" if weight_of(scheme, batch) != 1.0 else "sum"
        return f"the {how} of rows {', '.join(str(i + 1) for i in batch)}"

    if len(path) == 1:
        return f"one step on {rows(path[0])}"
    return "steps on " + ", then ".join(rows(batch) for batch in path)
