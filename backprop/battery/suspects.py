"""The usual backprop mistakes, each planted in a whole-network backprop computed here, so that a wrong
gradient can be explained from the gradients alone, whatever protocol gave them.

A `Reference` is a network in the reference layout: one weight matrix a layer, of shape
(n_in + 1, n_out) with the bias row first (every layer's input gets a leading 1), or, for the
article's layers, whatever the layers multiply (the input already carries its 1 and hidden layers
none).  `backprops` computes its correct deltas ∂L/∂z and weight gradients for one sample, and a
closed list of `Suspect`s: the same backprop with one mistake planted (f' missing, f'(A) for f'(z),
a known wrong derivative, W where Wᵀ belongs, the wrong upstream delta, ...).  `explanations` names
the suspects that the implementation's arrays reproduce everywhere and that the numbers can tell apart
from the correct gradient, the most specific first; when none is, it says nothing.  Nothing here runs
user code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..activations import KNOWN_WRONG_DERIVATIVES, get_activation
from ..findings import Finding
from ..losses import LOSSES, Loss
from . import diagnosis
from .interfaces import CLI, declare

IDENTITY = "identity"
"""The output activation of a network whose last layer is linear (logits, a regression head)."""

DISTINCT = 10.0
"""A suspect is evidence only where it differs from the correct gradient by this many times the
tolerance of the agreement: otherwise the numbers cannot tell the mistake from no mistake."""

DEFAULT_LOSS = "half_sse"
"""The loss checked when none is declared.  Under it, a gradient that is exactly another loss's is first
taken for code right for a loss nobody declared; under a declared loss, for a mistake in the code (the
two are then the same numbers, and the sentence names both)."""

Arrays = list[NDArray]


def activation_pair(name: str) -> tuple[Callable[[NDArray], NDArray], Callable[[NDArray], NDArray]]:
    """(f, f') of a registered activation, or of the identity."""
    if name == IDENTITY:
        return (lambda z: np.asarray(z, dtype=float)), (lambda z: np.ones_like(np.asarray(z, dtype=float)))
    entry = get_activation(name)
    return entry.function, entry.derivative


@dataclass(frozen=True)
class Reference:
    """A network the judge can backpropagate: weights in the reference layout and its functions."""

    weights: Sequence[NDArray]
    hidden: str
    output: str
    loss: Loss
    bias_per_layer: bool = True
    """True: every layer's input gets a leading 1 and row 0 of each matrix is its bias.  False: the
    article's layers, which multiply what they are given (x with its 1 already in it)."""

    def activation_of(self, index: int) -> str:
        return self.output if index == len(self.weights) - 1 else self.hidden

    @property
    def absorbed(self) -> bool:
        """Whether the loss's gradient already carries the output's f' (sigmoid with cross-entropy)."""
        return self.loss.name == "bce" and self.output == "sigmoid"

    def left(self, a: NDArray) -> NDArray:
        return np.concatenate(([1.0], a)) if self.bias_per_layer else a

    def block(self, index: int) -> NDArray:
        """The rows of layer `index`'s matrix that multiply the previous layer's outputs (not the bias)."""
        w = np.asarray(self.weights[index], dtype=float)
        return w[1:] if self.bias_per_layer else w

    def forward(self, x: NDArray) -> tuple[Arrays, Arrays, Arrays]:
        """(each layer's input with its 1, each layer's z, each layer's output)."""
        lefts, zs, outs = [], [], []
        a = np.asarray(x, dtype=float).ravel()
        for index, w in enumerate(self.weights):
            left = self.left(a)
            z = left @ np.asarray(w, dtype=float)
            a = activation_pair(self.activation_of(index))[0](z)
            lefts.append(left)
            zs.append(z)
            outs.append(np.asarray(a, dtype=float))
        return lefts, zs, outs


@dataclass(frozen=True)
class Backprop:
    """One backprop's results for one sample: ∂L/∂z per layer and the weight gradients (reference layout)."""

    deltas: Arrays
    gradients: Arrays


@dataclass(frozen=True)
class Suspect(Backprop):
    """A backprop with one mistake planted: its kind, parameters, and what it is, in words."""

    kind: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    """What backprop this is: "backprop with f'(z) missing at the output layer"."""
    hint: str = ""
    """What to change, said after the evidence."""

    def converted(self, convert: Callable[[Sequence[NDArray]], Arrays]) -> Suspect:
        """The same suspect with its gradients in another layout (a model's parameter arrays)."""
        return replace(self, gradients=convert(self.gradients))


# --------------------------------------------------------------------------- the backprop, with hooks

Prime = Callable[[NDArray, NDArray], NDArray]
"""The derivative factor a layer uses, from its z and its output A."""


@dataclass
class _Plan:
    """Where the mistake goes; every field left at None is the correct computation."""

    primes: dict[int, Prime] = field(default_factory=dict)
    output_delta: Callable[[NDArray, NDArray, NDArray, NDArray], NDArray] | None = None
    """(A, y, z, the correct f'(z)) → δ of the output layer."""
    upstream: Callable[[int, dict[int, NDArray]], tuple[NDArray, NDArray] | None] | None = None
    """(hidden layer index, the deltas so far) → (the delta and the matrix whose transpose it goes
    through), or None where the mistake does not fit the shapes."""
    left: Callable[[int, Arrays, Arrays, Arrays], NDArray | None] | None = None
    """(layer index, lefts, zs, outputs) → the vector the weight gradient is built from."""
    gradient: Callable[[int, NDArray], NDArray | None] | None = None
    """(layer index, the correct weight gradient) → what the mistake makes of it."""


class _Unfit(Exception):
    """The mistake cannot be made on this network's shapes."""


def _run(ref: Reference, x: NDArray, y: NDArray, plan: _Plan) -> Backprop:
    lefts, zs, outs = ref.forward(x)
    count = len(ref.weights)
    y = np.asarray(y, dtype=float).ravel()

    def prime(index: int) -> NDArray:
        if index in plan.primes:
            return np.asarray(plan.primes[index](zs[index], outs[index]), dtype=float)
        return np.asarray(activation_pair(ref.activation_of(index))[1](zs[index]), dtype=float)

    last = count - 1
    correct_prime = np.asarray(activation_pair(ref.output)[1](zs[last]), dtype=float)
    if ref.absorbed:
        delta = outs[last] - y
        if last in plan.primes:
            raise _Unfit
    else:
        delta = ref.loss.output_gradient(outs[last], y) * prime(last)
    if plan.output_delta is not None:
        delta = np.asarray(plan.output_delta(outs[last], y, zs[last], correct_prime), dtype=float)
    deltas = {last: delta}
    for index in range(last - 1, -1, -1):
        chosen = (
            plan.upstream(index, deltas)
            if plan.upstream is not None
            else (deltas[index + 1], ref.block(index + 1))
        )
        if chosen is None:
            raise _Unfit
        upstream, matrix = chosen
        if matrix.shape[1] != upstream.size or matrix.shape[0] != zs[index].size:
            raise _Unfit
        deltas[index] = (upstream @ matrix.T) * prime(index)
    gradients = []
    for index in range(count):
        left = plan.left(index, lefts, zs, outs) if plan.left is not None else lefts[index]
        if left is None or left.size != lefts[index].size:
            raise _Unfit
        g = np.outer(left, deltas[index])
        if plan.gradient is not None:
            changed = plan.gradient(index, g)
            if changed is None:
                raise _Unfit
            g = changed
        gradients.append(g)
    return Backprop([deltas[i] for i in range(count)], gradients)


# --------------------------------------------------------------------------- the suspects


MASK_MISSING = "1 everywhere"
"""relu's derivative without its mask: the suspects call it a missing f' (the mask is relu's f')."""

def _of_z(wrong: Callable[[NDArray], NDArray]) -> Prime:
    return lambda z, a: wrong(z)


WRONG_DERIVATIVES: dict[str, tuple[tuple[str, Prime], ...]] = {
    name: tuple((formula, _of_z(wrong)) for formula, wrong in formulas if formula != MASK_MISSING)
    for name, formulas in KNOWN_WRONG_DERIVATIVES.items()
}
"""Known wrong formulas for f'(z), per activation, as people write them (s = σ(z)): those of
backprop.activations, as functions of (z, A)."""


def _scopes(ref: Reference, layers: Sequence[int] | None = None) -> list[tuple[tuple[int, ...], str]]:
    """(layer indices, the words for them): the output layer, every hidden layer, every layer, and each
    hidden layer alone, restricted to `layers` when given; each set once."""
    count = len(ref.weights)
    allowed = set(range(count) if layers is None else layers)
    hidden = tuple(i for i in range(count - 1) if i in allowed)
    found: list[tuple[tuple[int, ...], str]] = []
    if count - 1 in allowed:
        found.append(((count - 1,), "at the output layer"))
    if hidden:
        found.append((hidden, "at every hidden layer" if len(hidden) > 1 else f"at layer {hidden[0] + 1}"))
        if count - 1 in allowed:
            found.append(((*hidden, count - 1), "at every layer"))
    if len(hidden) > 1:
        found += [((i,), f"at layer {i + 1}") for i in hidden]
    seen: set[tuple[int, ...]] = set()
    unique = []
    for scope, words in found:
        if scope not in seen:
            seen.add(scope)
            unique.append((scope, words))
    return unique


def _layer_params(scope: tuple[int, ...]) -> list[int]:
    return [i + 1 for i in scope]


def backprops(ref: Reference, x: NDArray, y: NDArray) -> tuple[Backprop, list[Suspect]]:
    """The correct backprop of one sample, and every suspect that fits the network's shapes, most
    specific first."""
    correct = _run(ref, x, y, _Plan())
    made: list[Suspect] = []

    def add(kind: str, plan: _Plan, description: str, hint: str = "", **params: Any) -> None:
        try:
            with np.errstate(all="ignore"):
                found = _run(ref, x, y, plan)
        except _Unfit:
            return
        values = (*found.deltas, *found.gradients)
        if all(np.all(np.isfinite(a)) for a in values) and any(np.any(a) for a in found.gradients):
            made.append(Suspect(found.deltas, found.gradients, kind, params, description, hint))

    if ref.loss.name == DEFAULT_LOSS:
        _loss_suspects(ref, add)
    _prime_suspects(ref, add)
    _output_suspects(ref, add)
    _structure_suspects(ref, add)
    if ref.loss.name != DEFAULT_LOSS:
        _loss_suspects(ref, add)
    add("sign-flipped", _Plan(output_delta=_negated(ref)), "backprop with the output error's sign flipped "
        "(y − A where A − y belongs)", "write the error as A − y", layer=len(ref.weights))
    return correct, made


Add = Callable[..., None]


def _loss_suspects(ref: Reference, add: Add) -> None:
    """The correct gradient of each other known loss where it applies (bce on sigmoid outputs, softmax
    cross-entropy on linear ones); half-SSE and mse differ by a constant factor, which `scaled` names."""
    constant = {"half_sse", "mse"}
    for other in LOSSES.values():
        if other.name == ref.loss.name or {other.name, ref.loss.name} <= constant:
            continue
        if other.name == "bce" and ref.output != "sigmoid":
            continue
        if other.name == "softmax_ce" and ref.output != IDENTITY:
            continue
        mine = replace(ref, loss=other)

        def delta(a: NDArray, y: NDArray, z: NDArray, fz: NDArray, mine: Reference = mine) -> NDArray:
            if mine.absorbed:
                return a - y
            if mine.loss.name == "softmax_ce":  # p − y, as code written for one-hot targets has it
                e = np.exp(a - np.max(a))
                return e / np.sum(e) - y
            return mine.loss.output_gradient(a, y) * fz

        add("loss-mismatch", _Plan(output_delta=delta),
            f"backprop of the {other.name} loss ({other.description})",
            f"it is right for {other.name}: declare that loss ({{declare}}) if it is the one "
            "meant",
            loss=other.name, declared=ref.loss.name)


def _prime_suspects(ref: Reference, add: Add) -> None:
    """f'(A) for f'(z), f' missing, and the known wrong derivatives, wherever each activation is used."""
    count = len(ref.weights)
    absorbed = {count - 1} if ref.absorbed else set()
    usable = [i for i in range(count) if i not in absorbed]
    for scope, words in _scopes(ref, usable):
        primes = {i: _at_output(activation_pair(ref.activation_of(i))[1]) for i in scope}
        add("fprime-of-output", _Plan(primes=primes),
            f"backprop with f'(A) where f'(z) belongs {words}",
            "take the derivative at z (the pre-activation), not at A = f(z)",
            layers=_layer_params(scope))
    for scope, words in _scopes(ref, usable):
        names = {ref.activation_of(i) for i in scope}
        what = "f'(z) (relu's mask z > 0)" if names == {"relu"} else "f'(z)"
        add("missing-fprime", _Plan(primes={i: (lambda z, a: np.ones_like(z)) for i in scope}),
            f"backprop with the factor {what} missing {words}", "multiply by f'(z)",
            layers=_layer_params(scope))
    for name, formulas in WRONG_DERIVATIVES.items():
        layers = [i for i in usable if ref.activation_of(i) == name]
        for scope, words in _scopes(ref, layers):
            for formula, prime in formulas:
                add("wrong-derivative", _Plan(primes={i: prime for i in scope}),
                    f"backprop with {name}'s derivative written as {formula} {words}",
                    f"{name}'s derivative is {_RIGHT[name]}",
                    layers=_layer_params(scope), activation=name, formula=formula)


def _at_output(fprime: Callable[[NDArray], NDArray]) -> Prime:
    return lambda z, a: fprime(a)


_RIGHT = {"tanh": "1 − tanh² z", "sigmoid": "s(1 − s) with s = σ(z)", "relu": "1 where z > 0, else 0"}


def _output_suspects(ref: Reference, add: Add) -> None:
    """An f' the loss already absorbed, f' twice, and the output errors summed into one."""
    count = len(ref.weights)
    if ref.absorbed:
        add("extra-fprime", _Plan(output_delta=lambda a, y, z, fz: (a - y) * fz),
            "backprop with the output delta (A − y)·σ'(z) where cross-entropy on sigmoid outputs gives A − y",
            "drop σ'(z) from the output delta: the loss's gradient already cancels it", layer=count)
    if ref.loss.name == "softmax_ce" and ref.output == IDENTITY:
        def softmax_prime(a: NDArray, y: NDArray, z: NDArray, fz: NDArray) -> NDArray:
            e = np.exp(a - np.max(a))
            p = e / np.sum(e)
            return ref.loss.output_gradient(a, y) * p * (1 - p)

        add("extra-fprime", _Plan(output_delta=softmax_prime),
            "backprop with the output delta (p − y)·p(1 − p) where softmax with cross-entropy gives p − y",
            "drop p(1 − p) from the output delta: p − y already is ∂L/∂logits", layer=count)
    if ref.output == IDENTITY and ref.hidden != IDENTITY and not ref.absorbed:
        hidden_prime = activation_pair(ref.hidden)[1]
        add("extra-fprime",
            _Plan(output_delta=lambda a, y, z, fz: ref.loss.output_gradient(a, y)
                  * hidden_prime(z)),
            "backprop with the hidden activation's f'(z) at the linear output layer",
            "the output layer is linear: its f' is 1", layer=count, activation=ref.hidden)
    if not ref.absorbed and ref.output != IDENTITY:
        add("extra-fprime",
            _Plan(output_delta=lambda a, y, z, fz: ref.loss.output_gradient(a, y) * fz**2),
            "backprop with f'(z) applied twice at the output layer", "multiply by f'(z) once",
            layer=count)
    width = np.asarray(ref.weights[-1]).shape[1]
    if width > 1 and ref.loss.name != "softmax_ce":  # p − y sums to 0: summed, it would be no gradient
        def summed(a: NDArray, y: NDArray, z: NDArray, fz: NDArray) -> NDArray:
            error = a - y if ref.absorbed else ref.loss.output_gradient(a, y)
            return np.sum(error) * (np.ones_like(fz) if ref.absorbed else fz)

        add("summed-outputs", _Plan(output_delta=summed),
            "backprop with the output errors summed into one before the output delta",
            "give each output unit its own error, without a sum", layer=count)


def _negated(ref: Reference) -> Callable[[NDArray, NDArray, NDArray, NDArray], NDArray]:
    def flipped(a: NDArray, y: NDArray, z: NDArray, fz: NDArray) -> NDArray:
        if ref.absorbed:
            return y - a
        return -ref.loss.output_gradient(a, y) * fz

    return flipped


def _structure_suspects(ref: Reference, add: Add) -> None:
    """W where Wᵀ belongs (or a reshape of it), the wrong upstream delta or weights, the wrong left
    activation, and the weight gradient transposed."""
    count = len(ref.weights)
    hidden = list(range(count - 1))
    if hidden:
        for reshape, words in (
            (lambda b: b.reshape(b.shape[1], b.shape[0]), "reshaped to Wᵀ's shape"),
            (lambda b: b.T.reshape(b.shape[0], b.shape[1]).T, "of the column layout reshaped to Wᵀ's shape"),
        ):
            for scope, where in _scopes(ref, hidden):
                def upstream(index: int, deltas: dict[int, NDArray], scope: tuple[int, ...] = scope,
                             reshape: Callable[[NDArray], NDArray] = reshape) -> tuple[NDArray, NDArray]:
                    block = ref.block(index + 1)
                    return deltas[index + 1], (reshape(block).T if index in scope else block)

                square = all(ref.block(i + 1).shape[0] == ref.block(i + 1).shape[1] for i in scope)
                described = "W where Wᵀ belongs" if square else f"W {words} where Wᵀ belongs"
                add("transposed", _Plan(upstream=upstream),
                    f"backprop through the right layer's {described} {where}",
                    "backpropagate through the transpose of the right layer's weights",
                    layers=_layer_params(scope))
        variants: tuple[tuple[Callable[[int, dict[int, NDArray]], tuple[NDArray, NDArray]], str], ...] = (
            (lambda index, deltas: (deltas[count - 1], ref.block(index + 1)),
             "from the output layer's delta"),
            (lambda index, deltas: (deltas[index + 1], ref.block(count - 1)),
             "through the output layer's weights"),
            (lambda index, deltas: (deltas[index + 1], ref.block(index)),
             "through its own weights instead of the right layer's"),
        )
        for variant, words in variants:
            add("wrong-upstream", _Plan(upstream=variant),
                f"backprop with every hidden delta computed {words}",
                "build each hidden delta from the delta and the weights of the layer just to its right",
                variant=words)
        add("wrong-left-activation",
            _Plan(left=lambda index, lefts, zs, outs: ref.left(zs[index - 1]) if index else lefts[0]),
            "backprop with each weight gradient built from the left layer's z instead of its output",
            "build the weight gradient from the activation the layer was given", uses="z")
    add("wrong-left-activation",
        _Plan(left=lambda index, lefts, zs, outs: ref.left(outs[index])),
        "backprop with each weight gradient built from the layer's own output instead of its input",
        "build the weight gradient from the activation the layer was given", uses="own output")
    rows = 1 if ref.bias_per_layer else 0

    def transposed_gradient(fix: Callable[[NDArray], NDArray]) -> Callable[[int, NDArray], NDArray | None]:
        def change(index: int, g: NDArray) -> NDArray | None:
            block = g[rows:]
            moved = fix(block)
            if moved.shape != block.shape:
                return None
            return np.concatenate((g[:rows], moved)) if rows else moved

        return change

    for fix in (
        lambda b: b.T,
        lambda b: b.reshape(b.shape[1], b.shape[0]).T,
        lambda b: b.T.reshape(b.shape),
    ):
        add("transposed", _Plan(gradient=transposed_gradient(fix)),
            "backprop with every weight gradient transposed (a·δᵀ where δ·aᵀ belongs, or the reverse)",
            "swap the factors of the weight gradient's outer product", gradient=True)


# --------------------------------------------------------------------------- the evidence


def _tolerance(reference: NDArray, budget: NDArray | float) -> float:
    scale = float(np.max(np.abs(reference), initial=0.0))
    return diagnosis.RELATIVE_TOLERANCE * scale + float(np.max(budget, initial=0.0)) + 1e-300


def explanations(
    implementation: Sequence[NDArray],
    correct: Sequence[NDArray],
    suspects: Sequence[Suspect],
    budget: Sequence[NDArray | float] | float = 0.0,
    labels: Sequence[str] | None = None,
    what: str = "every parameter's gradient",
    arrays: str = "gradients",
    interface: str = CLI,
) -> list[Finding]:
    """A finding for each kind of suspect whose `arrays` ("gradients" or "deltas") all agree with the
    implementation's (within 1e-6 of their scale plus the budget) and differ from the correct ones by
    clearly more than that somewhere, the most specific first; each names the others, since the
    numbers cannot tell them apart.  Empty when no suspect fits."""
    implementation = [np.asarray(a, dtype=float) for a in implementation]
    correct = [np.asarray(a, dtype=float) for a in correct]
    budgets = list(budget) if isinstance(budget, Sequence) else [budget] * len(implementation)
    labels = list(labels) if labels is not None else [f"array {i}" for i in range(1, len(implementation) + 1)]
    matches: dict[str, tuple[Suspect, float, list[tuple[str, int, int]]]] = {}
    for suspect in suspects:
        if suspect.kind in matches:
            continue
        planted = [np.asarray(a, dtype=float) for a in getattr(suspect, arrays)]
        if len(planted) != len(implementation):
            continue
        fit = _fit(implementation, planted, correct, budgets, labels)
        if fit is not None:
            matches[suspect.kind] = (suspect, *fit)
    total = sum(a.size for a in implementation)
    found = []
    for kind, (suspect, gap, changed) in matches.items():
        others = [m[0].description for k, m in matches.items() if k != kind]
        where = ", ".join(
            f"{n} of {size} elements of {label}" if i == 0 else f"{n} of {size} of {label}"
            for i, (label, n, size) in enumerate(changed)
        )
        sentence = (
            f"{what} equals that of {suspect.description} {diagnosis.within(gap)} in {_all(total)} "
            f"(the mistake changes {where})"
        )
        if others:
            sentence += f"; the numbers fit {' and '.join(others)} as well"
        if suspect.hint:
            loss = suspect.params.get("loss")
            sentence += ": " + suspect.hint.format(declare=declare("loss", loss, interface) if loss else "")
        params = {**suspect.params, "mistake": suspect.description, "gap": gap,
                  "changed": [label for label, _, _ in changed]}
        if others:
            params["also"] = [k for k in matches if k != kind]
        found.append(Finding(kind, sentence, params))
    return found


def _all(count: int) -> str:
    return "the only element" if count == 1 else "both elements" if count == 2 else f"all {count} elements"


def _fit(
    implementation: Sequence[NDArray],
    planted: Sequence[NDArray],
    correct: Sequence[NDArray],
    budgets: Sequence[NDArray | float],
    labels: Sequence[str],
) -> tuple[float, list[tuple[str, int, int]]] | None:
    """(the largest gap, (label, elements changed, size) per array the mistake changes) when every
    array agrees and some array differs from the correct one; None otherwise."""
    gaps, changed = [], []
    for label, impl, mine, right, b in zip(labels, implementation, planted, correct, budgets, strict=True):
        if impl.shape != mine.shape or mine.shape != right.shape:
            return None
        tolerance = _tolerance(mine, b)
        gap = float(np.max(np.abs(impl - mine), initial=0.0))
        if not gap <= tolerance:
            return None
        gaps.append(gap)
        differs = np.abs(mine - right) > DISTINCT * tolerance
        if differs.any():
            changed.append((label, int(differs.sum()), mine.size))
    if not changed:
        return None
    return max(gaps, default=0.0), changed
