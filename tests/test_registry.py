"""The registry of checks is the one place their facts live: the id list, the checks that run, the skip
reasons, the causal order and the docs table all come from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from backprop.battery import CHECK_IDS
from backprop.battery.checks import CHECKS
from backprop.battery.registry import (
    LAYER_LEVEL,
    MODEL_LEVEL,
    REGISTRY,
    can_follow,
    docs_table,
    skip_reason,
)
from backprop.findings import BACKPROP_MISTAKES, KINDS, kinds_table

DOCS = Path(__file__).resolve().parents[1] / "docs" / "battery.md"


def test_the_ids_and_the_checks_that_run_are_the_registry_s_in_its_order() -> None:
    assert CHECK_IDS == tuple(spec.id for spec in REGISTRY)
    assert list(CHECKS) == list(CHECK_IDS)
    assert len(set(CHECK_IDS)) == len(CHECK_IDS) == 13


def test_docs_battery_md_shows_the_registry_s_table() -> None:
    assert docs_table() in DOCS.read_text(encoding="utf-8")


def test_docs_battery_md_lists_every_kind_of_the_vocabulary() -> None:
    page = DOCS.read_text(encoding="utf-8")
    assert kinds_table() in page
    assert all(f"| `{kind}` |" in page for kind in KINDS)


def test_a_check_follows_only_from_checks_before_it() -> None:
    for spec in REGISTRY:
        for earlier in spec.follows_from:
            assert CHECK_IDS.index(earlier) < CHECK_IDS.index(spec.id), (spec.id, earlier)


@pytest.mark.parametrize(
    ("earlier", "later", "follows"),
    [
        ("activation-derivative", "weight-gradient", True),
        ("output-delta", "fit-two-samples", True),
        ("weight-gradient", "output-delta", False),
        ("update-is-sgd-step", "descent", True),
        ("fit-one-sample", "descent", False),
        ("update-is-sgd-step", "batch-is-sum", True),
        ("output-delta", "batch-is-sum", False),
        ("output-delta", "inputs-unmodified", False),
    ],
)
def test_causal_order(earlier: str, later: str, follows: bool) -> None:
    assert can_follow(earlier, later) is follows


def test_a_check_on_the_gradient_chain_follows_from_every_check_before_it_and_joins_the_chain(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Built the way REGISTRY builds them, a spec by default follows from the chain so far, and the next
    spec follows from it too."""
    from backprop.battery import registry

    monkeypatch.setattr(registry, "_CHAIN", ["output-delta"])
    layer = registry.Use("reads `weight`")
    first = registry._spec("first-check", "module:first", "what it verifies", layer, "the model hides it")
    second = registry._spec("second-check", "module:second", "what else", layer, "the model hides it")
    assert first == registry.CheckSpec(
        "first-check", "module:first", "what it verifies", {LAYER_LEVEL: layer},
        {MODEL_LEVEL: "the model hides it"}, ("output-delta",))
    assert second.follows_from == ("output-delta", "first-check")
    assert registry._CHAIN == ["output-delta", "first-check", "second-check"]


def test_skip_reasons_come_from_what_each_check_needs() -> None:
    everything = frozenset({"fit", "predict", "activation", "activation_prime", "batch"})
    assert all(skip_reason(i, LAYER_LEVEL, everything) is None for i in CHECK_IDS)
    why = {"batch": "forward rejects a batch of 2 rows (layer 1's forward raised AssertionError)"}
    assert skip_reason("batch-is-sum", LAYER_LEVEL, everything - {"batch"}, why) == why["batch"]
    assert skip_reason("fit-one-sample", LAYER_LEVEL, everything - {"fit"}) == (
        "the network offers no fit(X, y, learning_rate, epochs)"
    )
    assert "no `activation` attribute" in str(skip_reason("activation-derivative", LAYER_LEVEL, frozenset()))
    assert "one sample at a time" in str(skip_reason("batch-is-sum", MODEL_LEVEL, frozenset()))
    assert skip_reason("batch-is-sum", MODEL_LEVEL, frozenset({"rows"})) is None
    assert skip_reason("weight-gradient", MODEL_LEVEL, frozenset({"step"})) is None
    assert "none of gradients, step" in str(skip_reason("weight-gradient", MODEL_LEVEL, frozenset()))
    assert "no step" in str(skip_reason("update-is-sgd-step", MODEL_LEVEL, frozenset({"gradients"})))
    assert skip_reason("weight-gradient", MODEL_LEVEL, frozenset({"gradients"})) is None


def test_a_part_without_a_sentence_of_its_own_is_named_in_the_skip_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A check needing a part the sentences do not cover is still skipped with a reason that names it."""
    from backprop.battery import registry

    monkeypatch.setitem(registry.BY_ID, "some-check", registry.CheckSpec(
        "some-check", "module:function", "what it verifies",
        {LAYER_LEVEL: registry.Use("reads `scale`", frozenset({"scale"}))}))
    assert skip_reason("some-check", LAYER_LEVEL, frozenset()) == "the network offers no scale"


def test_the_vocabulary_holds_the_documented_names() -> None:
    """Graders and tests select on these names: renaming one breaks them."""
    promised = {
        "fprime-of-output", "missing-fprime", "extra-fprime", "wrong-derivative", "sign-flipped", "scaled",
        "transposed", "stale-weights", "wrong-left-activation", "wrong-upstream", "summed-outputs",
        "wrong-axis", "loss-mismatch", "regularisation", "frozen", "not-sgd-step", "learning-rate-ignored",
        "wrong-target", "in-place", "nondeterministic", "predict-not-forward", "non-finite", "input-dtype",
        "bias-layout",
    }
    assert promised == BACKPROP_MISTAKES  # the list written out once, here, against renaming
    assert promised <= set(KINDS), promised - set(KINDS)
