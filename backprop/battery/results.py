"""What the battery found: one CheckResult per check, gathered in a BatteryResult.

These are plain data (JSON-able through `to_json`), so that the CLI, the pytest plugin and
the Python API report the same thing.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from ..findings import Finding
from .registry import can_follow

STATUSES = ("passed", "failed", "errored", "skipped")


@dataclass
class CheckResult:
    """The verdict of one check, with the numbers that support it."""

    id: str
    status: str
    summary: str = ""
    worst_rel_error: float | None = None
    where: str = ""
    details: str = ""
    diagnosis: str | None = None
    minimal_case: dict | None = None
    reproduce: str | None = None
    findings: list[Finding] = field(default_factory=list)
    """The measured reasons, as data (kinds of backprop.findings.KINDS), most specific first."""

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {self.status!r}")

    @property
    def ok(self) -> bool:
        """True unless the check failed or errored (a skipped check is not a failure)."""
        return self.status in ("passed", "skipped")

    def to_json(self) -> dict[str, Any]:
        """As JSON-able data; a non-finite number (NaN, inf) becomes None, so the JSON stays strict."""
        data = _strict(asdict(self))
        data["findings"] = [finding.to_json() for finding in self.findings]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckResult:
        """The result `to_json` gave (its non-finite numbers come back as None)."""
        fields = {key: data[key] for key in cls.__dataclass_fields__ if key in data and key != "findings"}
        return cls(**fields, findings=[Finding.from_json(f) for f in data.get("findings", [])])


def _strict(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _strict(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict(item) for item in value]
    return value


@dataclass
class BatteryResult:
    """Every check's result for one target, loss and seed."""

    target: str
    protocol: str
    loss: str
    seed: int
    max_examples: int
    results: list[CheckResult] = field(default_factory=list)
    isolation: str = ""
    """How the code under test was kept apart from the judge (the report's header says it)."""
    space: dict[str, Any] = field(default_factory=dict)
    """The networks the cases were drawn from (after probing what the target builds)."""
    left_out: list[Finding] = field(default_factory=list)
    """What the target could not build, and so was not checked, each with the call that failed."""
    integrity: list[Finding] = field(default_factory=list)
    """What the code under test did that is not its own work: replacing numpy's or the battery's
    functions, importing the judge's modules (tampering), building on the bundled reference."""
    scheme: str | None = None
    """How fit trains (a name of backprop.battery.schemes), observed or declared; None when unknown."""
    bias: str = "first"
    """Where the layers take the constant 1 of the bias: "first" or "last"."""
    conventions: list[str] = field(default_factory=list)
    """What was found (or declared) of the target's conventions, one line each, for the header."""

    @property
    def passed(self) -> bool:
        """True when no check failed or errored."""
        return all(result.ok for result in self.results)

    @property
    def failed_ids(self) -> list[str]:
        """Ids of the checks that failed or errored, in battery order."""
        return [result.id for result in self.results if not result.ok]

    def by_id(self, id: str) -> CheckResult:
        for result in self.results:
            if result.id == id:
                return result
        raise KeyError(f"no check with id {id!r} in this result")

    def follows_from(self, check_id: str) -> list[str]:
        """The earlier failed checks this check's failure can follow from, in causal order."""
        earlier: list[str] = []
        for result in self.results:
            if result.id == check_id:
                return earlier
            if result.status == "failed" and can_follow(result.id, check_id):
                earlier.append(result.id)
        return earlier

    @property
    def root_cause(self) -> CheckResult | None:
        """The first failed check in causal order: where to start fixing (an errored check is not one)."""
        return next((r for r in self.results if r.status == "failed"), None)

    def counts(self) -> dict[str, int]:
        """How many checks ended in each status."""
        return {status: sum(r.status == status for r in self.results) for status in STATUSES}

    def __str__(self) -> str:
        """The report, as `backprop check` prints it."""
        from .. import __version__
        from .report import render

        return render(self, __version__)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython and Jupyter show the report, not the fields."""
        printer.text(str(self) if not cycle else "BatteryResult(...)")

    def _repr_html_(self) -> str:
        import html

        return f"<pre>{html.escape(str(self))}</pre>"

    def to_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "protocol": self.protocol,
            "loss": self.loss,
            "seed": self.seed,
            "max_examples": self.max_examples,
            "isolation": self.isolation,
            "space": self.space,
            "left_out": [finding.to_json() for finding in self.left_out],
            "integrity": [finding.to_json() for finding in self.integrity],
            "scheme": self.scheme,
            "bias": self.bias,
            "conventions": list(self.conventions),
            "passed": self.passed,
            "counts": self.counts(),
            "results": [self._result_json(result) for result in self.results],
        }

    def _result_json(self, result: CheckResult) -> dict[str, Any]:
        data = result.to_json()
        if not result.ok:
            data["follows_from"] = self.follows_from(result.id)
            data["root_cause"] = result is self.root_cause
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BatteryResult:
        """The result `to_json` gave, e.g. read back from a process that ran the battery."""
        return cls(
            str(data["target"]),
            str(data["protocol"]),
            str(data["loss"]),
            int(data["seed"]),
            int(data["max_examples"]),
            [CheckResult.from_json(r) for r in data["results"]],
            str(data.get("isolation", "")),
            dict(data.get("space", {})),
            [Finding.from_json(f) for f in data.get("left_out", [])],
            [Finding.from_json(f) for f in data.get("integrity", [])],
            data.get("scheme"),
            str(data.get("bias", "first")),
            [str(line) for line in data.get("conventions", [])],
        )
