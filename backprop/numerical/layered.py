"""The vectorised engine for layered networks: every weight's central difference at once.

When each layer computes A = f(aW) (verified first, on the actual input, with the
implementation's own `forward`), moving W[i, j] by h moves only z[j], by h·a[i].  So all
perturbations of a layer are pre-activation perturbations, pushed together through the
rest of the network: the perturbed unit changes the next pre-activation by a rank-one
term ΔA[j]·W_next[j, :], and from there on the perturbed copies travel as one batch.
No forward pass per weight is needed.  Where the check fails, the weights themselves
are perturbed one at a time and the implementation's `forward` is called.

A kinked activation (relu) is differentiated on the piece of each unit's unperturbed
pre-activation: a perturbation that carries a unit across 0 meets that piece's linear
extension instead of the other piece.  So several units near their kinks, moved at once
by one weight, cannot mix one-sided slopes, and the estimate is the derivative the
analytic gradient must equal.  A unit within rounding of 0 is on the piece the
implementation itself chose (its stored dZ says which).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..losses import HALF_SSE, Loss, get_loss
from .budget import Sampler, cached, central_estimate
from .comparison import ANALYTIC_ULPS
from .complex_step import DropsImaginaryPart, complex_budget
from .estimate import Estimate, Kink
from .kinks import Pieces, has_kink, one_sided_slopes, registered, side_taken
from .perturb import parameter_gradient_estimates
from .richardson import richardson_estimate
from .rowwise import rowwise_loss
from .sensitivity import Sensitivity, sensitivity
from .steps import central_step, coarsest, computed_precision, machine_epsilon, realised_step
from .validation import check_method, finite_point

CHUNK_ELEMENTS = 1 << 18
"""How many floats one batch of perturbed activations may hold (2 MB: it stays in cache)."""
ROUNDING_ULPS = 64.0
"""How many eps·√n·max(1, |a|·|W|) a computed value may be off by: the structure check's tolerance,
and the rounding band within which a pre-activation's sign is the implementation's to choose."""
DOT_ULPS = 4.0
"""How many eps of the size of its terms a pre-activation z = aW typically is off by in the
implementation's precision (what a relu output that cancels, and the gradient aᵀδ it feeds, inherit)."""


@dataclass
class Chain:
    """A network verified to compute A = f(aW) layer after layer, in float64, at one sample."""

    weights: list[NDArray]
    inputs: list[NDArray]
    z: list[NDArray]
    outputs: list[NDArray]
    functions: list[Callable[[NDArray], NDArray]]
    kinked: list[bool]
    y: NDArray
    rowloss: Callable[[NDArray, NDArray], NDArray]
    loss0: float
    sizes: Sensitivity | None = None
    pieces: list[Pieces | None] = field(default_factory=list)
    """Per layer: the piece each unit is differentiated on (None for a smooth activation)."""
    input_terms: list[NDArray] = field(default_factory=list)
    """Per layer: how large the terms of each input a are, for the analytic side's rounding (see
    compare): |a| plus, after a kinked activation, DOT_ULPS of the size of the terms of z (|a|·|W|)
    times the slope of the unit's piece (the larger slope within the rounding band).  A relu output
    that cancels to 2e-4 in float32 is only known to about 1e-8, and so is its gradient aᵀδ."""
    output_terms: NDArray | None = None
    """The same for the network's output A (what the output delta's A − y inherits)."""
    precision: np.dtype = field(default_factory=lambda: np.dtype(np.float64))
    """The coarsest precision the layers' activations compute in, read from their values (a float32
    tanh handed back as float64 rounds like float32): the steps and the rounding the chain's
    differences allow for."""

    @property
    def eps(self) -> float:
        return machine_epsilon(self.precision)

    def kinks(self, first: int, perturbed: str) -> list[Kink]:
        """The units at or after layer `first` whose side of the kink is the implementation's choice."""
        found = []
        for layer in range(first, len(self.z)):
            pieces = self.pieces[layer]
            if pieces is not None:
                found += [Kink(layer, int(j), float(self.z[layer][j]), perturbed, side=int(pieces.sides[j]))
                          for j in np.flatnonzero(pieces.ambiguous)]
        return found

    def activate(self, layer: int, z: NDArray) -> NDArray:
        """The layer's activation of a batch of pre-activations, each unit kept on its piece."""
        pieces = self.pieces[layer]
        function = self.functions[layer]
        return function(z) if pieces is None else pieces.apply(function, z)


