"""Run the battery: load the target in a subject process, detect the protocol, then run each check.

A check searches hypothesis-generated cases for one that fails; when it finds one,
hypothesis shrinks it to the smallest network and sample that still fail, and the check
reports the numbers of that smallest case.  The search, the estimates and the verdicts run
here, in the judge; the implementation runs in the subject (`backprop.subject`), one fresh
worker process a check, so an implementation that raises, hangs, exits or crashes costs that
one check, reported as "errored", and whatever it patches cannot reach the judge.
"""

from __future__ import annotations

import numbers
import os
import random
import time
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, find, settings
from hypothesis.errors import NoSuchExample
from hypothesis.reporting import with_reporter

from ..findings import Finding
from ..losses import Loss, get_loss
from ..subject import Subject, SubjectEnded, Worker
from . import CHECK_IDS, diagnosis
from .cases import SCALES, Case, cases, make_case
from .checks import CHECKS, Evidence, prepare, skip_reason
from .conventions import probe_in_worker
from .interfaces import PYTHON, option_name, reproduce, validate_interface
from .profile import BIAS_POSITIONS, Profile, as_profile
from .protocols import PROBE_LAYERS, LocalWorker, PluginError, as_array, open_network
from .registry import MODEL_LEVEL
from .results import BatteryResult, CheckResult
from .schemes import parse_scheme
from .space import Probed, Space, declared_space, parse_activations, parse_hidden, parse_layers, probe_space
from .targets import TargetError, describe_factory, importable_name, is_path, split_target

DEFAULT_MAX_EXAMPLES = 25
"""Cases tried per check when nothing fails; the default battery on the reference takes a few seconds."""

WEIGHT_CASES_PER_CHECK = 250_000
"""With the default number of cases, a check tries at most this many weights × cases: a fixed network of
100,000 weights (784-128-10) gets MIN_LARGE_EXAMPLES cases, every drawn network (at most a few hundred
weights) DEFAULT_MAX_EXAMPLES.  On a fixed architecture the cases differ only in activation, scale,
learning rate and seed, so few of them see all there is to see."""
MIN_LARGE_EXAMPLES = 3

DEFAULT_TARGET = "backprop:NeuralNetwork"

UNKNOWN_PROTOCOL = "unknown"


def _validate(
    max_examples: Any, seed: Any, only: Any, timeout: Any, interface: str = PYTHON
) -> tuple[int, int, list[str], float]:
    name = partial(option_name, interface=interface)
    if max_examples is None:
        max_examples = DEFAULT_MAX_EXAMPLES
    if not isinstance(max_examples, numbers.Integral) or isinstance(max_examples, bool) or max_examples < 1:
        raise ValueError(f"{name('max_examples')} must be a positive integer, not {max_examples!r}")
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"{name('seed')} must be a non-negative integer, not {seed!r}")
    if only is None:
        ids = list(CHECK_IDS)
    else:
        requested = [only] if isinstance(only, str) else list(only)
        unknown = [i for i in requested if i not in CHECK_IDS]
        if unknown:
            raise ValueError(f"unknown check id {unknown[0]!r}; the checks are: {', '.join(CHECK_IDS)}")
        ids = [i for i in CHECK_IDS if i in requested]
    if (
        not isinstance(timeout, numbers.Real)
        or isinstance(timeout, bool)
        or not 0 < float(timeout) < float("inf")
    ):
        raise ValueError(f"{name('timeout')} must be a positive number of seconds, not {timeout!r}")
    return int(max_examples), int(seed), ids, float(timeout)


