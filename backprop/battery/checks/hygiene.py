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
    PluginError,
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


def _repeated_call(factory: Factory, case: Case, profile: Profile) -> Evidence | None:
    """The same call twice in a row at the same weights gives the same answer: what dropout left on, or
    noise added to a gradient, breaks (however the random sources are seeded)."""
    net = prepare(factory, case, profile)
    try:
        if isinstance(net, ModelNetwork):
            shapes = [w.shape for w in net.weight_arrays()]
            if "gradients" in net.offers:
                what = "gradients(x, y)"
                answers = [np.concatenate([np.ravel(g) for g in net.gradients(case.x, case.y, shapes)])
                           for _ in range(2)]
            elif "predict" in net.offers:
                what = "predict(x)"
                answers = [net.predict(case.x, case.n_outputs) for _ in range(2)]
            else:
                return None
        else:
            what = "forward(x)"
            answers = [net.forward(net.with_one(case.x))[-1] for _ in range(2)]
    except PluginError:
        return None  # a call that fails is the other checks' to report
    first, second = answers
    if first.shape == second.shape and ARRAY_EQUAL(first, second, equal_nan=True):
        return None
    differ = int(np.sum(first != second)) if first.shape == second.shape else first.size
    return Evidence(
        "failed", None, what, f"{what} gave different answers to the same call, twice in a row",
        f"{differ} of {first.size} values differ between two calls of {what} at the same weights and input",
    ).found(Finding(
        "nondeterministic",
        f"{what} called twice in a row with the same weights and input gives different values ({differ} of "
        f"{first.size} differ): something random is drawn in it (dropout left on, noise), so no gradient "
        "check can hold",
        {"call": what, "differ": differ, "total": int(first.size)},
    ))


def deterministic(factory: Factory, case: Case, loss: Loss, profile: Profile) -> Evidence:
    """The same call twice gives the same answer, and np.random.seed before make (and fit) gives the
    same network, twice."""
    repeated = _repeated_call(factory, case, profile)
    if repeated is not None:
        return repeated
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
        if len(a_list) != len(b_list):
            return Evidence(
                "failed", None, "the network",
                f"the same np.random.seed gave a different number of {stage} {net.kind} arrays",
                f"{len(a_list)} {stage} {net.kind} arrays in the first run, {len(b_list)} in the second, "
                f"both seeded with np.random.seed({case.seed % 2**32})",
            ).found(Finding(
                "nondeterministic",
                f"the network built with the same seed has {len(a_list)} {net.kind} arrays in one run and "
                f"{len(b_list)} in the other: what it builds depends on something np.random.seed does "
                "not control",
                {"stage": stage, "arrays": [len(a_list), len(b_list)]},
            ))
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
