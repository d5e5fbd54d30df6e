"""Count the battery's false alarms: "failed" or "errored" verdicts on implementations that are right.

    python scripts/false_alarms.py                      # the reference, backprop.fast and a float32 copy
    python scripts/false_alarms.py --cases 50 --kink-cases 20 backprop:NeuralNetwork

Every check of the battery is run on every case, one case at a time, so the count is of
(case, check) verdicts, not of checks that failed at least once.  The cases are those the
battery itself draws (`backprop.battery.cases`), plus relu cases whose weights are set so that
pre-activations sit on the kink (to rounding) or within 1e-15 to 1e-6 of it, in every layer.
Nothing is shrunk: a false alarm is reported with its case, so `backprop check` can replay it.
Exit status 0 when there is no false alarm, 1 otherwise.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from anywhere, on this checkout

from backprop.battery import CHECK_IDS, conventions  # noqa: E402
from backprop.battery import cases as battery  # noqa: E402
from backprop.battery.cases import Case, make_case  # noqa: E402
from backprop.battery.checks import skip_reason  # noqa: E402
from backprop.battery.profile import Profile  # noqa: E402
from backprop.battery.runner import as_worker, evaluate, protocol_of  # noqa: E402
from backprop.battery.targets import resolve  # noqa: E402
from backprop.losses import Loss, get_loss  # noqa: E402

DEFAULT_TARGETS = (
    "backprop:NeuralNetwork",
    "backprop.fast:make",
    "tests/implementations/float32_network.py:make",
)
KINK_OFFSETS = (0.0, 1e-15, -1e-15, 1e-12, -1e-12, 1e-9, -1e-9, 1e-6, -1e-6)
"""Where the kinked units' pre-activations are put: on relu's kink, and on either side of it."""


MAX_AIMING_CHANGE = 100.0
"""The largest change to one weight that aiming a unit may make (a 1e26 weight overflows float32)."""


@dataclass(frozen=True)
class KinkCase(Case):
    """A relu case whose weights put chosen units' pre-activations at chosen offsets from 0.

    `kinks[l][j]` is the offset for unit j of layer l, or None to leave that unit's z as drawn.
    The weights are adjusted through the input with the largest magnitude, so the unit's z
    lands on the offset up to the rounding of one dot product; a unit that would need a weight
    change above MAX_AIMING_CHANGE (its inputs all nearly 0) is left as drawn.
    """

    kinks: tuple[tuple[float | None, ...], ...] = ()

    def random_weights(self, shapes: Sequence[tuple[int, ...]]) -> list[NDArray]:
        weights = super().random_weights(shapes)
        a = np.concatenate(([1.0], self.x))
        for layer, w in enumerate(weights):
            if w.ndim != 2 or a.shape[0] != w.shape[0]:
                return weights  # not the layer-level shapes this case knows how to aim
            for unit, offset in enumerate(self.kinks[layer][: w.shape[1]] if layer < len(self.kinks) else ()):
                k = int(np.argmax(np.abs(a)))
                if offset is None or a[k] == 0:
                    continue
                if abs((offset - a @ w[:, unit]) / a[k]) > MAX_AIMING_CHANGE:
                    continue  # z far from 0 through a tiny input: aiming would need an absurd weight
                for _ in range(2):  # the second pass removes most of the first one's rounding
                    w[k, unit] += (offset - a @ w[:, unit]) / a[k]
            a = np.maximum(a @ w, 0.0)
        return weights

    def describe(self) -> str:
        return super().describe() + f", kinks {[list(k) for k in self.kinks]}"


def kink_cases(loss: Loss, offsets: Sequence[float] = KINK_OFFSETS) -> st.SearchStrategy[KinkCase]:
    """relu cases shaped like the battery's, with some units of every layer aimed at the kink."""

    @st.composite
    def draw(draw_: st.DrawFn) -> KinkCase:
        n_hidden = draw_(st.integers(0, battery.MAX_HIDDEN_LAYERS))
        sizes = [draw_(st.integers(1, battery.MAX_WIDTH))]
        sizes += [draw_(st.integers(1, battery.MAX_WIDTH)) for _ in range(n_hidden)]
        sizes.append(draw_(st.integers(2 if loss.name == "softmax_ce" else 1, battery.MAX_OUTPUTS)))
        base = make_case(sizes, "relu", draw_(st.sampled_from(battery.LEARNING_RATES)),
                         draw_(st.sampled_from(battery.SCALES)), draw_(st.integers(0, 2**32 - 1)), loss)
        units = [n + 1 for n in sizes[1:-1]] + [sizes[-1]]  # hidden layers have their extra unit
        offset = st.none() | st.sampled_from(list(offsets))
        kinks = tuple(tuple(draw_(offset) for _ in range(n)) for n in units)
        fields = {f.name: getattr(base, f.name) for f in dataclasses.fields(Case)}
        return KinkCase(**fields, kinks=kinks)

    return draw()