def check(
    factory_or_target: Callable[..., Any] | str = DEFAULT_TARGET,
    *,
    loss: str | Loss = "half_sse",
    max_examples: int | None = None,
    seed: int = 0,
    only: Iterable[str] | str | None = None,
    timeout: float = 60.0,
    layers: Iterable[str | Sequence[int]] | str | None = None,
    hidden: str | int | Sequence[int] | None = None,
    activation: str | Iterable[str] | None = None,
    bias: str | None = None,
    scheme: str | None = None,
    l2: float = 0.0,
    l2_biases: bool = False,
    interface: str = PYTHON,
) -> BatteryResult:
    """Run the battery on a factory `make(layers, activation)` or a target string.

    `layers` fixes the architectures checked (e.g. ["784,128,10"] or [(2, 3, 1)]), `hidden` the
    range of hidden layers drawn ("1-2"), `activation` the activations ("tanh,sigmoid"); the
    battery probes the target within them and checks only what it builds, saying what it left out.
    `bias` ("first" or "last") declares where the layers expect the constant 1, `scheme` how fit
    trains (a name of backprop.battery.schemes); each is detected when not declared.
    `l2=λ` declares an L2 penalty λ/2·‖W‖² in the loss (the weights only, the biases too with
    `l2_biases`): steps and model gradients are then checked against C + λ/2·‖W‖².
    `interface` ("python", "cli" or "pytest", see backprop.battery.interfaces) is where the battery is
    run from: the reproduce lines and every hint that names an option are written for it.

    Raises ValueError or TypeError (one sentence) for a bad argument, and a TargetError (a
    ValueError) when the target cannot be loaded or builds no network; whatever the implementation
    does wrong is reported in the result instead.
    """
    interface = validate_interface(interface)
    name = partial(option_name, interface=interface)
    chosen = get_loss(loss)
    n_examples, seed, ids, timeout = _validate(max_examples, seed, only, timeout, interface)
    if not isinstance(l2, numbers.Real) or isinstance(l2, bool) or not 0 <= float(l2) < float("inf"):
        raise ValueError(f"{name('l2')} must be a non-negative number, not {l2!r}")
    if l2_biases and not l2:
        raise ValueError(f"{name('l2_biases')} needs a penalty: give {name('l2')} a positive value too")
    declared = declared_space(chosen, layers, hidden, activation, interface)
    options = declared_options(layers, hidden, activation)
    options += [("bias", bias)] if bias is not None else []
    options += [("scheme", scheme)] if scheme is not None else []
    _validate_conventions(bias, scheme, interface)
    if l2:
        options += [("l2", float(l2))] + ([("l2_biases", True)] if l2_biases else [])
    subject, target, reproducible = open_subject(factory_or_target, timeout)
    factory_name = None if isinstance(factory_or_target, str) else python_name(factory_or_target)
    try:
        result = BatteryResult(target, UNKNOWN_PROTOCOL, chosen.name, seed, n_examples)
        result.isolation = subject.isolation
        profile, probed = probe_target(subject, declared, timeout)
        if isinstance(profile, str):
            raise TargetError(f"cannot check {target}: it builds no network: {_sentence(profile)}")
        if max_examples is None and probed.space.fixed:
            n_examples = examples_for(probed.space.fixed, n_examples)
            result.max_examples = n_examples
        profile = profile.but(l2=float(l2), l2_biases=bool(l2_biases), loss=chosen.name, interface=interface)
        result.protocol = profile.protocol
        result.space = probed.space.to_json()
        result.left_out = probed.left_out
        result.integrity = probed.integrity
        layers_built, activation_built = probed.space.example()
        profile = probe_in_worker(
            subject, profile, chosen, timeout, bias, scheme, layers_built, activation_built
        )
        result.scheme, result.bias, result.conventions = profile.scheme, profile.bias, list(profile.notes)
        _warm_up(chosen)
        for check_id in ids:
            reason = skip_reason(check_id, profile.protocol, profile.offers, profile.why_missing())
            if reason:
                result.results.append(CheckResult(check_id, "skipped", reason))
                continue
            command = reproduce_command(interface, reproducible, factory_name, check_id, chosen.name, seed,
                                        n_examples, options)
            result.results.append(
                run_in_worker(subject, check_id, profile, chosen, seed, n_examples, command, timeout,
                              probed.space, result.integrity)
            )
        return result
    finally:
        subject.close()


