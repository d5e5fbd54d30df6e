"""`backprop bench`: time the per-sample training step of an implementation against a baseline.

Timings on a shared or throttled machine drift, so the target and the baseline are timed in
alternating rounds of the same samples in one process, and only medians and their ratio are
reported. Both run with numpy's BLAS on one thread: a per-sample step gains nothing from
threads, and on a busy machine a multi-threaded call can wait a whole time slice. A round
trains on a block of samples (one step takes microseconds), and the figure given is the time
per sample. Beside them stands the memory floor of the per-sample step: three passes over
the weights (read in forward, read and written in the update) at the copy bandwidth measured
in the same rounds on an array of that size.

Before timing, the target goes through a quick battery gate (`GATE_CHECKS` on `GATE_CASES` cases
of the timed architecture and activation): the speed of a wrong training step means nothing, so a
target that fails it is not timed (`--no-gate` times it anyway, and the report says it was not
checked).

Exit codes: 0 when both were timed, 1 when the target fails the gate or the target or the baseline
raised while training, 2 for a bad argument or a target that cannot be loaded or checked (one line
on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

DEFAULT_TARGET = "backprop.fast:make"
DEFAULT_BASELINE = "backprop:NeuralNetwork"
DEFAULT_ARCH = (784, 128, 10)
DEFAULT_ROUNDS = 7
ROUND_SECONDS = 0.25
"""When --samples is not given, a round of the slower side lasts about this long."""

EXIT_OK, EXIT_RAISED, EXIT_USAGE = 0, 1, 2
EXIT_GATE = 1

GATE_CHECKS = ("weight-gradient", "update-is-sgd-step", "fit-one-sample")
"""What the timed step is made of: the gradient, the update, and the fit (or step) that bench calls."""
GATE_CASES = 3
"""Cases per gate check: enough for the battery to find a wrong gradient or update in a second or two."""


class BenchError(ValueError):
    """A bad argument: the message is one sentence, fit for a command line."""


def parse_arch(text: str) -> list[int]:
    """[784, 128, 10] from "784,128,10"; BenchError otherwise."""
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise BenchError(f"--arch must be layer sizes separated by commas, such as 784,128,10, "
                         f"not {text!r}") from None
    if len(sizes) < 2 or min(sizes) < 1:
        raise BenchError(f"--arch needs at least two positive sizes (inputs and outputs), not {text!r}")
    return sizes


def weight_count(layers: Sequence[int]) -> int:
    """Entries in the reference network's weights: (n_prev + 1)·(n + 1) per hidden layer."""
    widths = [n + 1 for n in layers[1:-1]] + [layers[-1]]
    return sum((rows + 1) * columns for rows, columns in zip(layers, widths))


def training_data(layers: Sequence[int], n_samples: int = 256, seed: int = 0) -> tuple[NDArray, NDArray]:
    """Inputs in [0, 1) like pixel intensities, targets in [-0.9, 0.9], one sample a row."""
    rng = np.random.default_rng(seed)
    return rng.random((n_samples, layers[0])), rng.uniform(-0.9, 0.9, (n_samples, layers[-1]))


def trainer(model: Any, X: NDArray, y: NDArray, learning_rate: float) -> Callable[[int], None]:
    """train(n): n per-sample steps, through `fit` (layer-level protocol) or `step` (model-level)."""
    if hasattr(model, "layers") and callable(getattr(model, "fit", None)):
        return lambda n: model.fit(X, y, learning_rate, n)
    if callable(getattr(model, "step", None)):
        rng = np.random.default_rng(0)

        def train(n: int) -> None:
            for i in rng.integers(len(X), size=n).tolist():
                model.step(X[i], y[i], learning_rate)

        return train
    raise BenchError(f"a {type(model).__name__} has neither layers and fit(X, y, learning_rate, epochs) "
                     "nor step(x, y, learning_rate), so it cannot be timed")


CLOCKS: dict[str, Callable[[], float]] = {"wall": time.perf_counter, "cpu": time.process_time}
"""wall: elapsed time, what a user waits. cpu: the process's CPU time, which leaves out the time
other processes held the core, so it stays meaningful on a busy machine (with one thread)."""


Clock = str | Callable[[], float]
"""A name in CLOCKS, or the clock itself."""


def _clock(clock: Clock) -> Callable[[], float]:
    return CLOCKS[clock] if isinstance(clock, str) else clock


def seconds_per_sample(train: Callable[[int], None], samples: int, clock: Clock = "wall") -> float:
    now = _clock(clock)
    start = now()
    train(samples)
    return (now() - start) / samples