@dataclass
class Tally:
    """Verdicts of one implementation over one family of cases."""

    target: str
    family: str
    cases: int = 0
    verdicts: Counter = field(default_factory=Counter)
    alarms: list[dict[str, Any]] = field(default_factory=list)

    @property
    def evaluations(self) -> int:
        return sum(self.verdicts.values())

    @property
    def false_alarms(self) -> int:
        return self.verdicts["failed"] + self.verdicts["errored"]


def sweep(target: str, family: str, strategy: st.SearchStrategy[Case], n_cases: int, loss: Loss,
          rng_seed: int) -> Tally:
    """Every applicable check on each of n_cases cases drawn from strategy."""
    factory, _ = resolve(target)
    worker = as_worker(factory)  # the sweep measures the checks' logic, driving the code in this process
    probe = protocol_of(worker)
    if isinstance(probe, str):
        raise SystemExit(f"{target}: the protocol could not be detected: {probe}")
    protocol, offers = probe
    profile = conventions.probe(worker, Profile(protocol, frozenset(offers)), loss)
    ids = [i for i in CHECK_IDS if skip_reason(i, protocol, profile.offers, profile.why_missing()) is None]
    tally = Tally(target, family)

    @seed(rng_seed)
    @settings(max_examples=n_cases, database=None, deadline=None, derandomize=False, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), print_blob=False)
    @given(strategy)
    def run(case: Case) -> None:
        tally.cases += 1
        for check_id in ids:
            evidence = evaluate(check_id, worker, case, loss, profile)
            tally.verdicts[evidence.status] += 1
            if evidence.failing:
                tally.alarms.append({"check": check_id, "status": evidence.status,
                                     "summary": evidence.summary, "where": evidence.where,
                                     "rel_error": evidence.rel_error, "case": case.describe()})

    run()
    return tally


def _floats(text: str) -> list[float]:
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, not {text!r}") from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="*", default=list(DEFAULT_TARGETS), metavar="TARGET")
    parser.add_argument("--cases", type=int, default=200,
                        help="battery cases per implementation (default 200)")
    parser.add_argument("--kink-cases", type=int, default=100,
                        help="relu cases aimed at the kink, per implementation (default 100)")
    parser.add_argument("--offsets", type=_floats, default=list(KINK_OFFSETS), metavar="Z,Z,...",
                        help="where the kinked units' pre-activations go (default: 0 and ±1e-15 ... ±1e-6)")
    parser.add_argument("--loss", default="half_sse")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", metavar="PATH", help="write every count and every false alarm's case")
    args = parser.parse_args(argv)
    if args.cases < 0 or args.kink_cases < 0:
        parser.error("--cases and --kink-cases must be non-negative")
    loss = get_loss(args.loss)

    tallies = []
    started = time.perf_counter()
    print(f"{'implementation':48} {'cases':>12} {'cases':>6} {'verdicts':>9} {'false alarms':>13} "
          f"{'time':>7}")
    for target in args.targets:
        families = [("battery", battery.cases(loss), args.cases),
                    ("relu kinks", kink_cases(loss, args.offsets), args.kink_cases)]
        for family, strategy, n in families:
            if n == 0:
                continue
            t0 = time.perf_counter()
            tally = sweep(target, family, strategy, n, loss, args.seed)
            tallies.append(tally)
            print(f"{target:48} {family:>12} {tally.cases:6d} {tally.evaluations:9d} "
                  f"{tally.false_alarms:13d} {time.perf_counter() - t0:6.0f}s", flush=True)
            for alarm in tally.alarms[:5]:
                print(f"    {alarm['check']} {alarm['status']}: {alarm['summary']} [{alarm['case']}]")
    evaluations = sum(t.evaluations for t in tallies)
    alarms = sum(t.false_alarms for t in tallies)
    by_check = Counter(a["check"] for t in tallies for a in t.alarms)
    print(f"\n{alarms} false alarm(s) in {evaluations} verdicts on {sum(t.cases for t in tallies)} cases "
          f"({time.perf_counter() - started:.0f} s)")
    for check_id, count in by_check.most_common():
        print(f"    {check_id}: {count}")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "loss": loss.name, "seed": args.seed, "evaluations": evaluations, "false_alarms": alarms,
            "tallies": [{"target": t.target, "family": t.family, "cases": t.cases,
                         "verdicts": dict(t.verdicts), "false_alarms": t.false_alarms, "alarms": t.alarms}
                        for t in tallies],
        }, indent=2, default=str))
    return 0 if alarms == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
