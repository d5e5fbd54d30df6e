"""Every correct layer of the catalogue, many cases per check, several seeds: counts false alarms.

Run: python scripts/layer_false_alarms.py [CASES] [SEEDS]   (default 100 cases, seeds 1 2 3)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "layer_implementations"))

from catalogue import CORRECT  # noqa: E402

import backprop  # noqa: E402


def main(cases: int = 100, seeds: int = 3) -> int:
    alarms = verdicts = 0
    start = time.monotonic()
    for seed in range(1, seeds + 1):
        for entry in CORRECT:
            result = backprop.check_layer(entry.target, kind=entry.kind, max_examples=cases, seed=seed)
            verdicts += len(result.results)
            for failed in (r for r in result.results if not r.ok):
                alarms += 1
                print(f"false alarm: seed {seed} {entry.id} {failed.id}: {failed.summary}", flush=True)
    print(f"{alarms} false alarms in {verdicts} check verdicts ({len(CORRECT)} correct layers, {cases} cases "
          f"per check, {seeds} seeds) in {time.monotonic() - start:.0f} s")
    return 1 if alarms else 0


if __name__ == "__main__":
    sys.exit(main(*(int(a) for a in sys.argv[1:3])))