@dataclass(frozen=True)
class MemoryFloor:
    """The least time a per-sample step can take when it passes over all weights `passes` times."""

    weight_bytes: int
    copy_bandwidth: float
    """Bytes read plus bytes written per second by np.copyto on an array of `weight_bytes`."""
    passes: int = 3

    @property
    def seconds_per_sample(self) -> float:
        return self.passes * self.weight_bytes / self.copy_bandwidth

    def to_json(self) -> dict[str, float]:
        return {"weight_bytes": self.weight_bytes, "copy_bandwidth_bytes_per_second": self.copy_bandwidth,
                "passes": self.passes, "seconds_per_sample": self.seconds_per_sample}


def copy_seconds(n_doubles: int, repeats: int = 20, clock: Clock = "wall") -> float:
    """Median time of np.copyto between two float64 arrays of n_doubles (caches warm)."""
    source = np.random.default_rng(0).random(n_doubles)
    target = np.empty_like(source)
    np.copyto(target, source)
    now = _clock(clock)
    times = []
    for _ in range(repeats):
        start = now()
        np.copyto(target, source)
        times.append(now() - start)
    return float(np.median(times))


def memory_floor(layers: Sequence[int], copy_time: float) -> MemoryFloor:
    """The floor for the reference's weights, given a measured copy time of an array that size."""
    weight_bytes = 8 * weight_count(layers)
    return MemoryFloor(weight_bytes, 2 * weight_bytes / copy_time)


@dataclass
class BenchResult:
    """Seconds per sample of target and baseline, round by round, with the memory floor."""

    target: str
    baseline: str
    layers: list[int]
    activation: str
    samples: int
    clock: str = "wall"
    target_seconds: list[float] = field(default_factory=list)
    baseline_seconds: list[float] = field(default_factory=list)
    copy_seconds: list[float] = field(default_factory=list)
    gate: Gate | None = None
    """The battery gate the target passed before it was timed; None when it was not run (`--no-gate`, or
    `compare` called from Python), which the report says."""

    @property
    def target_median(self) -> float:
        return float(np.median(self.target_seconds))

    @property
    def baseline_median(self) -> float:
        return float(np.median(self.baseline_seconds))

    @property
    def speedup(self) -> float:
        """How many times faster per sample the target is than the baseline (medians)."""
        return self.baseline_median / self.target_median

    @property
    def floor(self) -> MemoryFloor:
        return memory_floor(self.layers, float(np.median(self.copy_seconds)))

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target, "baseline": self.baseline, "layers": self.layers,
            "activation": self.activation, "dtype": "float64", "samples_per_round": self.samples,
            "clock": self.clock,
            "rounds": len(self.target_seconds),
            "target_seconds_per_sample": {"median": self.target_median, "rounds": self.target_seconds},
            "baseline_seconds_per_sample": {"median": self.baseline_median, "rounds": self.baseline_seconds},
            "speedup": self.speedup, "memory_floor": self.floor.to_json(),
            "target_over_floor": self.target_median / self.floor.seconds_per_sample,
            "gate": self.gate.to_json() if self.gate is not None else None,
            "machine": machine_description(),
        }


@dataclass(frozen=True)
class Gate:
    """What the quick battery gate found on the target: the checks that passed, were skipped, failed."""

    layers: list[int]
    activation: str
    cases: int
    passed: list[str]
    skipped: list[str]
    failed: list[str]
    """Failed or errored."""
    command: str
    """The `backprop check` command that runs the same checks on the same cases, to see why."""

    def describe(self) -> str:
        return f"{self.cases} cases of {'-'.join(map(str, self.layers))} {self.activation}"

    def to_json(self) -> dict[str, Any]:
        return {"checks": list(GATE_CHECKS), "cases": self.cases, "passed": self.passed,
                "skipped": self.skipped, "failed": self.failed, "command": self.command}


def run_gate(target: str, layers: Sequence[int], activation: str, seed: int = 0) -> Gate:
    """The battery's GATE_CHECKS on the timed architecture and activation; a TargetError (one sentence)
    when the battery cannot check the target at all."""
    from .battery import check
    from .battery.interfaces import CLI, reproduce

    declared: list[tuple[str, Any]] = [("layers", [",".join(map(str, layers))]), ("activation", activation)]
    result = check(target, only=GATE_CHECKS, max_examples=GATE_CASES, seed=seed, interface=CLI,
                   **dict(declared))
    by_status = {status: [r.id for r in result.results if r.status == status]
                 for status in ("passed", "skipped")}
    failed = result.failed_ids
    command = reproduce(CLI, target, None, [*declared, ("seed", seed), ("max_examples", GATE_CASES),
                                            ("only", failed or list(GATE_CHECKS))])
    return Gate(list(layers), activation, GATE_CASES, by_status["passed"], by_status["skipped"], failed,
                str(command))


