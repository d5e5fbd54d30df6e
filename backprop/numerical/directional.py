"""Checks that cost a handful of loss evaluations instead of two per parameter.

Directional: ⟨g, v⟩ against (L(w + hv) − L(w − hv)) / 2h for K random ±1 directions.
Taylor remainder: r(ε) = |L(w + εv) − L(w) − ε⟨g, v⟩| falls as ε² when g is the gradient
and only as ε when it is not, so the slope of log r against log ε tells them apart.
Both use the steps the dtype really takes, so float32 parameters are judged fairly.
The directional check returns a Comparison whose elements are the directions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..losses import HALF_SSE, Loss, get_loss
from .budget import Sampler, cached, central_estimate
from .comparison import ANALYTIC_ULPS, DEFAULT_SAFETY, Comparison, compare
from .layered import forward_loss, network_layers, sample_and_target, verify_structure
from .steps import machine_epsilon
from .validation import check_callable, live_arrays, scalar_value


@dataclass(frozen=True, eq=False)
class TaylorResult:
    """Remainders r(ε) for halving ε, the slopes log2(r(ε)/r(ε/2)), and the verdict on the tail."""

    passed: bool
    slope: float
    epsilons: NDArray
    remainders: NDArray
    slopes: NDArray
    note: str = ""

    def message(self) -> str:
        verdict = "order 2: the gradient is right" if self.passed else "order 1: the gradient is wrong"
        rows = ", ".join(f"{e:.2g}: {r:.3g}" for e, r in zip(self.epsilons, self.remainders))
        return f"Taylor remainder slope {self.slope:.3g} ({verdict}). {self.note} r(eps) = {{{rows}}}".strip()


class _Shifter:
    """Moves live arrays along a direction and puts them back bit for bit."""

    def __init__(self, arrays: list[NDArray]) -> None:
        self.arrays = arrays
        self.saved = [a.copy() for a in arrays]

    def shift(self, direction: Sequence[NDArray], amount: float) -> list[NDArray]:
        """Set w = w0 + amount·v in each array's dtype; return the realised steps (float64)."""
        steps = []
        for array, saved, v in zip(self.arrays, self.saved, direction):
            array[...] = (saved.astype(float) + amount * v).astype(array.dtype)
            steps.append(array.astype(float) - saved.astype(float))
        return steps

    def restore(self) -> None:
        for array, saved in zip(self.arrays, self.saved):
            np.copyto(array, saved)


def _inputs(loss_fn: Callable[[], float], params: list[NDArray], gradients: Sequence[NDArray]
            ) -> tuple[list[NDArray], list[NDArray], float, float]:
    check_callable("loss_fn", loss_fn)
    arrays = live_arrays(params)
    if len(gradients) != len(arrays):
        raise ValueError(f"{len(gradients)} gradient array(s) for {len(arrays)} parameter array(s)")
    grads = []
    for i, (g, p) in enumerate(zip(gradients, arrays)):
        g = np.asarray(g)
        if g.shape != p.shape:
            raise ValueError(f"gradients[{i}] has shape {g.shape} but params[{i}] has {p.shape}")
        if not np.all(np.isfinite(g)):
            raise ValueError(f"gradients[{i}] holds non-finite value(s) (NaN or inf)")
        grads.append(g)
    eps_f = max(machine_epsilon(p.dtype) for p in arrays)
    eps_a = max(machine_epsilon(g.dtype) for g in grads)
    return arrays, grads, eps_f, eps_a


def _dot(grads: list[NDArray], steps: list[NDArray]) -> tuple[float, float]:
    """⟨g, s⟩ and Σ|g·s| (the size of its rounding)."""
    products = [g.astype(float) * s for g, s in zip(grads, steps)]
    return float(sum(p.sum() for p in products)), float(sum(np.abs(p).sum() for p in products))


def _directions(rng: np.random.Generator, arrays: Sequence[NDArray], count: int) -> list[NDArray]:
    """count random ±1 directions, one (count, *shape) array per parameter array."""
    return [rng.choice([-1.0, 1.0], size=(count,) + a.shape) for a in arrays]


