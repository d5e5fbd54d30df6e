"""The battery's result as text: a header, a table of the checks, then each failure explained.

Failures are listed in battery order, which is causal order (the activation's derivative,
then dZ, the output delta, the hidden deltas, the weight gradient, the update, fit...): the
first one listed is the first cause, and a later failure that can follow from it says so.
"""

from __future__ import annotations

from .results import BatteryResult, CheckResult


def cause_of(result: BatteryResult, check_id: str) -> str | None:
    """The earliest failed check that this failure can follow from, if any."""
    earlier = result.follows_from(check_id)
    return earlier[0] if earlier else None


def first_failure(result: BatteryResult) -> CheckResult | None:
    """The first failed check in causal order: where to start fixing (an errored check is not one)."""
    return result.root_cause


def format_error(value: float | None) -> str:
    if value is None:
        return ""
    return "0" if value == 0 else f"{value:.1e}"


def header(result: BatteryResult, version: str) -> str:
    return (
        f"backprop {version} · target {result.target} · protocol {result.protocol} · loss {result.loss} · "
        f"{result.max_examples} cases per check · seed {result.seed}"
        + (f"\n  the code under test ran in a {result.isolation}" if result.isolation else "")
        + (f"\n  checked: {result.space['description']}" if result.space.get("description") else "")
        + "".join(f"\n  left out: {finding.sentence}" for finding in result.left_out)
        + "".join(
            f"\n  integrity ({finding.kind}): {finding.sentence}"
            for finding in result.integrity
            if finding.kind == "tampering"
        )
        + "".join(f"\n  {line}" for line in result.conventions)
    )


def table(result: BatteryResult) -> list[str]:
    width = max([len("check")] + [len(r.id) for r in result.results])
    lines = [f"  {'check':<{width}}  status   worst rel. error   where"]
    for r in result.results:
        status = r.status if r.status in ("passed", "skipped") else r.status.upper()
        where = r.where if r.status != "skipped" else ""
        lines.append(
            f"  {r.id:<{width}}  {status:<7}  {format_error(r.worst_rel_error):<17}  {where}".rstrip()
        )
    return lines


def counts_line(result: BatteryResult) -> str:
    counts = result.counts()
    return " · ".join(f"{counts[s]} {s}" for s in ("passed", "failed", "errored", "skipped"))


def explain(result: BatteryResult, r: CheckResult, first: bool) -> list[str]:
    """The block that explains one failed or errored check."""
    title = f"{r.status.upper()} {r.id}"
    if r.where:
        title += f" — {r.where}"
    lines = [title]
    cause = cause_of(result, r.id)
    if r.status == "failed" and first:
        lines.append("  (the first failure in causal order: start here)")
    elif cause:
        lines.append(f"  (this can follow from the {cause} failure above: fix that first)")
    lines.append(f"  {r.summary}")
    lines += [f"  {line}" for line in r.details.splitlines() if line.strip()]
    if r.findings:
        for number, finding in enumerate(r.findings):
            if finding.sentence != r.summary:
                label = "diagnosis" if number == 0 else "also"
                lines.append(f"  {label} [{finding.kind}]: {finding.sentence}")
    elif r.diagnosis:
        lines.append(f"  diagnosis: {r.diagnosis}")
    if r.minimal_case:
        case = r.minimal_case
        lines.append(
            f"  smallest case: layers {case['layers']}, {case['activation']}, x = {_numbers(case['x'])}, "
            f"y = {_numbers(case['y'])}, learning rate {case['learning_rate']:g} "
            "(weights in the JSON report)"
        )
    if r.reproduce:
        lines.append(f"  reproduce: {r.reproduce}")
    return lines


def _numbers(values: list) -> str:
    return "[" + ", ".join(f"{v:.4g}" for v in values) + "]"


def render(result: BatteryResult, version: str) -> str:
    """The whole report, as the `check` command prints it."""
    lines = [header(result, version), ""] + table(result) + ["", "  " + counts_line(result)]
    skipped = [r for r in result.results if r.status == "skipped"]
    if skipped:
        lines.append("")
        lines += [f"  skipped {r.id}: {r.summary}" for r in skipped]
    first = first_failure(result)
    for r in result.results:
        if r.status in ("failed", "errored"):
            lines.append("")
            lines += explain(result, r, r is first)
    return "\n".join(lines) + "\n"
