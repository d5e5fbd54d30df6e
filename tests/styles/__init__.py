"""Networks written the way other people write them: the ground truth the battery is measured on.

Each module is one entry, a network in a common code style (the article as published, Nielsen's
column vectors, CS231n's `TwoLayerNet`, nnfs layer objects, a Medium tutorial's `FCLayer`, a
params-dict functional style, ...), either correct or with exactly one planted mistake named in
its one-line docstring.  A planted bug imports the correct entry of its style by plain name, as a
user's script imports its neighbour, and overrides the one piece it gets wrong; nothing imports
from `backprop`.  Every module exposes `make(layers, activation)` and this metadata:

- `STYLE`: the code style ("nielsen-column", "nnfs-objects", ...);
- `PROTOCOL`: "layer-level" (the article's `net.layers`), "model-level" (parameters, predict and
  gradients or step, version 2) or "layer-objects" (nnfs or Medium layers);
- `EXPECTED_FAILED`: the ids of the checks that must fail, in the battery's order; a correct entry
  must fail none.  A check not named may fail too where a case happens to carry the mistake to
  it (descent, for a gradient wrong enough to point uphill).  Under the layer protocol the fit
  checks compare fit with the finite differences, so a gradient bug fails them as well; under the
  model-level protocol the gradient checks read `gradients()` or, for step-only code, the gradient
  derived from `step`; under layer objects, nnfs's `dweights`/`dbiases`/`dinputs` (an activation
  object's `dinputs` is its layer's delta) or the gradient derived from Medium's in-place update;
- `EXPECTED_KINDS`: check id -> the finding kinds (backprop.findings.KINDS) its failure must carry;
- `DECLARE`: the battery options a user would declare for it ({"loss": "bce"}, {"l2": 0.01},
  {"layers": [(784, 64, 10)]}, {"scheme": "full-batch-mean"}, ...): keywords of `backprop.check`;
- `LEFT_OUT`: what the battery must say it left out, for code that builds only some networks;
- `SCHEME`: how `fit` trains ("one-random-sample", "full-batch-sum", "full-batch-mean",
  "mini-batch"), None when there is no fit;
- `BIAS`: where the bias lives ("first" or "last": a constant 1 in the input; "separate": a vector).

The code between `# --- battery adapter ---` and `# --- end adapter ---` is what a user writes to
expose the style to the model-level protocol; tests/styles/README.md counts its lines.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

FOLDER = str(Path(__file__).resolve().parent)


def catalogue() -> dict[str, ModuleType]:
    """Every entry, by name, in alphabetical order, imported by plain name as the battery's loader does."""
    if FOLDER not in sys.path:
        sys.path.insert(0, FOLDER)
    names = sorted(info.name for info in pkgutil.iter_modules([FOLDER]) if not info.name.startswith("_"))
    return {name: importlib.import_module(name) for name in names}


def keywords(module: ModuleType) -> dict[str, Any]:
    """The keywords of `backprop.check` a user would pass for the entry: its DECLARE, with each declared
    architecture written as the CLI's comma-separated sizes."""
    declared = dict(module.DECLARE)
    if "layers" in declared:
        declared["layers"] = [",".join(map(str, sizes)) for sizes in declared["layers"]]
    return declared


def verdict(module: ModuleType, result: Any) -> dict[str, Any]:
    """What a battery result says about an entry, against its metadata: the checks that failed, those that
    errored, the expected checks that did not fail (an errored one among them), the expected kinds not
    found on their check, and whether a correct entry failed or errored anywhere (a false alarm).
    `result` is a `backprop.BatteryResult`."""
    failed = {r.id for r in result.results if r.status == "failed"}
    errored = {r.id for r in result.results if r.status == "errored"}
    missing_kinds: set[str] = set()
    for check_id, kinds in module.EXPECTED_KINDS.items():
        found = {finding.kind for finding in result.by_id(check_id).findings}
        missing_kinds |= set(kinds) - found
    return {
        "failed": sorted(failed),
        "errored": sorted(errored),
        "not_failed": [c for c in module.EXPECTED_FAILED if c not in failed],
        "kinds_missing": sorted(missing_kinds),
        "false_alarm": bool(failed | errored) and not module.EXPECTED_FAILED,
    }
