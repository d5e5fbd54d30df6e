"""Every check's facts, in one place: its id, where its code lives, what it needs of a network, which
failures it can follow from, and what it verifies under each protocol.

The battery's order (causal order: the activation's derivative, dZ, the deltas, the gradient, the
update, fit...), the id list, the skip reasons, the report's "this can follow from" and the table
of checks in docs/battery.md are all derived from `REGISTRY`.  This module imports nothing heavy,
so that `backprop.battery.CHECK_IDS` costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LAYER_LEVEL = "layer-level"
MODEL_LEVEL = "model-level"
PROTOCOLS = (LAYER_LEVEL, MODEL_LEVEL)


@dataclass(frozen=True)
class Use:
    """What a check does under one protocol, and what the network must offer for it to run there."""

    verifies: str
    needs: frozenset[str] = frozenset()
    """Optional parts of the protocol (fit, predict, step, deltas, batch, ...) the check cannot do without."""
    needs_one_of: frozenset[str] = frozenset()
    """Parts of which the check needs at least one (a gradient: from `gradients`, or derived from `step`)."""


@dataclass(frozen=True)
class CheckSpec:
    """One check: its stable id, the module and function that run it, and its facts."""

    id: str
    function: str
    """'module:function' inside backprop.battery.checks."""
    verifies: str
    """One line for the docs table: what the check verifies."""
    uses: dict[str, Use] = field(default_factory=dict)
    """Per protocol, what it does there; a protocol missing here is one the check does not apply to."""
    not_applicable: dict[str, str] = field(default_factory=dict)
    """Per protocol the check does not apply to, the reason a report gives."""
    follows_from: tuple[str, ...] = ()
    """The checks whose failure can make this one fail too (so the report names the first cause)."""


_CHAIN: list[str] = []

_READS_DELTA = "reads `weight`; calls `forward`, `backward` (its stored `delta`, or what it returns)"


def _spec(
    id: str,
    function: str,
    verifies: str,
    layer: Use | None,
    model: Use | str,
    follows: tuple[str, ...] | None = None,
    chain: bool = True,
) -> CheckSpec:
    """A spec; by default it follows from every check of the gradient chain before it."""
    uses = {LAYER_LEVEL: layer} if layer is not None else {}
    not_applicable = {}
    if isinstance(model, Use):
        uses[MODEL_LEVEL] = model
    else:
        not_applicable[MODEL_LEVEL] = model
    spec = CheckSpec(id, function, verifies, uses, not_applicable,
                     tuple(_CHAIN) if follows is None else follows)
    if chain:
        _CHAIN.append(id)
    return spec


REGISTRY: tuple[CheckSpec, ...] = (
    _spec("activation-derivative", "activation:activation_derivative",
          "each layer's `activation_prime(z)` against a Richardson-extrapolated difference of its "
          "`activation(z)`, at the case's z and at ±0.1…±12; both are finite (no NaN, no inf) at z = ±10, "
          "±20, …, ±1000",
          Use("reads each layer's `activation` and `activation_prime` (skipped without them)",
              frozenset({"activation", "activation_prime"})),
          "the model-level protocol does not expose the activation function"),
    _spec("dz-is-fprime-of-z", "activation:dz_is_fprime_of_z",
          "`dZ` stored by `forward` equals f'(z) of the declared activation (within rounding of relu's "
          "kink, either one-sided slope); says so when it equals f'(A)",
          Use("reads `weight`, `forward` and the `dZ` it stores (skipped if no `dZ` is stored)"),
          "the model-level protocol does not expose dZ"),
    _spec("output-delta", "deltas:output_delta",
          "the output layer's stored `delta` against the numerical ∂L/∂z",
          Use(_READS_DELTA),
          Use("via `deltas(x, y)` against ∂L/∂b of each layer's bias", frozenset({"deltas"}))),
    _spec("hidden-delta", "deltas:hidden_delta",
          "every hidden layer's `delta` against ∂L/∂z (cases without a hidden layer pass vacuously)",
          Use(_READS_DELTA), Use("same", frozenset({"deltas"}))),
    _spec("weight-gradient", "gradients:weight_gradient",
          "aᵀδ of every layer (a = the input the layer saw) against the numerical ∂L/∂W",
          Use(_READS_DELTA),
          Use("`gradients(x, y)` against ∂L/∂p (without `gradients`: (W_before − W_after)/lr of `step` at "
              "two learning rates, which must agree)", needs_one_of=frozenset({"gradients", "step"}))),
    _spec("update-is-sgd-step", "gradients:update_is_sgd_step",
          "forward, backward (right to left) then update (left to right) moves W by exactly −lr × the "
          "numerical gradient at the pre-update weights",
          Use("reads `weight`; calls `forward`, `backward`, `update`"),
          Use("`step(x, y, lr)`", frozenset({"step"}))),
    _spec("fit-one-sample", "fit:fit_one_sample",
          "`fit(X, y, lr, epochs=1)` on one row equals one SGD step (whatever the fit's scheme); on a row "
          "given as integer arrays (X and y, as XOR is written) it moves the weights as on their floats",
          Use("calls `fit` (skipped without it); reads `weight`", frozenset({"fit"})),
          "the model-level protocol has no fit (update-is-sgd-step checks step)"),
    _spec("fit-two-samples", "fit:fit_two_samples",
          "fit trains by a known scheme (probed on 2 and 4 distinct rows, or declared): one random "
          "sample per epoch, every sample, the full batch or mini-batches, summed or averaged; and on two "
          "identical rows for 2 epochs, the second epoch is that scheme's step from where the first landed",
          Use("calls `fit` (skipped without it); reads `weight`", frozenset({"fit"})),
          "the model-level protocol has no fit (update-is-sgd-step checks step)"),
    _spec("predict-is-forward", "identities:predict_is_forward",
          "`predict(x)` is the forward pass of x alone: it equals a chain of `forward` calls on x with its "
          "constant 1 (first or last, as detected or declared) right after a forward pass on another "
          "sample; x as an integer array gives what its floats give; where the activation is not "
          "exposed, predict is finite with every weight so large that the first layer's z reaches ±1000",
          Use("calls `forward`, then `predict` (skipped without it); without `activation` and "
              "`activation_prime`, predict at large weights", frozenset({"predict"})),
          Use("`predict(x)` is unchanged by `gradients` (or `step`, undone) on another sample; integer x; "
              "large parameters; `loss(x, y)`, when offered, equals the declared loss of `predict(x)`",
              frozenset({"predict"})),
          follows=(), chain=False),
    _spec("batch-is-sum", "identities:batch_is_sum",
          "forward/backward/update on a batch of 2 rows moves W by the sum of the two one-sample moves (not "
          "demanded of a case with a z within rounding of relu's kink)",
          Use("calls `forward`, `backward`, `update` on 2 rows (skipped when they reject a batch)",
              frozenset({"batch"})),
          Use("`gradients(X, Y)` and `step(X, Y, lr)` on 3 rows are the sum (or, with "
              "`reduction = \"mean\"`, the mean) of the per-sample results (needs rows)",
              frozenset({"rows"})),
          follows=("activation-derivative", "weight-gradient", "update-is-sgd-step"), chain=False),
    _spec("inputs-unmodified", "hygiene:inputs_unmodified",
          "no call writes into the arrays it is given (forward, backward, predict, fit; loss, gradients, "
          "step, deltas, predict)",
          Use("calls `forward`, `backward`, and `predict`, `fit` when offered"), Use("✓"), follows=(),
          chain=False),
    _spec("deterministic", "hygiene:deterministic",
          "the same call twice in a row gives the same answer (no dropout left on), and `np.random.seed(s)` "
          "then `make` (and `fit`) twice gives bit-identical weights",
          Use("calls `forward` twice; reads `weight`; calls `fit` when offered"),
          Use("✓ (`gradients` or `predict` twice; with `step`)"), follows=(), chain=False),
    _spec("descent", "descent:descent",
          "a step with learning rate 1e-2, 1e-3 or 1e-4 lowers the loss (unless the gradient is too small to "
          "move it); with relu, only steps that keep every unit on its side of the kink count, and smaller "
          "ones are tried",
          Use("reads `weight`; calls `forward`, `backward`, `update`"), Use("✓"),
          follows=("activation-derivative", "dz-is-fprime-of-z", "output-delta", "hidden-delta",
                   "weight-gradient", "update-is-sgd-step"), chain=False),
)

BY_ID: dict[str, CheckSpec] = {spec.id: spec for spec in REGISTRY}
CHECK_IDS: tuple[str, ...] = tuple(spec.id for spec in REGISTRY)

NEEDS_SENTENCES: dict[str, str] = {
    "fit": "the network offers no fit(X, y, learning_rate, epochs)",
    "predict": "the network offers no predict(x)",
    "deltas": "the model offers no deltas(x, y), so its ∂L/∂z cannot be read",
    "step": "the model offers no step(x, y, learning_rate)",
    "gradients": "the model offers no gradients(x, y)",
    "loss": "the model offers no loss(x, y) to compare with the declared loss of predict(x)",
    "rows": "the model's gradients(x, y) and step(x, y, learning_rate) take one sample at a time (a batch "
             "of 2 rows was refused or changed the parameters' shapes)",
    "activation": "the layers have no `activation` attribute, so the activation cannot be evaluated",
    "activation_prime": "the layers have no `activation_prime` attribute, so the derivative cannot be read",
    "batch": "the layers were not tried on a batch",
}
"""Why a check is skipped when the network lacks what it needs."""


def skip_reason(
    check_id: str, protocol: str, offers: frozenset[str], why: dict[str, str] | None = None
) -> str | None:
    """Why a check does not apply to this protocol (or this network), or None when it does; `why` gives
    the probe's sentence for a missing part (e.g. "forward rejects a batch of 2 rows: ...")."""
    spec = BY_ID[check_id]
    if protocol in spec.not_applicable:
        return spec.not_applicable[protocol]
    use = spec.uses.get(protocol)
    if use is None:
        return f"{check_id} does not apply to the {protocol} protocol"
    missing = sorted(use.needs - offers)
    if missing:
        found = (why or {}).get(missing[0])
        return found or NEEDS_SENTENCES.get(missing[0], f"the network offers no {missing[0]}")
    if use.needs_one_of and not use.needs_one_of & offers:
        return "the network offers none of " + ", ".join(sorted(use.needs_one_of))
    return None


def can_follow(earlier: str, later: str) -> bool:
    """Whether a failure of `earlier` can make `later` fail too."""
    return earlier in BY_ID[later].follows_from


def docs_table() -> str:
    """The table of checks in docs/battery.md (a test holds the page to it)."""
    lines = ["| id | what it verifies | layer-level | model-level |", "|---|---|---|---|"]
    for spec in REGISTRY:
        cells = []
        for protocol in PROTOCOLS:
            use = spec.uses.get(protocol)
            cells.append(use.verifies if use else "skipped" + _why(spec.not_applicable.get(protocol, "")))
        lines.append(f"| `{spec.id}` | {spec.verifies} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)


def _why(reason: str) -> str:
    short = {
        "the model-level protocol does not expose the activation function": " (not exposed)",
    }
    return short.get(reason, "")