def network_layers(network: object) -> list:
    """The network's layers, each checked to hold a 2-D real `weight` array and a `forward` method."""
    layers = getattr(network, "layers", None)
    if not isinstance(layers, (list, tuple)) or not layers:
        raise TypeError("network must have a non-empty list `layers` (the reference network's structure)")
    for i, layer in enumerate(layers):
        weight = getattr(layer, "weight", None)
        if not isinstance(weight, np.ndarray) or weight.ndim != 2 or weight.dtype.kind != "f":
            raise TypeError(f"layers[{i}].weight must be a 2-D numpy array of floats")
        if not callable(getattr(layer, "forward", None)):
            raise TypeError(f"layers[{i}] has no forward method")
        if i and layers[i - 1].weight.shape[1] != weight.shape[0]:
            raise ValueError(f"layers[{i}].weight has {weight.shape[0]} rows but layers[{i - 1}] "
                             f"has {layers[i - 1].weight.shape[1]} units")
        if not np.all(np.isfinite(weight)):
            raise ValueError(f"layers[{i}].weight holds non-finite value(s) (NaN or inf)")
    return list(layers)


def sample_and_target(layers: list, x: ArrayLike, y: ArrayLike) -> tuple[NDArray, NDArray]:
    """x (with its leading 1) and y as float arrays of the sizes the layers need."""
    x = finite_point("x", x)
    y = finite_point("y", y)
    n_in, n_out = layers[0].weight.shape[0], layers[-1].weight.shape[1]
    if x.shape != (n_in,):
        raise ValueError(f"x must be one sample of {n_in} values (its leading 1 included), "
                         f"got shape {x.shape}")
    if y.size != n_out or y.ndim > 1:
        raise ValueError(f"y must hold the {n_out} target value(s) of the sample, got shape {y.shape}")
    return x, y.reshape(n_out).astype(float)


def forward_loss(layers: list, x: NDArray, y: NDArray, loss: Loss) -> Callable[[], float]:
    """The loss through the implementation's own forward, reading the live weights each call."""

    def loss_fn() -> float:
        a = x
        for layer in layers:
            a = layer.forward(a)
        return loss.value(np.asarray(a), y)  # type: ignore[return-value]

    return loss_fn


def verify_structure(layers: list, x: NDArray, y: NDArray, loss: Loss) -> Chain | str:
    """The layers as a float64 Chain, or the reason their forward is not A = f(aW) at this sample."""
    chain = trace_layers(layers, x)
    if isinstance(chain, str):
        return chain
    chain.y, chain.rowloss = y, rowwise_loss(loss)
    chain.loss0 = float(np.real(chain.rowloss(chain.outputs[-1].copy(), y)))
    chain.sizes = sensitivity(chain.weights, chain.inputs, chain.z, chain.outputs, chain.functions, y, loss,
                              chain.loss0, chain.output_terms)
    return chain


def trace_layers(layers: list, x: NDArray) -> Chain | str:
    """The layers' forward at x, checked to be A = f(aW) and redone in float64 (or the reason it is not)."""
    a_impl: object = x
    a = x.astype(float)
    chain = Chain([], [], [], [], [], [], np.empty(0), rowwise_loss(HALF_SSE), 0.0)
    uncertain = np.zeros(a.shape)
    for i, layer in enumerate(layers):
        function = getattr(layer, "activation", None)
        if not callable(function):
            return f"layers[{i}] has no callable `activation`"
        weight = layer.weight.astype(float)
        out = np.asarray(layer.forward(a_impl))
        z = a @ weight
        computed = np.asarray(function(z))
        expected = computed.astype(float)
        if out.shape != expected.shape or out.dtype.kind != "f":
            return f"layers[{i}].forward returned shape {out.shape}, but f(aW) has shape {expected.shape}"
        terms = np.abs(a) + uncertain  # what a's rounding scales with
        size = terms @ np.abs(weight)
        # float32 arithmetic on float64 weights shows in the output's values, whatever its dtype
        eps = machine_epsilon(coarsest(out.dtype, layer.weight.dtype, computed_precision(out)))
        tolerance = ROUNDING_ULPS * eps * np.sqrt(a.size) * np.maximum(1.0, size)
        if not np.all(np.abs(out - expected) <= tolerance):
            worst = int(np.argmax(np.abs(out - expected) - tolerance))
            return (f"layers[{i}].forward gives {out.reshape(-1)[worst]:.6g} at unit {worst} "
                    f"where activation(aW) is {expected.reshape(-1)[worst]:.6g}")
        problem = _not_elementwise(function, z)
        if problem:
            return f"layers[{i}].activation {problem}"
        pieces = _pieces(layer, function, z, tolerance) if has_kink(function) else None
        if pieces is not None:  # a unit within rounding of 0 takes the value of the piece it is on
            expected = pieces.apply(function, z)
        chain.weights.append(weight)
        chain.inputs.append(a)
        chain.z.append(z)
        chain.outputs.append(expected)
        chain.functions.append(function)
        chain.kinked.append(pieces is not None)
        chain.pieces.append(pieces)
        chain.precision = coarsest(chain.precision, computed.dtype, computed_precision(computed))
        chain.input_terms.append(terms)
        # in units of the analytic side's rounding, as compare counts it
        uncertain = np.zeros(z.shape) if pieces is None else pieces.term_size(size) * DOT_ULPS / ANALYTIC_ULPS
        a_impl, a = out, expected
    chain.output_terms = np.abs(a) + uncertain
    return chain


