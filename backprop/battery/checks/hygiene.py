"""inputs-unmodified and deterministic: what a correct network does not do to its caller."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...findings import Finding
from ...losses import Loss
from ..cases import Case
from ..profile import Profile
from ..protocols import (
    ARRAY_EQUAL,
    LayerNetwork,
    ModelNetwork,
    call,
    open_network,
)
from .common import (
    Evidence,
    Factory,
    prepare,
)

# --------------------------------------------------------------------------- inputs, determinism, descent


def inputs_unmodified(factory: Factory, case: Case, loss: Loss, profile: Profile) -> Evidence:
    """No call may write into the arrays it is given (the caller's data set)."""
    net = prepare(factory, case, profile)
    xs, ys = case.extra_samples(loss, 2)
    X, Y = np.vstack([case.x, xs]), np.vstack([case.y, ys])
    x, y, lr = case.x.copy(), case.y.copy(), case.learning_rate
    probes: list[tuple[str, tuple[tuple[str, Any], ...]]] = []
    if isinstance(net, LayerNetwork):
        probes += [("forward", (("x", net.with_one(x)),)), ("backward", (("y", y),))]
        fit_args = (("X", X), ("y", Y), ("learning_rate", lr), ("epochs", 3))
        optional = [("predict", (("x", x),)), ("fit", fit_args)]
    else:
        optional = [
            ("loss", (("x", x), ("y", y))),
            ("gradients", (("x", x), ("y", y))),
            ("predict", (("x", x),)),
            ("deltas", (("x", x), ("y", y))),
            ("step", (("x", x), ("y", y), ("learning_rate", lr))),
        ]
    probes += [(name, args) for name, args in optional if name in net.offers]
    changed = []
    for what, named in probes:
        values = [value for _, value in named]
        after = net.request("method_inputs", what, *values)
        for (name, value), seen in zip(named, after, strict=True):
            if not isinstance(value, np.ndarray):
                continue
            if not isinstance(seen, np.ndarray) or seen.shape != value.shape:
                changed.append(f"{what} replaced its argument {name}")
            elif not ARRAY_EQUAL(seen, value, equal_nan=value.dtype.kind in "fc"):
                changed.append(
                    f"{what} changed its argument {name}: {int(np.sum(seen != value))} of "
                    f"{value.size} values differ afterwards"
                )
    if changed:
        return Evidence(
            "failed",
            None,
            changed[0].split(" changed")[0].split(" replaced")[0],
            f"{len(changed)} call(s) modified their inputs",
            "\n".join(changed),
        ).found(Finding(
            "in-place",
            f"{changed[0]}: the caller's arrays are written in place; work on a copy (X = X.copy(), or "
            "build new arrays with np.concatenate) instead of writing into the argument",
            {"calls": len(changed)},
        ))
    return Evidence("passed")


def deterministic(factory: Factory, case: Case, loss: Loss, profile: Profile) -> Evidence:
    """np.random.seed before make (and fit) gives the same network, twice."""
    xs, ys = case.extra_samples(loss, 3)
    runs = []
    for _ in range(2):
        np.random.seed(case.seed % 2**32)
        net = open_network(factory, case.layers, case.activation, profile, seed=case.seed)
        weights = net.copy_weights()
        if isinstance(net, LayerNetwork) and callable(getattr(net.network, "fit", None)):
            call(
                "fit(X, y, learning_rate, epochs=5)",
                net.network.fit,
                xs.copy(),
                ys.copy(),
                case.learning_rate,
                5,
            )
        elif isinstance(net, ModelNetwork) and callable(getattr(net.network, "step", None)):
            net.step(xs[0].copy(), ys[0].copy(), case.learning_rate)
        runs.append((weights, net.copy_weights()))
    (init_a, final_a), (init_b, final_b) = runs
    for stage, a_list, b_list in (("initial", init_a, init_b), ("trained", final_a, final_b)):
        for number, (a, b) in enumerate(zip(a_list, b_list, strict=True), 1):
            if a.shape != b.shape or not ARRAY_EQUAL(a, b, equal_nan=True):
                differ = int(np.sum(a != b)) if a.shape == b.shape else a.size
                return Evidence(
                    "failed",
                    None,
                    f"layer {number}",
                    f"the same np.random.seed gave different {stage} weights",
                    f"layer {number}: {differ} of {a.size} {stage} weights differ between two runs "
                    f"seeded with np.random.seed({case.seed % 2**32})",
                ).found(Finding(
                    "nondeterministic",
                    "the implementation draws from a random source that np.random.seed does not control "
                    "(an unseeded np.random.default_rng(), random, or the clock)"
                    if stage == "initial"
                    else "training draws from a random source that np.random.seed does not control",
                    {"stage": stage, "layer": number, "differ": differ},
                ))
    return Evidence("passed")
