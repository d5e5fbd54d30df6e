"""Run a layer's checks: discover its style in a sandboxed child, then each check in its own child.

The user's file is imported only in the children.  A check searches hypothesis-drawn shapes for a
failing case; hypothesis shrinks it to the smallest shapes that still fail, and the check reports
that case's numbers and the findings measured on it.
"""

from __future__ import annotations

import numbers
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hypothesis import find
from hypothesis.errors import NoSuchExample
from hypothesis.reporting import with_reporter

from ..battery.results import BatteryResult, CheckResult
from ..battery.runner import SEARCH_SHARE, search_settings
from ..battery.targets import TargetError, split_target
from ..findings import Finding
from ..sandbox import run_isolated
from .checks import Verdict, check_ids, judge
from .diagnosis import diagnose
from .kinds import KindError, LayerKind, get_kind, infer_kind
from .shapes import LayerCase, layer_cases
from .styles import Adapter, Spec, SubjectError, discover, error_sentence, rebuild

DEFAULT_MAX_EXAMPLES = 20
"""Cases tried per check when nothing fails: enough to reach stride 2, padding, ties and batches
above 1 with the default seed, and a conv layer's whole check stays within a few seconds."""
FOUR_D_KINDS = ("dense", "relu", "sigmoid", "tanh")
"""Kinds whose CS231n-style functions take inputs of any shape (an affine layer reshapes x to rows)."""


class LayerTargetError(TargetError):
    """The layer cannot be checked as named (unknown kind, wrong signature, missing pair): one sentence."""


@dataclass
class LayerResult(BatteryResult):
    """A layer's check results: the battery's result with the layer's kind, style and a note."""

    kind: str = ""
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        data = super().to_json()
        data.update({"kind": self.kind, "style": self.protocol, "note": self.note})
        return data


def resolve_kind(target: str, kind: str | LayerKind | None) -> LayerKind:
    """The kind given, or the one the target's name says; LayerTargetError otherwise."""
    location, sep, _ = target.strip().rpartition(":") if isinstance(target, str) else ("", "", "")
    if not sep or not location or (len(location) == 1 and location.isalpha()):
        raise LayerTargetError(f"name the layer in the target, as FILE.py:NAME (got {target!r})")
    _, name = split_target(target)
    try:
        return get_kind(kind) if kind is not None else infer_kind(name.split(".")[-1])
    except KindError as error:
        raise LayerTargetError(str(error)) from None


def layer_check_ids(target: str, kind: str | None = None) -> list[str]:
    """The checks a layer gets, told from its kind (given, or from its name) without importing it."""
    return check_ids(resolve_kind(target, kind).name)


def _validate(max_examples: Any, seed: Any, timeout: Any) -> tuple[int, int, float]:
    n = DEFAULT_MAX_EXAMPLES if max_examples is None else max_examples
    if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < 1:
        raise ValueError(f"max_examples must be a positive integer, not {max_examples!r}")
    if not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, not {seed!r}")
    if (
        not isinstance(timeout, numbers.Real)
        or isinstance(timeout, bool)
        or not 0 < float(timeout) < float("inf")
    ):
        raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
    return int(n), int(seed), float(timeout)


def probe(target: str, kind: str) -> Spec | str:
    """The discovered spec, or the sentence saying why the layer cannot be driven (run in a child)."""
    try:
        spec, _ = discover(target, kind)
    except (SubjectError, TargetError) as error:
        return str(error)
    except SyntaxError as error:
        return f"syntax error in {error.filename or target}, line {error.lineno}: {error.msg}"
    except Exception as error:
        return f"importing it raised {error_sentence(error)}"
    return spec


