"""The battery over the catalogue of code written as other people write it (tests/styles): correct entries
passing, planted bugs caught (failing every check they must), bugs whose expected finding kinds were found,
and false alarms, over the whole catalogue.

    python scripts/catalogue_figures.py [--max-examples N] [--json PATH] [--include-slow]

Each entry runs as tests/test_styles_battery.py runs it: under what a user would declare for it (its
DECLARE: loss, layers, l2, ...), seed 0, the cases per check of that file (more for the entries it names),
and without the entries it skips as too slow unless --include-slow is given.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from styles import catalogue, keywords, verdict  # noqa: E402
from test_styles_battery import MAX_EXAMPLES, MORE_EXAMPLES, TOO_SLOW  # noqa: E402

import backprop  # noqa: E402
from backprop.battery.targets import TargetError  # noqa: E402


def run(max_examples: int | None, include_slow: bool) -> list[dict]:
    rows = []
    for name, module in catalogue().items():
        row = {"entry": name, "style": module.STYLE, "protocol": module.PROTOCOL,
               "expected_failed": list(module.EXPECTED_FAILED),
               "expected_kinds": sorted({k for kinds in module.EXPECTED_KINDS.values() for k in kinds})}
        if name in TOO_SLOW and not include_slow:
            rows.append({**row, "outcome": f"not checked: {TOO_SLOW[name]}"})
            continue
        examples = max_examples or MORE_EXAMPLES.get(name, MAX_EXAMPLES)
        start = time.perf_counter()
        try:
            result = backprop.check(f"{module.__file__}:make", max_examples=examples, seed=0,
                                    **keywords(module))
        except (TargetError, ValueError, TypeError) as error:
            rows.append({**row, "outcome": f"not checked: {error}"})
            continue
        said = {r.id: {"status": r.status, "kinds": [f.kind for f in r.findings],
                       "diagnosis": r.diagnosis or r.summary} for r in result.results if r.status != "passed"}
        rows.append({**row, **verdict(module, result), "outcome": "checked",
                     "seconds": round(time.perf_counter() - start, 1), "said": said})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, help="cases per check for every entry")
    parser.add_argument("--json", metavar="PATH")
    parser.add_argument("--include-slow", action="store_true")
    args = parser.parse_args()
    rows = run(args.max_examples, args.include_slow)
    checked = [r for r in rows if r["outcome"] == "checked"]
    correct = [r for r in checked if not r["expected_failed"]]
    bugs = [r for r in checked if r["expected_failed"]]
    print(f"entries {len(rows)}, checked {len(checked)} ({len(correct)} correct, {len(bugs)} planted bugs)")
    print(f"correct entries passing every check: {sum(not r['failed'] for r in correct)} of {len(correct)}")
    print(f"false alarms: {sum(bool(r['false_alarm']) for r in correct)} correct entries failing or erroring "
          f"a check ({sum(len(r['failed']) + len(r['errored']) for r in correct)} checks)")
    caught = sum(not r["not_failed"] for r in bugs)
    print(f"planted bugs failing every check they must: {caught} of {len(bugs)}")
    print(f"planted bugs failing at least one check they must: "
          f"{sum(len(r['not_failed']) < len(r['expected_failed']) for r in bugs)} of {len(bugs)}")
    print(f"planted bugs whose expected kinds were all found: {sum(not r['kinds_missing'] for r in bugs)} "
          f"of {len(bugs)}")
    for r in rows:
        if r["outcome"] != "checked":
            print(f"  {r['entry']}: {r['outcome']}")
        elif r["false_alarm"] or r["not_failed"] or r["errored"]:
            print(f"  {r['entry']}: failed {r['failed']}, not failed {r['not_failed']}, "
                  f"errored {r['errored']}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