def _along(loss_fn: Callable[[], float], shifter: _Shifter, grads: list[NDArray], directions: list[NDArray],
           h: float) -> Sampler:
    """sample(m): the loss at w + m·h·v_k for each direction k, corrected to the intended step.

    Arrays in float32 cannot hold w + m·h·v exactly; the first-order correction
    ⟨g, m·h·v − realised step⟩ puts each value back on the intended line.
    """

    def sample(m: float) -> tuple[NDArray, NDArray]:
        values = np.empty(len(directions[0]))
        for k in range(values.size):
            v = [d[k] for d in directions]
            steps = shifter.shift(v, m * h)
            try:
                value = scalar_value("loss_fn", loss_fn())
            finally:
                shifter.restore()
            intended = [m * h * vi for vi in v]
            values[k] = value + _dot(grads, [i - s for i, s in zip(intended, steps)])[0]
        return values, np.full(values.size, m * h)

    return sample


def directional_check(loss_fn: Callable[[], float], params: list[NDArray], gradients: Sequence[NDArray], *,
                      directions: int = 8, seed: int = 0, safety: float = DEFAULT_SAFETY) -> Comparison:
    """Compare ⟨g, v⟩ with central differences along `directions` random ±1 directions v.

    Costs 4·directions + 1 loss evaluations, whatever the number of parameters.  The
    Comparison's elements are the directions.
    """
    _check_directions(directions)
    arrays, grads, eps_f, eps_a = _inputs(loss_fn, params, gradients)
    vs = _directions(np.random.default_rng(seed), arrays, directions)
    h = float(np.cbrt(eps_f) * max(1.0, max(float(np.abs(p).max(initial=0.0)) for p in arrays)))
    f0 = scalar_value("loss_fn", loss_fn())
    sample = _along(loss_fn, _Shifter(arrays), grads, vs, h)
    estimate = central_estimate(sample, f0, eps_f, shared_noise=True)
    return compare(_projections(grads, vs, eps_a), estimate, safety=safety)


def _check_directions(directions: int) -> None:
    if not isinstance(directions, int) or isinstance(directions, bool) or directions < 1:
        raise ValueError(f"directions must be a positive integer, not {directions!r}")


def _projections(grads: Sequence[NDArray], directions: list[NDArray], eps_a: float) -> NDArray:
    """⟨g, v_k⟩ for each direction k, in the analytic dtype (so compare allows for its rounding)."""
    total = sum(np.tensordot(d, np.asarray(g, float), axes=g.ndim) for g, d in zip(grads, directions))
    dtype = np.float32 if eps_a > machine_epsilon(np.float64) else np.float64
    return np.asarray(total).astype(dtype)


def network_directional_check(network: object, x: ArrayLike, y: ArrayLike, gradients: Sequence[NDArray],
                              loss: Loss | str = HALF_SSE, *, directions: int = 8, seed: int = 0,
                              safety: float = DEFAULT_SAFETY) -> Comparison:
    """directional_check for a layered network, all directions and steps in one batched pass.

    When the layers compute A = f(aW), the 4·directions perturbed networks run as one batch
    (a·(W + m·h·V_k) for every k at once); otherwise the loss is evaluated direction by
    direction through the implementation's forward.  relu units stay on the piece of their
    pre-activation (or, within rounding of the kink, on the side the implementation took).
    """
    _check_directions(directions)
    layers = network_layers(network)
    x, y = sample_and_target(layers, x, y)
    loss = get_loss(loss)
    weights = [layer.weight for layer in layers]
    chain = verify_structure(layers, x, y, loss)
    if isinstance(chain, str):
        return directional_check(forward_loss(layers, x, y, loss), weights, gradients, directions=directions,
                                 seed=seed, safety=safety)
    _, grads, _, eps_a = _inputs(lambda: 0.0, weights, gradients)
    vs = _directions(np.random.default_rng(seed), weights, directions)
    h = float(np.cbrt(chain.eps) * max(1.0, max(float(np.abs(w).max()) for w in weights)))

    def sample(m: float) -> tuple[NDArray, NDArray]:
        a = np.broadcast_to(chain.inputs[0], (directions, x.size))
        for layer, (w, v) in enumerate(zip(chain.weights, vs)):
            a = chain.activate(layer, a @ w + m * h * np.einsum("ki,kij->kj", a, v))
        return chain.rowloss(np.array(a), chain.y), np.full(directions, m * h)

    size = 0.0 if chain.sizes is None else chain.sizes.loss_size[0]
    estimate = central_estimate(cached(sample), chain.loss0, chain.eps,
                                kinks=chain.kinks(0, "the weights"), shared_noise=True, size=size)
    return compare(_projections(grads, vs, eps_a), estimate, safety=safety)


