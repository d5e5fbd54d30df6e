"""The battery over the catalogue of code written as other people write it (tests/styles): how many
correct entries pass, how many planted bugs fail every check they must, and how many carry the finding
kinds they must.

    python scripts/catalogue_figures.py [--max-examples N] [--json PATH]

Each entry runs under what a user would declare for it (its DECLARE: loss, layers, l2, ...); an
option the battery does not take yet is reported, and the entry counted as not checked.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from styles import catalogue  # noqa: E402

import backprop  # noqa: E402
from backprop.battery.targets import TargetError  # noqa: E402


def run(max_examples: int) -> list[dict]:
    accepted = set(inspect.signature(backprop.check).parameters)
    rows = []
    for name, module in catalogue().items():
        declare = dict(getattr(module, "DECLARE", {}) or {})
        if "layers" in declare:
            declare["layers"] = [",".join(map(str, sizes)) for sizes in declare["layers"]]
        unknown = sorted(set(declare) - accepted)
        row = {"entry": name, "expected_failed": list(module.EXPECTED_FAILED), "style": module.STYLE}
        if unknown:
            rows.append({**row, "outcome": f"not checked: the battery takes no {', '.join(unknown)}"})
            continue
        try:
            result = backprop.check(f"{module.__file__}:make", max_examples=max_examples, **declare)
        except (TargetError, ValueError, TypeError) as error:
            rows.append({**row, "outcome": f"not checked: {error}"})
            continue
        failed = set(result.failed_ids)
        expected_kinds = module.EXPECTED_KINDS
        if isinstance(expected_kinds, dict):
            wanted = {kind for kinds in expected_kinds.values() for kind in kinds}
        else:
            wanted = set(expected_kinds)
        found = {f.kind for r in result.results for f in r.findings}
        rows.append({**row, "outcome": "checked", "failed": sorted(failed),
                     "caught": set(module.EXPECTED_FAILED) <= failed if module.EXPECTED_FAILED else None,
                     "false_alarm": bool(failed) and not module.EXPECTED_FAILED,
                     "kinds_wanted": sorted(wanted), "kinds_found": sorted(found),
                     "kind_found": bool(wanted & found) if wanted else None})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=6)
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args()
    rows = run(args.max_examples)
    checked = [r for r in rows if r["outcome"] == "checked"]
    correct = [r for r in checked if not r["expected_failed"]]
    bugs = [r for r in checked if r["expected_failed"]]
    print(f"entries {len(rows)}, checked {len(checked)}")
    print(f"correct entries passing: {sum(not r['failed'] for r in correct)} of {len(correct)}")
    caught = sum(bool(r["caught"]) for r in bugs)
    print(f"planted bugs failing every check they must: {caught} of {len(bugs)}")
    with_kinds = [r for r in bugs if r["kinds_wanted"]]
    print(f"planted bugs carrying an expected finding kind: {sum(bool(r['kind_found']) for r in with_kinds)} "
          f"of {len(with_kinds)}")
    for r in rows:
        if r["outcome"] != "checked" or r["false_alarm"] or (r["expected_failed"] and not r["caught"]):
            print(f"  {r['entry']}: {r['outcome']} {r.get('failed', '')}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2, default=list))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
