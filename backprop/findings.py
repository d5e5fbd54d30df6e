"""Findings: the reason behind a verdict, as data.

A finding is what a check measured about the cause of a failure (or about what it could not
check), with a stable machine-readable `kind`, the parameters it was measured with (layer,
parameter name, factor, the loss it matches, ...) and the sentence that states the evidence.
Tests, graders and reports select on `kind`; the sentence is for people.  The vocabulary is
`KINDS`, one entry a kind, and docs/battery.md's table of kinds is derived from it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Kind:
    """One entry of the vocabulary: what the kind means and a sentence of the shape it produces."""

    name: str
    meaning: str
    example: str


def _kinds(*entries: tuple[str, str, str]) -> dict[str, Kind]:
    return {name: Kind(name, meaning, example) for name, meaning, example in entries}


KINDS: dict[str, Kind] = _kinds(
    ("fprime-of-output", "f' taken at the layer's output A instead of at z",
     "dZ equals f'(A) to 1e-15 in 3 of 3 units: the derivative was taken at A = f(z) instead of z"),
    ("missing-fprime", "the factor f'(z) is missing from a delta",
     "the output delta equals ∂L/∂A to 1e-16 in 2 of 2 units: the factor f'(z) is missing"),
    ("extra-fprime", "an f' factor that the loss's gradient already accounts for",
     "the output delta equals (A − y)·f'(z) where softmax with cross-entropy gives A − y"),
    ("wrong-derivative", "activation_prime is not the derivative of activation",
     "activation_prime(z) equals 1 − z² (tanh's derivative written in terms of its output) at z"),
    ("sign-flipped", "the result has the opposite sign of what it should be",
     "the output delta equals −1 × ∂L/∂z to 1e-16: its sign is flipped (y − A instead of A − y)"),
    ("scaled", "a constant factor, named when it matches the learning rate, 2, the outputs or the batch",
     "the weight gradient is 3 × ∂L/∂W to 1e-15 in every element: 3 is the number of outputs"),
    ("transposed", "W (or a reshape of it) where Wᵀ belongs, or a transposed Jacobian",
     "layer 1's delta equals δ·W (W reshaped to Wᵀ's shape) to 1e-16 instead of δ·Wᵀ"),
    ("stale-weights", "a delta backpropagated through weights that were already updated",
     "layer 1 moved by exactly the step whose delta went through layer 2's updated weights"),
    ("wrong-left-activation", "a weight gradient built from z, or the layer's own output, not its input",
     "layer 2's gradient equals zᵀδ to 1e-16: it uses the pre-activation instead of the left activation"),
    ("wrong-upstream", "a hidden delta built from the wrong layer's delta or weights",
     "layer 1's delta is computed from layer 3's delta: the wrong upstream layer"),
    ("summed-outputs", "the output errors are summed into one number before backpropagating",
     "the output delta equals sum(A − y)·f'(z) in every unit: the errors were summed over the outputs"),
    ("wrong-axis", "a bias gradient (or a sum) reduced over the wrong axis",
     "db equals the sum of dout over its columns, not its rows (axis 1 instead of axis 0)"),
    ("loss-mismatch", "the gradient is exactly that of another known loss",
     "the output delta equals ∂L/∂z of bce to 1e-16: declare it with --loss bce if it is the one meant"),
    ("regularisation", "a penalty applied to biases, with a wrong factor, or undeclared",
     "the step equals the gradient plus λ·W on the biases too: declare --l2-biases or exclude them"),
    ("frozen", "part of the parameters never moves",
     "row 0 of layer 1's weight did not move in 25 cases where its gradient is not 0"),
    ("not-sgd-step", "the update is not W − learning rate × gradient (momentum, clipping, other terms)",
     "the update's norm is capped at 1.0 while learning rate × gradient has norm 3.2: clipping"),
    ("learning-rate-ignored", "the update does not scale with the learning rate it is given",
     "the update is the same at learning rates 0.1 and 0.01: the learning rate is ignored"),
    ("wrong-target", "training uses targets other than the sample's own",
     "fit moved the weights as one step on the first row's target does, for every row"),
    ("fit-scheme", "fit trains by no known scheme, or by another than the declared one",
     "fit was declared to train by full-batch-mean, but it trains by full-batch-sum on 2 and 4 rows"),
    ("in-place", "a call writes into the arrays it is given",
     "fit changed its argument X: 4 of 6 values differ afterwards"),
    ("nondeterministic", "the same seed or the same call gives different answers",
     "the same np.random.seed gave different initial weights"),
    ("predict-not-forward", "predict is not the forward pass (a cached output, another activation, a mask)",
     "predict(x) returns the output of the previous forward pass, not of x"),
    ("non-finite", "NaN or inf where the mathematics is finite",
     "activation(z) is inf at z = 800: exp(z) overflows; use a form that does not"),
    ("input-dtype", "integer input is truncated or cast badly",
     "forward gives different outputs for x as integers and as floats: the input is truncated"),
    ("bias-layout", "the constant 1 of the bias is at the other end of the input from where it is used",
     "predict appends the 1 last while forward in fit puts it first"),
    ("kernel-not-flipped", "a convolution's gradient uses the kernel unflipped (or flips it twice)",
     "dx equals the correlation of dout with the unflipped kernel"),
    ("stride-ignored", "a strided layer's gradient ignores the stride", "dx is right for stride 1 only"),
    ("padding-wrong", "the padding is not removed (or is removed twice) in the input gradient",
     "dx equals the padded gradient cropped at the wrong offset"),
    ("pool-routing", "max-pool routes the gradient to the wrong input (not an argmax of the window)",
     "dx sends the gradient to the last maximum of each window and to no maximum in 2 windows"),
    ("mean-term-missing", "batch-norm's gradient lacks the term through the batch mean",
     "dx lacks −mean(dxhat): the gradient through the batch mean is missing"),
    ("variance-mismatch", "batch-norm's backward uses another variance than its forward",
     "dx matches the variance with N − 1 in the denominator where forward used N"),
    ("mask-not-rescaled", "dropout's mask is not rescaled by 1/p (inverted dropout)",
     "dx equals dout·mask, without the 1/p that forward applied"),
    ("wrong-shape", "a gradient shaped unlike its argument (a reshape back to the input's shape missing)",
     "dx has shape (2, 12) where x has (2, 3, 2, 2); reshaped, it matches the numerical gradient"),
    ("uses-reference", "the submission delegates to the bundled reference network",
     "the network's layers are instances of backprop.network.Layer"),
    ("tampering", "the code under test tried to change the judge, its files or other submissions",
     "the module replaced numpy.allclose at import"),
    ("inherited", "the array is computed correctly from an input that is itself wrong (its own check "
     "names that input's cause)",
     "layer 1 moved by learning rate × aᵀδ of its own stored delta to 3e-16: the error is in the delta"),
    ("returned-not-stored", "backward returns something other than the delta it stores",
     "layer 2's backward returns [0.1, 0.3] but stores [0.2, -0.1]: return self.delta"),
    ("uphill", "the update raises the loss: the step is not a descent direction (measured by its cosine "
     "with the numerical gradient)",
     "the step's cosine with −∇L is −0.31 (a descent step's is 1): it goes uphill"),
    ("needs-size", "the failure shows only on networks of some size (several outputs, several hidden layers)",
     "the bug shows with several outputs and was not seen with 1 output: on [2, 1] all 16 cases passed"),
    ("left-out", "part of the space of networks was not checked, with the reason",
     "networks without a hidden layer: make([2, 1], 'tanh') raised UnboundLocalError at mynet.py:41"),
)


BACKPROP_MISTAKES = frozenset({
    "fprime-of-output", "missing-fprime", "extra-fprime", "wrong-derivative", "sign-flipped", "scaled",
    "transposed", "stale-weights", "wrong-left-activation", "wrong-upstream", "summed-outputs", "wrong-axis",
    "loss-mismatch", "regularisation", "frozen", "not-sgd-step", "learning-rate-ignored", "wrong-target",
    "in-place", "nondeterministic", "predict-not-forward", "non-finite", "input-dtype", "bias-layout",
})
"""The kinds of the mistakes hand-written networks make: names graders and tests select on (never renamed),
each of which the catalogue of code written as other people write it must show."""


@dataclass(frozen=True)
class Finding:
    """One measured reason: a kind of the vocabulary, its parameters, and the sentence stating it."""

    kind: str
    sentence: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown finding kind {self.kind!r}; the kinds are: {', '.join(KINDS)}")

    def to_json(self) -> dict[str, Any]:
        """{"kind": ..., "sentence": ..., and each parameter}, with non-finite numbers as None."""
        data: dict[str, Any] = {"kind": self.kind, "sentence": self.sentence}
        for key, value in self.params.items():
            data[key] = _plain(value)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        params = {k: v for k, v in data.items() if k not in ("kind", "sentence")}
        return cls(str(data["kind"]), str(data["sentence"]), params)


def kinds_table() -> str:
    """The vocabulary as the table in docs/battery.md (a test holds the page to it)."""
    lines = ["| kind | what it means | an example sentence |", "|---|---|---|"]
    for kind in KINDS.values():
        example = kind.example.replace("|", "\\|")
        lines.append(f"| `{kind.name}` | {kind.meaning} | {example} |")
    return "\n".join(lines)


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # a numpy scalar
        return _plain(value.item())
    return value