TAYLOR_NOISE_MARGIN = 1000.0
"""How far above 64·eps·|L| a remainder must be to count: a loss whose sums cancel rounds like
its terms, and a slope taken in rounding noise is meaningless."""
TAYLOR_PASS_SLOPE = 1.5
"""Slopes above this pass (a right gradient gives 2, or 3 where the curvature along v vanishes)."""


def taylor_test(loss_fn: Callable[[], float], params: list[NDArray], gradients: Sequence[NDArray], *,
                direction: Sequence[NDArray] | None = None, seed: int = 0, epsilon: float | None = None,
                halvings: int = 30) -> TaylorResult:
    """The slope of the first-order Taylor remainder as ε halves: near 2 passes, near 1 fails.

    Costs halvings + 2 loss evaluations.  Remainders lost in rounding are left out of the slope,
    which is taken on the smallest ε still above rounding: a small gradient error only
    dominates the quadratic term once ε is below (error along v) / (curvature along v).
    """
    if not isinstance(halvings, int) or halvings < 3:
        raise ValueError(f"halvings must be an integer of at least 3, not {halvings!r}")
    arrays, grads, eps_f, eps_a = _inputs(loss_fn, params, gradients)
    if direction is None:
        rng = np.random.default_rng(seed)
        direction = [rng.choice([-1.0, 1.0], size=p.shape) for p in arrays]
    if len(direction) != len(arrays) or any(np.shape(v) != p.shape for v, p in zip(direction, arrays)):
        raise ValueError("direction must hold one array shaped like each parameter array")
    count = max(1, sum(p.size for p in arrays))
    rms = np.sqrt(sum(float(np.sum(p.astype(float) ** 2)) for p in arrays) / count)
    first = epsilon if epsilon is not None else 2.0 ** -4 * max(1.0, rms)
    if not (np.isfinite(first) and first > 0):
        raise ValueError(f"epsilon must be a positive finite number, not {epsilon!r}")
    epsilons = first * 2.0 ** -np.arange(halvings + 1)
    shifter = _Shifter(arrays)
    f0 = scalar_value("loss_fn", loss_fn())
    remainders, noise = np.empty(epsilons.size), np.empty(epsilons.size)
    try:
        for k, eps in enumerate(epsilons):
            steps = shifter.shift([np.asarray(v, float) for v in direction], float(eps))
            value = scalar_value("loss_fn", loss_fn())
            dot, size = _dot(grads, steps)
            remainders[k] = abs(value - f0 - dot)
            noise[k] = 64 * eps_f * (abs(value) + abs(f0)) + ANALYTIC_ULPS * eps_a * size
    finally:
        shifter.restore()
    with np.errstate(divide="ignore", invalid="ignore"):
        slopes = np.log2(remainders[:-1] / remainders[1:])
    above = remainders > TAYLOR_NOISE_MARGIN * noise
    valid = above[:-1] & above[1:]
    usable = slopes[valid]
    if usable.size == 0:
        linear = bool(np.all(remainders <= TAYLOR_NOISE_MARGIN * noise))
        note = ("the remainder stays within rounding: the loss is linear along v and the gradient matches"
                if linear else "no two remainders rise above rounding; choose a larger epsilon")
        return TaylorResult(linear, float("nan"), epsilons, remainders, slopes, note)
    slope = float(np.median(usable[-3:]))
    return TaylorResult(slope > TAYLOR_PASS_SLOPE, slope, epsilons, remainders, slopes)