def check_layer(
    target: str,
    *,
    kind: str | None = None,
    max_examples: int | None = None,
    seed: int = 0,
    only: Iterable[str] | str | None = None,
    timeout: float = 60.0,
) -> LayerResult:
    """Check one layer, named "FILE.py:NAME" or "module:NAME": every gradient against finite differences.

    NAME is an nnfs- or Medium-style layer class, a function returning a layer object, either function
    of a CS231n-style forward/backward pair, or a loss function (x, y) -> (loss, dx).  Raises a
    LayerTargetError (a ValueError, one sentence) when it cannot be checked as named, ValueError for a
    bad argument; what the layer gets wrong is in the result.
    """
    n, seed, timeout = _validate(max_examples, seed, timeout)
    chosen = resolve_kind(target, kind)
    ids = check_ids(chosen.name)
    if only is not None:
        wanted = [only] if isinstance(only, str) else list(only)
        unknown = [i for i in wanted if i not in ids]
        if unknown:
            raise ValueError(
                f"unknown check {unknown[0]!r} for a {chosen.name} layer; its checks are: {', '.join(ids)}"
            )
        ids = [i for i in ids if i in wanted]
    found = run_isolated(probe, target.strip(), chosen.name, timeout=timeout)
    if found.status != "returned":
        raise LayerTargetError(f"cannot load {target}: {found.message.rstrip('.')}")
    if not isinstance(found.value, Spec):
        raise LayerTargetError(f"cannot check {target}: {found.value}")
    spec = found.value
    result = LayerResult(
        target.strip(),
        spec.style,
        chosen.name if chosen.loss else "none",
        seed,
        n,
        kind=chosen.name,
        note=spec.note,
    )
    _warm_up(spec)
    for check_id in ids:
        outcome = run_isolated(
            run_layer_check,
            spec,
            check_id,
            seed,
            n,
            reproduce_command(spec, check_id, seed, n),
            SEARCH_SHARE * timeout,
            timeout=timeout,
        )
        if outcome.status == "returned" and isinstance(outcome.value, CheckResult):
            result.results.append(outcome.value)
        else:
            message = (outcome.message or "the check returned nothing usable").strip()
            message = message.replace("the implementation's process", "the layer's process")
            message = message.replace("the implementation", "the layer")
            result.results.append(
                CheckResult(check_id, "errored", message if message.endswith(".") else message + ".")
            )
    return result


def strategy(spec: Spec) -> Any:
    return layer_cases(
        spec.kind,
        four_d=spec.style == "cs231n" and spec.kind in FOUR_D_KINDS,
        single_sample=spec.single_sample,
    )


def _warm_up(spec: Spec) -> None:
    """Hypothesis's one-time setup, here, so that each forked child does not pay for it again."""
    with with_reporter(lambda _: None):
        find(strategy(spec), lambda case: True, settings=search_settings(1), random=random.Random(0))


def reproduce_command(spec: Spec, check_id: str, seed: int, max_examples: int) -> str:
    command = f"backprop check-layer {spec.target} --kind {spec.kind} --seed {seed}"
    if max_examples != DEFAULT_MAX_EXAMPLES:
        command += f" --max-examples {max_examples}"
    return command + f" --only {check_id}"


class _OutOfTime(BaseException):
    """Ends the search when its time is spent (not an Exception, so hypothesis does not shrink it)."""


