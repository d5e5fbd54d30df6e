"""The battery inside a user's own pytest suite: one test per check; and an assertion for property tests.

    from backprop.testing import parametrize_with_checks
    from mynet import make

    @parametrize_with_checks(make, expected_failed_checks={"batch-is-sum": "no batches yet"})
    def test_backprop(check):
        check()

Each `check` runs one battery check (in its own sandboxed child, like `backprop check`) and
fails with the battery's explanation, or skips with the reason the check does not apply.

For a hand-written property test, `assert_gradients_close(analytic, numerical_or_function, at=x)`
judges a gradient against finite differences (or against a numerical gradient you computed) with
per-element budgets, and fails with numpy.testing-style numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from numpy.typing import ArrayLike

from .battery import CHECK_IDS
from .battery.interfaces import PYTHON
from .battery.results import CheckResult
from .numerical import DEFAULT_SAFETY, Comparison, Estimate, central_difference, compare


class BatteryCheckFailed(AssertionError):
    """A battery check failed or errored; the message is the battery's explanation."""


@dataclass(frozen=True)
class BatteryCheck:
    """One check of the battery on one implementation, run by calling it."""

    factory: Callable[..., Any] | str
    check_id: str
    loss: str = "half_sse"
    max_examples: int | None = None
    seed: int = 0
    timeout: float = 60.0
    options: Mapping[str, Any] = field(default_factory=dict)
    """Further keyword arguments of backprop.check: layers, hidden, activation."""
    interface: str = PYTHON
    """Where the check is declared: "python" (parametrize_with_checks) or "pytest" (the plugin's options);
    the failure's hints and reproduce line are written for it."""

    def __call__(self) -> CheckResult:
        """Run the check: return its result when it passes, skip when it does not apply, raise otherwise."""
        from .battery import check
        from .battery.report import explain

        battery = check(
            self.factory,
            loss=self.loss,
            max_examples=self.max_examples,
            seed=self.seed,
            only=[self.check_id],
            timeout=self.timeout,
            interface=self.interface,
            **self.options,
        )
        result = battery.by_id(self.check_id)
        if result.status == "skipped":
            pytest.skip(f"{self.check_id}: {result.summary}")
        if result.status in ("failed", "errored"):
            raise BatteryCheckFailed("\n".join(explain(battery, result, first=False)))
        return result

    def __repr__(self) -> str:
        return self.check_id


def parametrize_with_checks(
    factory: Callable[..., Any] | str,
    *,
    expected_failed_checks: Mapping[str, str] | Iterable[str] | None = None,
    loss: str = "half_sse",
    max_examples: int | None = None,
    seed: int = 0,
    timeout: float = 60.0,
    **options: Any,
) -> pytest.MarkDecorator:
    """A `pytest.mark.parametrize` over the battery's checks, passing each as the argument `check`.

    `expected_failed_checks` (ids, or ids mapped to a reason) are marked strict xfail: the test
    suite stays green while they fail and turns red the day one of them passes.  Other keyword
    arguments go to `backprop.check` (`layers=["784,128,10"]`, `hidden="1-2"`, `activation="tanh"`).
    """
    if expected_failed_checks is None:
        expected: dict[str, str] = {}
    elif isinstance(expected_failed_checks, Mapping):
        expected = {str(k): str(v) for k, v in expected_failed_checks.items()}
    elif isinstance(expected_failed_checks, str):
        raise TypeError(
            "expected_failed_checks must be a collection of check ids (or a dict), not one string"
        )
    else:
        expected = {str(k): "a known failure" for k in expected_failed_checks}
    unknown = sorted(set(expected) - set(CHECK_IDS))
    if unknown:
        raise ValueError(
            f"unknown check id {unknown[0]!r} in expected_failed_checks; the checks are: "
            f"{', '.join(CHECK_IDS)}"
        )
    params = []
    for check_id in CHECK_IDS:
        marks = (
            [pytest.mark.xfail(strict=True, reason=expected[check_id], raises=BatteryCheckFailed)]
            if check_id in expected
            else []
        )
        params.append(
            pytest.param(
                BatteryCheck(factory, check_id, loss, max_examples, seed, timeout, dict(options)),
                id=check_id,
                marks=marks,
            )
        )
    return pytest.mark.parametrize("check", params)


@dataclass(frozen=True)
class LayerCheck:
    """One check of one layer (`backprop check-layer TARGET --only CHECK_ID`), run by calling it."""

    target: str
    check_id: str
    kind: str | None = None
    max_examples: int | None = None
    seed: int = 0
    timeout: float = 60.0

    def __call__(self) -> CheckResult:
        """Run the check: return its result when it passes, raise BatteryCheckFailed otherwise."""
        from .layers import check_layer
        from .layers.command import explain_check

        result = check_layer(
            self.target,
            kind=self.kind,
            max_examples=self.max_examples,
            seed=self.seed,
            only=[self.check_id],
            timeout=self.timeout,
        )
        checked = result.by_id(self.check_id)
        if checked.status in ("failed", "errored"):
            raise BatteryCheckFailed("\n".join(explain_check(result, checked)))
        return checked

    def __repr__(self) -> str:
        return self.check_id


def assert_gradients_close(
    analytic: ArrayLike,
    numerical_or_function: Any,
    *,
    at: ArrayLike | None = None,
    safety: float = DEFAULT_SAFETY,
    rtol: float = 1e-7,
    atol: float = 0.0,
    name: str = "gradient",
) -> Comparison:
    """Assert that `analytic` is the gradient, judged element by element within an error budget.

    `numerical_or_function` is one of: a function f of an array (with `at`, the point): its central
    differences there, with their truncation and rounding budget; an `Estimate` from
    `backprop.numerical`; or an array you computed, with the budget rtol·|numerical| + atol.
    Fails with the counts, the worst element and its errors against the budget; returns the
    Comparison when it passes.
    """
    __tracebackhide__ = True
    if isinstance(numerical_or_function, Estimate):
        estimate = numerical_or_function
    elif callable(numerical_or_function):
        if at is None:
            raise TypeError(
                "assert_gradients_close needs at=, the point where the function is differentiated"
            )
        estimate = central_difference(numerical_or_function, at)
    else:
        values = np.asarray(numerical_or_function, dtype=float)
        estimate = Estimate(values, atol + rtol * np.abs(values), "given")
        safety = 1.0 if safety == DEFAULT_SAFETY else safety
    shape = np.shape(analytic)
    if shape != estimate.shape:
        raise AssertionError(
            f"Not equal: the {name} has shape {shape} but the numerical one has {estimate.shape}"
        )
    comparison = compare(analytic, estimate, safety=safety)
    if not comparison.passed:
        lines = comparison.message().splitlines()
        raise AssertionError(
            "\n".join([f"Not equal: the {name} {lines[0][0].lower()}{lines[0][1:]}", *lines[1:]])
        )
    return comparison


__all__ = [
    "BatteryCheck",
    "BatteryCheckFailed",
    "LayerCheck",
    "assert_gradients_close",
    "parametrize_with_checks",
]