def _pieces(layer: object, function: Callable, z: NDArray, band: NDArray) -> Pieces:
    """Each unit's piece: the side of 0 its z is on, or, within rounding of 0 (`band`), the side
    the implementation took, read from the dZ its forward stored (else the registry's f'(0))."""
    value, left, right = one_sided_slopes(function)
    ambiguous = np.abs(z) <= band
    decided = np.zeros(z.shape, int)
    if ambiguous.any():
        activation = registered(function)
        for derivative in (_stored_dz(layer, z.size),
                           None if activation is None else activation.derivative(np.zeros(1))):
            if derivative is not None:
                taken = side_taken(derivative, left, right)
                decided = np.where(ambiguous & (decided == 0), taken, decided)
    sides = np.where(decided != 0, decided, np.where(z > 0, 1, -1))
    return Pieces(value, left, right, sides, ambiguous)


def _stored_dz(layer: object, size: int) -> NDArray | None:
    """The layer's dZ after its forward, as `size` floats (None when it stores nothing of the kind)."""
    stored = getattr(layer, "dZ", None)
    if stored is None:
        return None
    try:
        dz = np.asarray(stored, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        return None
    return dz if dz.size == size else None


def _not_elementwise(function: Callable, z: NDArray) -> str:
    """Why `function` cannot be applied to a batch of perturbed pre-activations ('' when it can).

    The engine feeds it arrays of any shape and relies on unit j depending on z[j] alone. Two probes,
    so that a coupling is seen whichever way it runs: the even units raised (do the odd outputs
    move?) and the odd units lowered (do the even ones?); lowered too, since a unit may depend on
    another only past a threshold, as z − max(z) does.
    """
    probes = np.stack([z, z, z])
    probes[1, ::2] += 0.375
    probes[2, 1::2] -= 0.375
    try:
        single = np.asarray(function(z), dtype=float)
        batch = np.asarray(function(probes[:, None, :]), dtype=float)
    except Exception as error:  # any failure means: use the loop instead
        return f"fails on a batch of pre-activations ({type(error).__name__})"
    if batch.shape != (3, 1) + z.shape:
        return f"returns shape {batch.shape} for a batch of shape {(3, 1) + z.shape}"
    tolerance = 1e-12 * np.maximum(1.0, np.abs(single))
    if np.any(np.abs(batch[0, 0] - single) > tolerance):
        return "gives different values for a batch than for one sample"
    odd_moved = np.abs(batch[1, 0, 1::2] - single[1::2]) > tolerance[1::2]
    even_moved = np.abs(batch[2, 0, ::2] - single[::2]) > tolerance[::2]
    if np.any(odd_moved) or np.any(even_moved):
        return "is not elementwise (changing some units changed the others)"
    return ""


def propagate(chain: Chain, layer: int, delta_z: NDArray) -> NDArray:
    """The loss with z[layer][j] moved by delta_z[r, j], for every r and j (shape (rows, units)).

    Each element is a separate perturbation; kinked units stay on their pieces (Chain.activate).
    """
    rows, units = delta_z.shape
    active = np.flatnonzero(np.any(delta_z != 0, axis=1))
    if active.size < rows:
        # An input of 0 moves nothing: those rows keep the unperturbed loss (MNIST is mostly 0s).
        losses = np.full((rows, units), chain.loss0, dtype=np.result_type(delta_z.dtype, float))
        if active.size:
            losses[active] = propagate(chain, layer, delta_z[active])
        return losses
    widest = max(w.shape[1] for w in chain.weights[layer:])
    chunk = max(1, CHUNK_ELEMENTS // max(1, units * widest))
    dtype = np.result_type(delta_z.dtype, float)
    losses = np.empty((rows, units), dtype=dtype)
    if layer + 1 < len(chain.weights):
        scratch = np.empty((min(rows, chunk), units, chain.weights[layer + 1].shape[1]), dtype=dtype)
    for start in range(0, rows, chunk):
        stop = min(rows, start + chunk)
        change = chain.activate(layer, chain.z[layer] + delta_z[start:stop]) - chain.outputs[layer]
        if layer == len(chain.weights) - 1:
            batch = np.broadcast_to(chain.outputs[layer], (stop - start, units, units)).astype(dtype)
            batch[:, np.arange(units), np.arange(units)] += change
        else:
            # The rank-one step into the next layer, written into one scratch buffer.
            batch = np.multiply(change[..., None], chain.weights[layer + 1], out=scratch[: stop - start])
            batch += chain.z[layer + 1]
            for m in range(layer + 1, len(chain.weights)):
                batch = chain.activate(m, batch)
                if m + 1 < len(chain.weights):
                    batch = batch @ chain.weights[m + 1]
        losses[start:stop] = chain.rowloss(batch, chain.y)
    return losses


def _sampler(chain: Chain, layer: int, base: NDArray, h: NDArray, scale: NDArray) -> Sampler:
    """sample(m): losses with each element of `base` (weights or pre-activations) moved by m·h.

    A weight step s moves the pre-activation by s·scale (scale = a[i] for W[i, j], 1 for z[j]).
    Samples are cached.
    """

    def sample(m: float) -> tuple[NDArray, NDArray]:
        _, steps = realised_step(base, m * h)
        return propagate(chain, layer, steps * scale).real, steps

    return cached(sample)


def _estimate(chain: Chain, layer: int, base: NDArray, scale: NDArray, perturbed: str,
              method: str, input_terms: NDArray) -> Estimate:
    """Central (or Richardson) estimates for every element of `base`, on the kinked units' pieces.

    `input_terms` sizes the terms each element's factor `scale` is made of (see Chain.input_terms).
    """
    h = central_step(base, chain.precision)
    sample = _sampler(chain, layer, base, h, scale)
    magnitude = np.abs(base)
    sizes = chain.sizes
    size = 0.0 if sizes is None else sizes.loss_size[layer]
    terms = None if sizes is None else input_terms * sizes.term_size[layer]
    kinks = chain.kinks(layer, perturbed)
    if method == "richardson":
        estimate = richardson_estimate(sample, chain.loss0, chain.eps, magnitude=magnitude, shared_noise=True,
                                       kinks=kinks, size=size)
        return replace(estimate, term_scale=terms)
    return central_estimate(sample, chain.loss0, chain.eps, magnitude=magnitude, kinks=kinks,
                            shared_noise=True, size=size, term_scale=terms)


def _weights(chain: Chain, layer: int, method: str) -> Estimate:
    weight = chain.weights[layer]
    return _estimate(chain, layer, weight, chain.inputs[layer][:, None], f"layers[{layer}].weight", method,
                     chain.input_terms[layer][:, None])


def _preactivations(chain: Chain, layer: int, method: str = "central") -> Estimate:
    """∂L/∂z of one layer, as a (1, units) estimate."""
    ones = np.ones((1, 1))  # each unit's own term size, not unit 0's for all
    return _estimate(chain, layer, chain.z[layer][None], ones[0], f"layers[{layer}] z", method, ones)


def _complex_weights(chain: Chain, layer: int) -> Estimate:
    """The complex step on each unit of the layer (one batch), times a[i]: exact to a few ulps.

    For an infinitesimal step the loss is linear in it, so Im L(z + i·h·a[i]·e_j)/h = a[i]·∂L/∂z_j.
    """
    z = chain.z[layer]
    h = 1e-20 * np.maximum(1.0, np.abs(z))
    if not np.iscomplexobj(chain.functions[layer](z.astype(complex) + 1j * h)):
        raise DropsImaginaryPart(f"layers[{layer}].activation returns real values for complex input")
    losses = propagate(chain, layer, (1j * h)[None].astype(complex))
    if not np.iscomplexobj(losses) or not np.any(losses.imag) and np.any(chain.inputs[layer]):
        raise DropsImaginaryPart("the imaginary part is lost on the way to the loss")
    dz = losses[0].imag / h
    central = _preactivations(chain, layer)
    if np.any(np.abs(dz - central.value[0]) > 8 * central.budget[0] + complex_budget(dz, 1e-7)):
        raise DropsImaginaryPart("the complex step disagrees with central differences on ∂L/∂z")
    value = chain.inputs[layer][:, None] * dz[None, :]
    sizes = chain.sizes
    terms = None if sizes is None else chain.input_terms[layer][:, None] * sizes.term_size[layer]
    kinks = chain.kinks(layer, f"layers[{layer}].weight")
    return Estimate(value, complex_budget(value, chain.eps), "complex", kinks,
                    step=np.broadcast_to(h, value.shape), term_scale=terms)


def weight_gradient_estimates(network: object, x: ArrayLike, y: ArrayLike, loss: Loss | str = HALF_SSE, *,
                              method: str = "auto") -> list[Estimate]:
    """A numerical estimate of ∂L/∂W for every layer's weight, with its error budget.

    `x` is one sample with its leading 1, `y` its target.  method: "auto" or "central"
    (central differences, vectorised when the layers compute A = f(aW)), "complex"
    (complex step, falling back to central when the functions drop the imaginary part),
    "richardson", or "loop" (perturb each weight and call forward, whatever the structure).
    The weight arrays are left bit for bit as they were; the layers' A and dZ are overwritten.
    """
    check_method(method, ("auto", "central", "complex", "richardson", "loop"))
    layers = network_layers(network)
    x, y = sample_and_target(layers, x, y)
    loss = get_loss(loss)
    structure = "not checked (method 'loop')" if method == "loop" else verify_structure(layers, x, y, loss)
    if isinstance(structure, str):
        return _loop(layers, x, y, loss, method, structure)
    estimates = []
    for layer in range(len(layers)):
        note = ""
        if method == "complex":
            try:
                estimates.append(_complex_weights(structure, layer))
                continue
            except DropsImaginaryPart as reason:
                note = f"complex step not used: {reason}"
        estimate = _weights(structure, layer, "richardson" if method == "richardson" else "central")
        estimates.append(replace(estimate, note=note) if note else estimate)
    return estimates


def _inputs(layers: list, x: NDArray) -> list:
    """What each layer's forward is given at x: x, then each layer's output as the layer returned it."""
    inputs, a = [], x
    for layer in layers:
        inputs.append(a)
        a = layer.forward(a)
    return inputs


def _tail_loss(layers: list, start: int, a: object, y: NDArray, loss: Loss) -> Callable[[], float]:
    """The loss from layer `start` on, given what it is fed: the layers to its left do not change when
    only its weights (or those right of it) move, so they are not run again."""

    def loss_fn() -> float:
        out = a
        for layer in layers[start:]:
            out = layer.forward(out)
        return loss.value(np.asarray(out), y)  # type: ignore[return-value]

    return loss_fn


def _loop(layers: list, x: NDArray, y: NDArray, loss: Loss, method: str, reason: str) -> list[Estimate]:
    """Perturb each live weight, call the implementation's forward from that layer on, put it back."""
    chosen = "richardson" if method == "richardson" else "central"
    note = "" if method == "loop" else f"weights perturbed one at a time: forward is not A = f(aW) ({reason})"
    estimates = []
    for i, a in enumerate(_inputs(layers, x)):
        tail = _tail_loss(layers, i, a, y, loss)
        [e] = parameter_gradient_estimates(tail, [layers[i].weight], method=chosen)
        estimates.append(replace(e, method=f"{e.method} (loop)", note=note,
                                 kinks=[replace(k, where=k.where.replace("params[0]", f"layers[{i}].weight"))
                                        for k in e.kinks]))
    return estimates


def numerical_weight_gradients(network: object, x: ArrayLike, y: ArrayLike,
                               loss: Loss | str = HALF_SSE) -> list[NDArray]:
    """∂L/∂W of every layer (one array per layer, shaped like its weight) by central differences.

    `x` is one sample with its leading 1.  Only the two samples at ±h are taken (the values
    weight_gradient_estimates gives, without the ±2h samples its budgets and kink tests need),
    so this costs half as much; use weight_gradient_estimates to judge a gradient.
    """
    layers = network_layers(network)
    x, y = sample_and_target(layers, x, y)
    loss = get_loss(loss)
    chain = verify_structure(layers, x, y, loss)
    if isinstance(chain, str):
        return [e.value for e in _loop(layers, x, y, loss, "central", chain)]
    gradients = []
    for layer, weight in enumerate(chain.weights):
        h = central_step(weight, np.float64)
        _, plus = realised_step(weight, h)
        _, minus = realised_step(weight, -h)
        scale = chain.inputs[layer][:, None]
        high = propagate(chain, layer, plus * scale)
        low = propagate(chain, layer, minus * scale)
        gradients.append((high.real - low.real) / (plus - minus))
    return gradients


def preactivation_gradient_estimates(network: object, x: ArrayLike, y: ArrayLike,
                                     loss: Loss | str = HALF_SSE) -> list[Estimate]:
    """∂L/∂z of every layer (1-D, one value per unit), by perturbing the pre-activations z = aW.

    Layers without a callable `activation` have their z moved through their weights instead (see
    `_through_weights`); layers whose forward is checked and found not to be A = f(aW) give a
    ValueError saying which.
    """
    layers = network_layers(network)
    x, y = sample_and_target(layers, x, y)
    if not all(callable(getattr(layer, "activation", None)) for layer in layers):
        return _through_weights(layers, x, y, get_loss(loss))
    chain = verify_structure(layers, x, y, get_loss(loss))
    if isinstance(chain, str):
        raise ValueError(f"pre-activation gradients need layers computing A = f(aW): {chain}")
    out = []
    for layer in range(len(layers)):
        e = _preactivations(chain, layer)
        step = None if e.step is None else np.asarray(e.step)[0]
        terms = None if e.term_scale is None else e.term_scale[0]
        out.append(Estimate(e.value[0], e.budget[0], e.method, e.kinks, e.kink_mask[0], e.lower[0],
                            e.upper[0], step, e.note, terms))
    return out


class Unmovable(ValueError):
    """A layer's input is all 0 and its activation cannot be read: nothing moves its pre-activation, so
    its ∂L/∂z cannot be estimated at this input (a property of the input, not a fault of the code)."""


def _through_weights(layers: list, x: NDArray, y: NDArray, loss: Loss) -> list[Estimate]:
    """∂L/∂z of each layer when its activation cannot be read: W moved by aᵀt/‖a‖² (a the layer's
    input) moves z = aW by exactly t, so central differences in t, through the implementation's own
    forward, are ∂L/∂z, at one pair of forwards per unit."""
    estimates = []
    for i, (layer, fed) in enumerate(zip(layers, _inputs(layers, x), strict=True)):
        whole = _tail_loss(layers, i, fed, y, loss)
        a_in = np.asarray(fed, dtype=float).reshape(-1)
        norm = float(a_in @ a_in)
        if norm == 0:
            raise Unmovable(f"layers[{i}]'s input is 0, so its pre-activation cannot be moved through "
                            "its weights")
        base, direction = layer.weight.copy(), a_in / norm
        t = np.zeros(layer.weight.shape[1])

        def moved(layer: object = layer, base: NDArray = base, direction: NDArray = direction,
                  t: NDArray = t, whole: Callable[[], float] = whole) -> float:
            weight = layer.weight  # type: ignore[attr-defined]
            weight[...] = base + np.outer(direction, t)
            try:
                return whole()
            finally:
                weight[...] = base

        [estimate] = parameter_gradient_estimates(moved, [t], method="central")
        estimates.append(replace(estimate, method=f"{estimate.method} (through the weights)",
                                 note=f"layers[{i}] has no callable `activation`: z moved through W"))
    return estimates


def ambiguous_units(network: object, x: ArrayLike) -> list[NDArray]:
    """Per layer, which units' pre-activations lie within rounding of a kink (a bool array each).

    There the implementation may take either side (relu'(0) = 0 or 1, or its rounded z has the
    other sign), so its f'(z) may be either one-sided slope, and identities that compare two
    computations (a batch against single samples) may differ by a whole slope.  The estimates
    follow the side the implementation took.  `x` is one sample with its leading 1; the
    implementation's forward is called.  A ValueError when the layers do not compute A = f(aW).
    """
    layers = network_layers(network)
    x = finite_point("x", x)
    n_in = layers[0].weight.shape[0]
    if x.shape != (n_in,):
        raise ValueError(f"x must be one sample of {n_in} values (its leading 1 included), "
                         f"got shape {x.shape}")
    chain = trace_layers(layers, x)
    if isinstance(chain, str):
        raise ValueError(f"rounding bands need layers computing A = f(aW): {chain}")
    return [np.zeros(z.shape, bool) if pieces is None else pieces.ambiguous.copy()
            for z, pieces in zip(chain.z, chain.pieces)]