def run_layer_check(
    spec: Spec,
    check_id: str,
    seed: int,
    max_examples: int,
    reproduce: str | None = None,
    time_budget: float | None = None,
) -> CheckResult:
    """Search for a failing case of one check and report the smallest (run in a sandboxed child)."""
    try:
        adapter = rebuild(spec)
    except Exception as error:
        return CheckResult(check_id, "errored", f"the layer could not be rebuilt: {error_sentence(error)}.")
    worst: list[float] = []
    failing: list[LayerCase] = []
    tried = [0]
    start = time.monotonic()

    def fails(case: LayerCase) -> bool:
        if time_budget is not None and time.monotonic() - start > time_budget:
            raise _OutOfTime
        tried[0] += 1
        verdict = judge(check_id, adapter, case)
        if verdict.failing:
            failing[:] = [case]
        elif verdict.rel_error is not None:
            worst.append(verdict.rel_error)
        return verdict.failing

    note = ""
    try:
        with with_reporter(lambda _: None):
            minimal = find(
                strategy(spec), fails, settings=search_settings(max_examples), random=random.Random(seed)
            )
    except NoSuchExample:
        summary = f"passed on {max_examples} cases" + (f" ({spec.note})" if spec.note else "")
        return CheckResult(check_id, "passed", summary, max(worst) if worst else None)
    except _OutOfTime:
        if not failing:
            return CheckResult(
                check_id,
                "passed",
                f"passed on the {tried[0]} of {max_examples} cases tried before the time limit",
                max(worst) if worst else None,
            )
        minimal = failing[-1]
        note = "(shrinking stopped at the time limit: a smaller failing case may exist)"
    verdict = judge(check_id, adapter, minimal)
    if not verdict.failing:
        return CheckResult(
            check_id,
            "failed",
            "a failing case passed when run again: the layer gives different answers to the same call",
            None,
            "",
            minimal.describe(),
            minimal_case=minimal.to_json(),
            reproduce=reproduce,
        )
    return report(check_id, spec, verdict, minimal, reproduce, note, adapter)


SIZE_WORDS = {
    "batch": "batch size",
    "n_features": "number of features",
    "n_classes": "number of classes",
    "n_outputs": "number of outputs",
}


def follow_factor(check_id: str, spec: Spec, adapter: Adapter, case: LayerCase, finding: Finding) -> Finding:
    """A constant factor that could be several things at the smallest case (2 is both the batch size and
    a factor 2 at batch 2), measured again with each size one larger: what it follows is what it is."""
    factor = float(finding.params["factor"])
    for key, words in SIZE_WORDS.items():
        if key not in case.dims or (key == "n_features" and len(case.dims.get("input_shape", (1,))) > 1):
            continue
        dims = dict(case.dims)
        dims[key] += 1
        if "input_shape" in dims and key == "n_features":
            dims["input_shape"] = (dims[key],)
        verdict = judge(check_id, adapter, LayerCase(case.kind, dims, case.seed))
        again = [f for f in diagnose(verdict, spec.kind, spec.style) if f.kind == "scaled"]
        if not again:
            continue
        other = float(again[0].params["factor"])
        old, new = case.dims[key], dims[key]
        for power, how in ((1, f"the {words}"), (-1, f"1 / the {words}")):
            if abs(factor - old**power) < 1e-6 * abs(factor) and abs(other - new**power) < 1e-6 * abs(other):
                sentence = (
                    f"{finding.params['gradient']} is {factor:.6g} × the numerical gradient at {words} "
                    f"{old} and {other:.6g} × at {new} (within the budget): the factor is {how}"
                )
                return Finding("scaled", sentence, {**finding.params, "follows": key})
    if ", or " in finding.sentence:
        head, _, names = finding.sentence.partition(": ")
        constant = names.split(", or ")[-1]
        return Finding(
            "scaled",
            f"{head}, and the same with every size one larger: {constant}",
            {**finding.params, "follows": None},
        )
    return finding


def report(
    check_id: str,
    spec: Spec,
    verdict: Verdict,
    case: LayerCase,
    reproduce: str | None,
    note: str,
    adapter: Adapter | None = None,
) -> CheckResult:
    findings: list[Finding] = verdict.findings or diagnose(verdict, spec.kind, spec.style)
    if adapter is not None and findings and findings[0].kind == "scaled":
        findings[0] = follow_factor(check_id, spec, adapter, case, findings[0])
    details = [f"smallest case: {case.describe()} (seed {case.seed})"]
    details += [line for line in (verdict.details, note) if line]
    return CheckResult(
        check_id,
        "failed",
        verdict.summary,
        verdict.rel_error,
        verdict.where,
        "\n".join(details),
        "; ".join(f.sentence for f in findings) or None,
        case.to_json(),
        reproduce,
        findings,
    )


__all__ = [
    "DEFAULT_MAX_EXAMPLES",
    "LayerResult",
    "LayerTargetError",
    "check_layer",
    "layer_check_ids",
    "run_layer_check",
]