def gate_refusal(gate: Gate, target: str) -> str:
    """The one sentence that says the target failed the gate, and what to do."""
    return (f"{target} fails the battery's gate ({', '.join(gate.failed)} failed on {gate.describe()}), "
            f"so its training step is wrong and timing it would mean nothing; see why with "
            f"`{gate.command}`, or time it anyway with --no-gate")


def compare(make_target: Callable[..., Any], make_baseline: Callable[..., Any], layers: Sequence[int],
            activation: str = "tanh", *, samples: int | None = None, rounds: int = DEFAULT_ROUNDS,
            learning_rate: float = 0.001, seed: int = 0, clock: str = "wall",
            names: tuple[str, str] = ("target", "baseline")) -> BenchResult:
    """Time both factories' per-sample step in alternating rounds (the order flips every round),
    with numpy's BLAS on one thread for both, as backprop.fast uses it."""
    from .fast import single_threaded_blas

    with single_threaded_blas():
        return _alternate(make_target, make_baseline, layers, activation, samples, rounds, learning_rate,
                          seed, clock, names)


def _alternate(make_target: Callable[..., Any], make_baseline: Callable[..., Any], layers: Sequence[int],
               activation: str, samples: int | None, rounds: int, learning_rate: float, seed: int,
               clock: str, names: tuple[str, str]) -> BenchResult:
    X, y = training_data(layers, seed=seed)
    trains = []
    for make in (make_target, make_baseline):
        np.random.seed(seed)  # the same initial weights for factories that draw from np.random
        trains.append(trainer(make(list(layers), activation), X, y, learning_rate))
    warmup = [seconds_per_sample(train, 20, clock) for train in trains]
    if samples is None:
        samples = int(min(20_000, max(100, ROUND_SECONDS / max(warmup))))
    result = BenchResult(*names, list(layers), activation, samples, clock)
    for round_index in range(rounds):
        order = (0, 1) if round_index % 2 == 0 else (1, 0)
        for side in order:
            measured = seconds_per_sample(trains[side], samples, clock)
            (result.target_seconds if side == 0 else result.baseline_seconds).append(measured)
        result.copy_seconds.append(copy_seconds(weight_count(layers), clock=clock))
    return result


