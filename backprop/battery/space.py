"""The space of networks the battery draws its cases from: what the user declared, narrowed to what the
target can actually build.

Real code often builds only some networks: the article's constructor cannot build one without a
hidden layer, an assignment's `TwoLayerNet` has exactly one, a course network is fixed at 784-64-10,
a script knows no relu.  Before drawing a case, the battery probes the target (each depth from 0 to
3 hidden layers, other widths and output counts, each activation) and draws only within what builds
and runs.  What was left out is said once, with the call that failed and where.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..findings import Finding
from ..losses import Loss
from .interfaces import CLI, declare, option_name
from .profile import Profile
from .registry import LAYER_LEVEL

MAX_HIDDEN_LAYERS = 3
MAX_WIDTH = 8
MAX_OUTPUTS = 4
DECLARED_HIDDEN_LIMIT = 8
"""The most hidden layers a user may declare (drawing deeper networks is the user's choice, not ours)."""


@dataclass(frozen=True)
class Space:
    """Architectures and activations to draw from: fixed architectures, or ranges of depth and width."""

    fixed: tuple[tuple[int, ...], ...] = ()
    depths: tuple[int, ...] = tuple(range(MAX_HIDDEN_LAYERS + 1))
    """The numbers of hidden layers drawn (when no architecture is fixed)."""
    activations: tuple[str, ...] = ()
    min_outputs: int = 1
    max_width: int = MAX_WIDTH
    max_outputs: int = MAX_OUTPUTS

    def allows(self, layers: Sequence[int], activation: str | None = None) -> bool:
        """Whether a network of these sizes (and activation) is one the battery may draw."""
        if activation is not None and self.activations and activation not in self.activations:
            return False
        if self.fixed:
            return tuple(layers) in self.fixed
        return (
            len(layers) - 2 in self.depths
            and layers[-1] >= self.min_outputs
            and all(1 <= n <= self.max_width for n in layers[:-1])
            and layers[-1] <= self.max_outputs
        )

    def describe(self) -> str:
        """'1 to 3 hidden layers, widths 1 to 8, 1 to 4 outputs; tanh, sigmoid' or the fixed networks."""
        if self.fixed:
            shapes = " and ".join("-".join(str(n) for n in layers) for layers in self.fixed)
            where = f"the network {shapes}" if len(self.fixed) == 1 else f"the networks {shapes}"
        else:
            low, high = min(self.depths), max(self.depths)
            if low == high:
                depth = f"{low} hidden layer{'s' if high != 1 else ''}"
            elif list(self.depths) == list(range(low, high + 1)):
                depth = f"{low} to {high} hidden layers"
            else:
                depth = f"{', '.join(map(str, self.depths[:-1]))} or {high} hidden layers"
            where = f"{depth}, widths 1 to {self.max_width}, {self.min_outputs} to {self.max_outputs} outputs"
        return f"{where}; {', '.join(self.activations)}"

    def example(self) -> tuple[tuple[int, ...], str]:
        """A network of the space and an activation it builds with (for the conventions probe)."""
        if self.fixed:
            return self.fixed[0], self.activations[0]
        return _probe_layers(self, self.depths[0])[0], self.activations[0]

    def to_json(self) -> dict[str, Any]:
        return {
            "fixed": [list(f) for f in self.fixed],
            "hidden_layers": list(self.depths),
            "activations": list(self.activations),
            "description": self.describe(),
        }


@dataclass
class Probed:
    """What probing found: the space to draw from, what was left out (as findings), and what failed."""

    space: Space
    left_out: list[Finding] = field(default_factory=list)
    nothing: str | None = None
    """When the target builds no network at all: the sentence of the first failure."""
    integrity: list[Finding] = field(default_factory=list)
    """What the code under test did that is not its own work (tampering, uses-reference)."""


# ------------------------------------------------------------------ declared space


def parse_layers(text: str | Sequence[int], interface: str = CLI) -> tuple[int, ...]:
    """'784,128,10' (or a sequence) as a network's sizes, or a ValueError saying what is wrong (naming the
    option as it is given in the interface)."""
    if isinstance(text, str):
        parts = [p for p in re.split(r"[,\s]+", text.strip()) if p]
        try:
            sizes = tuple(int(p) for p in parts)
        except ValueError:
            raise ValueError(
                f"{option_name('layers', interface)} takes sizes separated by commas (2,3,1), not {text!r}"
            ) from None
    else:
        sizes = tuple(int(n) for n in text)
    if len(sizes) < 2 or any(n < 1 for n in sizes):
        raise ValueError(
            f"a network's layers are at least two positive sizes (inputs, ..., outputs), "
            f"not {','.join(str(n) for n in sizes) or repr(text)}"
        )
    return sizes


def parse_hidden(text: str | int | Sequence[int], interface: str = CLI) -> tuple[int, int]:
    """'1-2' or '2' (or a pair) as the least and most hidden layers, or a ValueError."""
    if isinstance(text, int) and not isinstance(text, bool):
        low = high = text
    elif isinstance(text, str):
        match = re.fullmatch(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?", text)
        if not match:
            raise ValueError(
                f"{option_name('hidden', interface)} takes a number of hidden layers or a range MIN-MAX, "
                f"such as 1-2, not {text!r}"
            )
        low = int(match.group(1))
        high = int(match.group(2)) if match.group(2) is not None else low
    else:
        low, high = (int(n) for n in text)  # type: ignore[union-attr]
    if not 0 <= low <= high <= DECLARED_HIDDEN_LIMIT:
        raise ValueError(
            f"hidden layers must be a range within 0 to {DECLARED_HIDDEN_LIMIT}, not {low} to {high}"
        )
    return low, high


def parse_activations(value: str | Iterable[str], interface: str = CLI) -> tuple[str, ...]:
    names = [p for p in re.split(r"[,\s]+", value.strip()) if p] if isinstance(value, str) else list(value)
    if not names or not all(isinstance(n, str) and n for n in names):
        raise ValueError(f"{option_name('activation', interface)} takes names separated by commas, such as "
                         f"tanh,sigmoid, not {value!r}")
    return tuple(dict.fromkeys(names))


def declared_space(
    loss: Loss,
    layers: Iterable[str | Sequence[int]] | str | None = None,
    hidden: str | int | Sequence[int] | None = None,
    activation: str | Iterable[str] | None = None,
    interface: str = CLI,
) -> Space:
    """The space the user declared (or the battery's default), before probing narrows it; a refusal names
    the options as they are given in the interface."""
    from .cases import activations_for

    min_outputs = 2 if loss.name == "softmax_ce" else 1
    if isinstance(layers, str):
        layers = [layers]
    fixed = tuple(dict.fromkeys(parse_layers(item, interface) for item in layers)) if layers else ()
    if fixed and hidden is not None:
        raise ValueError(f"{option_name('hidden', interface)} narrows the drawn networks, so it does not go "
                         f"with fixed {option_name('layers', interface)}")
    for sizes in fixed:
        if sizes[-1] < min_outputs:
            raise ValueError(
                f"{loss.name} needs at least {min_outputs} outputs, and the network "
                f"{'-'.join(map(str, sizes))} has {sizes[-1]}"
            )
    names = (parse_activations(activation, interface) if activation is not None
             else tuple(activations_for(loss)))
    if loss.name == "bce" and any(name != "sigmoid" for name in names):
        raise ValueError("binary cross-entropy is defined on sigmoid outputs only: "
                         + declare("activation", "sigmoid", interface))
    low, high = parse_hidden(hidden, interface) if hidden is not None else (0, MAX_HIDDEN_LAYERS)
    return Space(fixed, tuple(range(low, high + 1)), names, min_outputs)


# ------------------------------------------------------------------ probing


def _probe_layers(space: Space, hidden: int) -> list[tuple[int, ...]]:
    """Two networks of this depth: one with distinct sizes, one as narrow as it gets."""
    outputs = max(space.min_outputs, 2)
    return [(3, *([4] * hidden), outputs), (1, *([1] * hidden), space.min_outputs)]


def try_network(
    worker: Any, layers: Sequence[int], activation: str, profile: Profile
) -> tuple[str | None, Any]:
    """(None, the sizes) when make(layers, activation) builds a network of these sizes; else (the sentence
    of what went wrong, the sizes it built when it built another network, or None).

    The sizes of a layer-level network are read from its weights (inputs, outputs and depth: a hidden
    layer may hold an extra unit, as the article's do); a model-level one must take a sample of this
    size in predict without raising.  What a network computes is for the checks to judge, not this.
    """
    from ..subject import SubjectEnded
    from .protocols import PluginError, open_network

    try:
        net = open_network(worker, layers, activation, profile)
        shapes = [w.shape for w in net.weight_arrays()]
        x = np.linspace(-0.5, 0.5, int(layers[0]))
        if net.protocol == LAYER_LEVEL:
            built = (shapes[0][0] - 1, *(s[1] for s in shapes[:-1]), shapes[-1][1])
            if built[0] != layers[0] or built[-1] != layers[-1] or len(shapes) != len(layers) - 1:
                return (
                    f"make({list(layers)}, {activation!r}) built the network {'-'.join(map(str, built))}",
                    built,
                )
        elif "predict" in net.offers:
            net.request("method", "predict", x)
        return None, tuple(layers)
    except (PluginError, SubjectEnded) as error:
        return str(error).rstrip("."), None


def probe_space(worker: Any, declared: Space, profile: Profile) -> Probed:
    """The declared space narrowed to what the target builds and runs, with what was left out and why."""
    first = _building_activation(worker, declared, profile)
    left_out: list[Finding] = []
    if declared.fixed:
        kept: list[tuple[tuple[int, ...], str | None]] = []
        failures: list[tuple[tuple[int, ...], str | None]] = []
        for layers in declared.fixed:
            problem, _ = try_network(worker, layers, first, profile)
            (failures if problem else kept).append((layers, problem))
        if not kept:
            return Probed(declared, [], failures[0][1])
        for layers, problem in failures:
            left_out.append(_left_out(f"the network {'-'.join(map(str, layers))}", problem))
        space = Space(
            tuple(layers for layers, _ in kept), declared.depths, declared.activations, declared.min_outputs
        )
        return _probe_activations(worker, space, space.fixed[0], profile, left_out)
    depths, reasons, fixed_seen = [], {}, set()
    for hidden in declared.depths:
        problem = None
        for layers in _probe_layers(declared, hidden):
            problem, built = try_network(worker, layers, first, profile)
            if problem and built is not None:
                fixed_seen.add(tuple(built))
            if problem:
                break
        if problem:
            reasons[hidden] = problem
        else:
            depths.append(hidden)
    if not depths and len(fixed_seen) == 1:  # it builds one network, whatever it is asked for
        (built,) = fixed_seen
        problem, _ = try_network(worker, built, first, profile)
        if problem is None:
            space = Space((built,), declared.depths, declared.activations, declared.min_outputs)
            left_out.append(
                _left_out(
                    "networks of other sizes",
                    f"make ignores the sizes it is given and builds {'-'.join(map(str, built))}",
                    fixed=list(built),
                )
            )
            return _probe_activations(worker, space, built, profile, left_out)
    if not depths:
        return Probed(declared, [], next(iter(reasons.values())))
    for hidden, problem in reasons.items():
        left_out.append(_left_out(_depth_words(hidden), problem, hidden_layers=hidden))
    space = Space((), tuple(depths), declared.activations, declared.min_outputs)
    return _probe_activations(worker, space, _probe_layers(space, depths[0])[0], profile, left_out)


def _building_activation(worker: Any, declared: Space, profile: Profile) -> str:
    """The first declared activation with which the target builds some network (an assignment's network
    may know relu only); the first declared one when none does (its failures are then what is said)."""
    candidates = list(declared.fixed) or [_probe_layers(declared, hidden)[0] for hidden in declared.depths]
    for name in declared.activations:
        for layers in candidates:
            problem, built = try_network(worker, layers, name, profile)
            if problem is None or built is not None:
                return name
    return declared.activations[0]


def _probe_activations(
    worker: Any, space: Space, layers: Sequence[int], profile: Profile, left_out: list[Finding]
) -> Probed:
    kept = []
    for name in space.activations:
        problem, _ = try_network(worker, layers, name, profile)
        if problem:
            left_out.append(_left_out(name, problem, activation=name))
        else:
            kept.append(name)
    if not kept:
        return Probed(space, left_out, next(f.sentence for f in left_out if f.params.get("activation")))
    narrowed = Space(space.fixed, space.depths, tuple(kept), space.min_outputs)
    return Probed(narrowed, left_out)


def _depth_words(hidden: int) -> str:
    return (
        "networks without a hidden layer"
        if hidden == 0
        else f"networks with {hidden} hidden layer{'s' if hidden != 1 else ''}"
    )


def _left_out(what: str, problem: str | None, **params: Any) -> Finding:
    return Finding("left-out", f"{what}: {problem}", {"what": what, **params})