def examples_for(architectures: Sequence[Sequence[int]], default: int) -> int:
    """The default number of cases for fixed architectures, within WEIGHT_CASES_PER_CHECK."""
    weights = max(
        sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:], strict=True)) for sizes in architectures
    )
    return max(MIN_LARGE_EXAMPLES, min(default, WEIGHT_CASES_PER_CHECK // max(weights, 1)))


def declared_options(
    layers: Iterable[str | Sequence[int]] | str | None, hidden: Any, activation: Any
) -> list[tuple[str, Any]]:
    """(keyword of check(), value as text) that declare the same space, for the reproduce line."""
    options: list[tuple[str, Any]] = []
    if layers is not None:
        items = [layers] if isinstance(layers, str) else list(layers)
        options.append(("layers", [",".join(str(n) for n in parse_layers(item)) for item in items]))
    if hidden is not None:
        low, high = parse_hidden(hidden)
        options.append(("hidden", f"{low}" if low == high else f"{low}-{high}"))
    if activation is not None:
        options.append(("activation", ",".join(parse_activations(activation))))
    return options


def python_name(factory: Any) -> str:
    """The factory object's name for a Python reproduce line (`make` when it has no usable name)."""
    name = getattr(factory, "__qualname__", None) or getattr(factory, "__name__", None)
    return name if isinstance(name, str) and all(part.isidentifier() for part in name.split(".")) else "make"


def probe_target(subject: Subject, declared: Space, timeout: float) -> tuple[Profile | str, Probed]:
    """The target's profile and the space it builds, or the sentence saying why it builds nothing."""
    try:
        worker = subject.worker(timeout)
    except SubjectEnded as error:
        return str(error), Probed(declared)
    try:
        found = protocol_of(worker, declared)
        if isinstance(found, str):
            return found, Probed(declared)
        protocol, offers = found
        profile = Profile(protocol, frozenset(offers))
        probed = probe_space(worker, declared, profile)
        if probed.nothing is not None:
            return probed.nothing, probed
        note_integrity(worker, probed.integrity)
        return own_loss(worker, profile, probed.space), probed
    except SubjectEnded as error:
        return str(error), Probed(declared)
    finally:
        worker.close()


def own_loss(worker: Worker, profile: Profile, space: Space) -> Profile:
    """The profile, marking a model's `loss` as foreign when it is not loss(x, y) → one number for one
    sample (a class may have a `loss` of its own meaning); predict is then judged under the declared loss."""
    if profile.protocol != MODEL_LEVEL or not {"loss", "predict"} <= profile.offers:
        return profile
    layers, activation = space.example()
    try:
        net = open_network(worker, layers, activation, profile)
        x, y = np.full(layers[0], 0.25), np.full(layers[-1], 0.5)
        value = as_array("loss(x, y)", net.request("method", "loss", x, y))
        if value.size == 1:
            return profile
        problem = f"it returned {value.size} values"
    except PluginError as error:
        problem = str(error).rstrip(".")
    note = (f"loss(x, y) is not one number for one sample ({problem}): "
            "predict(x) is judged by the declared loss")
    note = note.replace("(loss(x, y) raised", "(it raised")
    return profile.but(foreign_loss=True, offers=profile.offers - {"loss"}, notes=(*profile.notes, note))


def _validate_conventions(bias: Any, scheme: Any, interface: str) -> None:
    if bias is not None and bias not in BIAS_POSITIONS:
        raise ValueError(f"{option_name('bias', interface)} must be 'first' or 'last', not {bias!r}")
    if scheme is not None:
        parse_scheme(scheme)


def open_subject(
    factory_or_target: Callable[..., Any] | str, timeout: float
) -> tuple[Subject, str, str | None]:
    """(the loaded subject, the target's name for reports, the target string a reproduce line can use).

    A target string, or a factory the judge can name as one, is loaded in a fresh interpreter; another
    factory object in a fork of this process.  TargetError (one sentence) when it cannot be loaded.
    """
    if isinstance(factory_or_target, str):
        target = factory_or_target.strip()
        location, _ = split_target(target)
        if is_path(location) and not os.path.isfile(location):
            raise TargetError(f"cannot load {target}: no such file: {location}")
        loadable: Callable[..., Any] | str = target
        reproducible: str | None = target
    elif callable(factory_or_target):
        reproducible = importable_name(factory_or_target)
        target = describe_factory(factory_or_target)
        loadable = reproducible if reproducible is not None else factory_or_target
    else:
        raise TypeError(
            f"the battery needs a factory make(layers, activation) or a target string, "
            f"not a {type(factory_or_target).__name__}"
        )
    try:
        return Subject.start(loadable, timeout=timeout), target, reproducible
    except PluginError as error:
        raise TargetError(f"cannot load {target}: {_sentence(str(error))}") from None


def run_in_worker(
    subject: Subject,
    check_id: str,
    profile: Profile,
    loss: Loss,
    seed: int,
    n_examples: int,
    command: str | None,
    timeout: float,
    space: Space | None = None,
    integrity: list[Finding] | None = None,
) -> CheckResult:
    """One check, with a fresh worker of the subject that is gone (with all it started) when it is over;
    what the code under test did to its own process on the way is added to `integrity`."""
    try:
        worker = subject.worker(timeout)
    except SubjectEnded as error:
        return CheckResult(check_id, "errored", _sentence(str(error)))
    try:
        found = run_check(
            check_id, worker, profile, loss, seed, n_examples, command, SEARCH_SHARE * timeout, space
        )
        if integrity is not None:
            note_integrity(worker, integrity)
        return found
    except _Gone as gone:
        return CheckResult(check_id, "errored", _sentence(str(gone)))
    finally:
        worker.close()


def note_integrity(worker: Worker, found: list[Finding]) -> None:
    """Add the subject's integrity findings (tampering, uses-reference) not yet in `found`."""
    try:
        reported = worker.request("integrity")
    except (PluginError, SubjectEnded):
        return
    known = {(f.kind, f.sentence) for f in found}
    for item in reported if isinstance(reported, list) else ():
        if not isinstance(item, dict) or item.get("kind") not in ("tampering", "uses-reference"):
            continue
        finding = Finding.from_json({k: v for k, v in item.items() if isinstance(k, str)})
        if (finding.kind, finding.sentence) not in known:
            found.append(finding)
            known.add((finding.kind, finding.sentence))


def _warm_up(loss: Loss) -> None:
    """Draw one case here, so hypothesis's one-time setup is done once, not again in every forked child."""
    with with_reporter(lambda _: None):
        find(cases(loss), lambda case: True, settings=search_settings(1), random=random.Random(0))


def _sentence(message: str) -> str:
    message = message.strip()
    return message if message.endswith(".") else message + "."


def protocol_of(worker: Worker | LocalWorker, declared: Space | None = None) -> tuple[str, list[str]] | str:
    """(protocol, optional parts offered) of the first network the worker builds, trying the probe network
    and then the declared ones, with each declared activation; or the sentence of the first failure."""
    activations = declared.activations if declared is not None else ("tanh",)
    candidates = list(declared.fixed) if declared is not None and declared.fixed else [tuple(PROBE_LAYERS)]
    first: str | None = None
    for layers in candidates:
        for name in activations:
            try:
                description = worker.request("build", list(layers), name)
            except PluginError as error:
                first = first or str(error)
                continue
            offers = {str(o) for o in description.get("offers") or ()}
            if description["protocol"] == "model-level" and _takes_rows(worker):
                offers.add("rows")
            return str(description["protocol"]), sorted(offers)
    return first or "no network was tried"


def _takes_rows(worker: Worker | LocalWorker) -> bool:
    """Whether the model just built takes a batch in gradients(X, Y) and step(X, Y, lr)."""
    try:
        return bool(worker.request("takes_rows"))
    except PluginError:
        return False


def as_worker(worker_or_factory: Any) -> Worker | LocalWorker:
    """A worker as it is; a factory driven in this process (for tests and sweeps of the checks themselves,
    never for a verdict of `check`, which always uses a subject process)."""
    return worker_or_factory if hasattr(worker_or_factory, "request") else LocalWorker(worker_or_factory)


def reproduce_command(
    interface: str, target: str | None, factory_name: str | None, check_id: str, loss: str, seed: int,
    max_examples: int, options: Sequence[tuple[str, Any]] = (),
) -> str | None:
    """The line that runs one check on the same cases again, where the battery was run from (None from a
    command line when the factory has no target string)."""
    declared = list(options) + ([("loss", loss)] if loss != "half_sse" else []) + [("seed", seed)]
    declared += [("max_examples", max_examples)] if max_examples != DEFAULT_MAX_EXAMPLES else []
    return reproduce(interface, target, factory_name, [*declared, ("only", [check_id])])


def evaluate(
    check_id: str,
    factory: Worker | LocalWorker | Callable[..., Any],
    case: Case,
    loss: Loss,
    profile: Profile | str,
) -> Evidence:
    """One check on one case; a plug-in's error becomes an "errored" Evidence with its sentence.

    The subject's global random sources are seeded from the case first (see checks.prepare), so that
    an implementation drawing from them (the article's fit picks its sample with np.random) gives the
    same answer every time the case is run: while hypothesis shrinks it, and when it is reported.
    A worker that is gone ends the check (`_Gone`).
    """
    profile = as_profile(profile)
    if profile.loss != loss.name:
        profile = profile.but(loss=loss.name)
    try:
        return CHECKS[check_id](as_worker(factory), case, loss, profile)
    except SubjectEnded as error:
        raise _Gone(str(error)) from None
    except PluginError as error:
        return Evidence("errored", summary=_sentence(str(error)))
    except Exception as error:  # raised while the numerical estimate runs the implementation's forward
        text = str(error).strip().splitlines()[0] if str(error).strip() else ""
        detail = f"{type(error).__name__}: {text}" if text else type(error).__name__
        return Evidence(
            "errored", summary=_sentence(f"differentiating the network numerically failed ({detail})")
        )


def search_settings(max_examples: int) -> settings:
    """Settings of the battery's own search, whatever hypothesis profile the caller loaded."""
    return settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        derandomize=False,
        phases=(Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        print_blob=False,
        report_multiple_bugs=False,
    )


SEARCH_SHARE = 0.75
"""The share of a check's timeout its case search may use, leaving time to report what it found."""


class _Gone(BaseException):
    """The worker died or hung: the check is over (a BaseException, so hypothesis does not shrink it)."""


class _OutOfTime(BaseException):
    """Ends the case search when its time is spent (a BaseException, so hypothesis does not take it
    for a failure of the check and try to shrink it)."""


def run_check(
    check_id: str,
    factory: Worker | LocalWorker | Callable[..., Any],
    profile: Profile | str,
    loss: Loss,
    seed: int,
    max_examples: int,
    reproduce: str | None = None,
    time_budget: float | None = None,
    space: Space | None = None,
) -> CheckResult:
    """Search for a failing case of one check and report the smallest one (or the worst error seen).

    With a `time_budget` (seconds), the search stops when it is spent: a failure found by then is
    reported with the smallest failing case shrinking had reached, so that a slow implementation
    still gets its failure explained instead of a timeout.
    """
    factory = as_worker(factory)
    profile = as_profile(profile)
    worst: list[float] = []
    skipped: list[str] = []
    notes: list[str] = []
    failing: list[Case] = []
    tried = [0]
    judged = [0]
    start = time.monotonic()

    def fails(case: Case) -> bool:
        if time_budget is not None and time.monotonic() - start > time_budget:
            raise _OutOfTime
        tried[0] += 1
        evidence = evaluate(check_id, factory, case, loss, profile)
        if evidence.note and evidence.note not in notes:
            notes.append(evidence.note)
        if evidence.status == "skipped":
            skipped.append(evidence.summary)
        else:
            judged[0] += 1
            if evidence.rel_error is not None and not evidence.failing:
                worst.append(evidence.rel_error)
        if evidence.failing:
            failing[:] = [case]  # while shrinking, each new failure is smaller than the last
        return evidence.failing

    note = ""
    try:
        with with_reporter(lambda _: None):
            minimal = find(
                cases(loss, space=space), fails, settings=search_settings(max_examples),
                random=random.Random(seed),
            )
    except NoSuchExample:
        if skipped and not judged[0]:
            return CheckResult(check_id, "skipped", skipped[0])
        if skipped:
            notes.append(f"{len(skipped)} case(s) could not be judged: {skipped[0]}")
        return CheckResult(
            check_id, "passed", f"passed on {judged[0]} cases" + "".join(f"; {n}" for n in notes),
            max(worst) if worst else None,
        )
    except _OutOfTime:
        if not failing:
            summary = f"passed on the {tried[0]} of {max_examples} cases tried before the time limit"
            return CheckResult(
                check_id,
                "skipped" if skipped and not judged[0] else "passed",
                summary,
                max(worst) if worst else None,
            )
        minimal = failing[-1]
        note = "\n(shrinking stopped at the time limit: a smaller failing case may exist)"
    evidence = evaluate(check_id, factory, minimal, loss, profile)
    evidence.details += note
    if evidence.failing and check_id in SIZE_NOTED:
        for finding in size_notes(check_id, factory, minimal, loss, profile, space):
            evidence.found(finding)
    if not evidence.failing:  # the smallest case passes when re-run: the implementation is not repeatable
        sentence = ("a failing case passed when run again: the implementation gives different answers to "
                    "the same call")
        return CheckResult(
            check_id,
            "failed",
            sentence,
            None,
            "",
            minimal.describe(),
            None,
            _case_json(factory, minimal, profile),
            reproduce,
            [Finding("nondeterministic", sentence, {"case": minimal.describe()})],
        )
    return CheckResult(
        check_id,
        evidence.status,
        evidence.summary + (f" ({evidence.note})" if evidence.note else ""),
        evidence.rel_error,
        evidence.where,
        evidence.details,
        evidence.diagnosis,
        _case_json(factory, minimal, profile, evidence.weights),
        reproduce,
        list(evidence.findings),
    )


SIZE_NOTED = frozenset(
    ("output-delta", "hidden-delta", "weight-gradient", "update-is-sgd-step")
    + ("fit-one-sample", "fit-two-samples")
)
"""The checks whose failure may depend on the network's size (the others' on its behaviour alone)."""

SIZE_TRIALS = 8
"""Cases tried on a smaller network before saying that a failure may need the larger one."""


def size_notes(
    check_id: str, factory: Worker | LocalWorker, case: Case, loss: Loss, profile: Profile,
    space: Space | None = None,
) -> list[Finding]:
    """Whether the failure needs the smallest failing case's several outputs or hidden layers, as evidence:
    the same check on that network with 1 output (or 1 hidden layer), on SIZE_TRIALS seeds at each of
    the battery's weight scales, with the case's activation and learning rate.

    Shrinking stopping at two outputs is not evidence by itself: it shrinks the seed and the sizes
    together, and may stop at a case whose smaller neighbours pass only for that seed.
    """
    layers = case.layers
    variants = []
    if layers[-1] >= 2 and loss.name != "softmax_ce":
        variants.append(("several outputs", (*layers[:-1], 1), "1 output"))
    if len(layers) - 2 >= 2:
        variants.append(("deep networks", (layers[0], layers[1], layers[-1]), "1 hidden layer"))
    notes = []
    for kind, smaller, described in variants:
        if space is not None and not space.allows(smaller):
            continue
        trials = [
            make_case(smaller, case.activation, case.learning_rate, scale, (case.seed + k) % 2**32, loss)
            for k in range(SIZE_TRIALS)
            for scale in SCALES
        ]
        if not any(evaluate(check_id, factory, trial, loss, profile).failing for trial in trials):
            notes.append(diagnosis.needs_size(kind, smaller, described, len(trials)))
    return notes


def _case_json(factory: Worker | LocalWorker, case: Case, profile: Profile, weights: Any = None) -> dict:
    if weights is None:
        try:
            weights = prepare(factory, case, profile).copy_weights()
        except Exception:
            weights = None
    return case.to_json(weights)