def machine_description() -> dict[str, Any]:
    """CPU model, core count, Python, numpy and the BLAS numpy was built with."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as stream:
            cpu = next(line.split(":", 1)[1].strip() for line in stream if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    blas = "unknown"
    try:
        config: Any = np.show_config(mode="dicts")
        info = config["Build Dependencies"]["blas"]
        blas = f"{info.get('name', '?')} {info.get('version', '')}".strip()
    except (TypeError, KeyError, AttributeError):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "numpy": np.__version__, "blas": blas}


def _microseconds(seconds: float) -> str:
    return f"{seconds * 1e6:,.1f} µs"


def render(result: BenchResult) -> str:
    """The report `backprop bench` prints."""
    floor = result.floor
    arch = "-".join(map(str, result.layers))
    width = max(len(result.target), len(result.baseline))
    lines = [
        f"per-sample training step (forward, backward, update) of {arch} {result.activation}, float64",
        f"{len(result.target_seconds)} rounds of {result.samples} samples, target and baseline alternating, "
        f"numpy's BLAS on one thread, {result.clock} clock",
        _gate_line(result.gate),
    ]
    for label, name, seconds in (("target", result.target, result.target_seconds),
                                 ("baseline", result.baseline, result.baseline_seconds)):
        median = _microseconds(float(np.median(seconds)))
        lines.append(f"  {label:<9} {name:<{width}}  {median:>12} per sample "
                     f"(median; fastest round {_microseconds(min(seconds))})")
    lines.append(f"  speedup   {result.speedup:.2f}x (baseline median / target median)")
    kib, bandwidth = floor.weight_bytes / 1024, floor.copy_bandwidth / 1e9
    lines.append(f"  memory floor {_microseconds(floor.seconds_per_sample)} per sample: "
                 f"{floor.passes} passes over {kib:,.1f} KiB of weights at {bandwidth:.1f} GB/s "
                 f"(np.copyto, measured); the target takes "
                 f"{result.target_median / floor.seconds_per_sample:.2f}x the floor")
    return "\n".join(lines) + "\n"


def _gate_line(gate: Gate | None) -> str:
    if gate is None:
        return ("warning: the battery gate was not run, so these timings say nothing of whether the "
                "target's training step is right (`backprop bench` runs it unless given --no-gate)")
    skipped = f" ({', '.join(gate.skipped)} skipped: it does not apply)" if gate.skipped else ""
    return f"the target passed the battery gate: {', '.join(gate.passed)} on {gate.describe()}{skipped}"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", nargs="?", default=DEFAULT_TARGET, metavar="TARGET",
                        help=f"module:attr or path/to/file.py:attr naming make(layers, activation) "
                             f"(default: {DEFAULT_TARGET})")
    parser.add_argument("--baseline", default=DEFAULT_BASELINE, metavar="TARGET",
                        help=f"what to compare against (default: {DEFAULT_BASELINE}, the reference network)")
    parser.add_argument("--arch", default=",".join(map(str, DEFAULT_ARCH)), metavar="SIZES",
                        help="layer sizes, inputs first (default: 784,128,10)")
    parser.add_argument("--activation", default="tanh", metavar="NAME",
                        help="activation name (default: tanh)")
    parser.add_argument("--samples", type=int, default=None, metavar="N",
                        help=f"samples per round (default: about {ROUND_SECONDS} s of the slower side, "
                             "at least 100)")
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS, metavar="N",
                        help=f"rounds of each side (default {DEFAULT_ROUNDS})")
    parser.add_argument("--learning-rate", type=float, default=0.001, metavar="RATE",
                        help="learning rate of the steps (default 0.001)")
    parser.add_argument("--seed", type=int, default=0, metavar="N",
                        help="seed of the data and weights (default 0)")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                        help="wall: elapsed time (default); cpu: the process's CPU time, steadier on a busy "
                             "machine")
    parser.add_argument("--json", metavar="PATH",
                        help="also write the timings, the floor and the machine as JSON")
    parser.add_argument("--no-gate", action="store_true",
                        help=f"time the target even if it fails the battery gate ({', '.join(GATE_CHECKS)} "
                             f"on {GATE_CASES} cases), or without running it")


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    print(f"backprop bench: error: {message}", file=sys.stderr)
    return code


def _check_arguments(args: argparse.Namespace) -> list[int]:
    from .activations import get_activation

    layers = parse_arch(args.arch)
    get_activation(args.activation)
    if args.samples is not None and args.samples < 1:
        raise BenchError(f"--samples must be a positive integer, not {args.samples}")
    if args.rounds < 1:
        raise BenchError(f"--rounds must be a positive integer, not {args.rounds}")
    if not (np.isfinite(args.learning_rate) and args.learning_rate > 0):
        raise BenchError(f"--learning-rate must be a positive finite number, not {args.learning_rate}")
    if args.json and not os.path.isdir(os.path.dirname(os.path.abspath(args.json))):
        raise BenchError(f"cannot write {args.json}: its folder does not exist")
    return layers


def run(args: argparse.Namespace) -> int:
    from .battery.targets import TargetError, resolve

    try:
        layers = _check_arguments(args)
        make_target, target = resolve(args.target)
        make_baseline, baseline = resolve(args.baseline)
    except (BenchError, TargetError, ValueError, TypeError) as error:
        return _fail(str(error))
    gate = None
    if not args.no_gate:
        try:
            gate = run_gate(target, layers, args.activation, args.seed)
        except (TargetError, ValueError, TypeError) as error:
            return _fail(str(error))
        if gate.failed:
            return _fail(gate_refusal(gate, target), EXIT_GATE)
    try:
        result = compare(make_target, make_baseline, layers, args.activation, samples=args.samples,
                         rounds=args.rounds, learning_rate=args.learning_rate, seed=args.seed,
                         clock=args.clock, names=(target, baseline))
    except BenchError as error:
        return _fail(str(error))
    except Exception as error:  # the implementation's own failure, reported in one line
        return _fail(f"training raised {type(error).__name__}: {error}", EXIT_RAISED)
    result.gate = gate
    sys.stdout.write(render(result))
    if args.json:
        try:
            with open(args.json, "w", encoding="utf-8") as stream:
                json.dump(result.to_json(), stream, indent=2)
        except OSError as error:
            return _fail(f"cannot write {args.json}: {error.strerror}")
    return EXIT_OK
