"""A layer-level target's conventions, found once a battery run by probing it in one worker: whether
its layers take a batch, where its constant 1 of the bias goes, and how its `fit` trains.

Each is measured on a small fixed probe network with the target's own calls, so that what the checks
then demand is what the code was written to do: a per-sample implementation is not asked for a batch,
a bias-last one is given [x, 1], a full-batch fit is judged as a full batch.  A declared convention
wins over a detected one, except the fit scheme, which is still observed: a declared scheme that fit
does not follow is a failure (reported by fit-two-samples).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

from ..findings import Finding
from ..losses import Loss
from ..subject import Subject, SubjectEnded
from .cases import Case, make_case
from .checks.common import prepare, weight_estimates
from .profile import ProbeFailure, Profile
from .protocols import PROBE_LAYERS, LayerNetwork, PluginError, as_array, call
from .registry import LAYER_LEVEL
from .schemes import CANDIDATES, Path, Scheme, describe_path, epoch_paths, parse_scheme, weight_of

PROBE_SEED = 20_240_601
"""The probe network's weights and rows (fixed, so every run probes the same thing)."""

PROBE_ROWS = (2, 4)
"""fit is run for one epoch on the first 2, then all 4, distinct probe rows."""

TOLERANCE = 1e-5
"""How closely, relative to the size of the move, a fit must land where a scheme's path does.  The
schemes differ by far more: a mean from a sum by a factor, sequential steps from one summed step by
lr × the change of the gradient, a few percent of the move at the probe's learning rate."""

Weights = list[NDArray]


def probe_in_worker(
    subject: Subject,
    profile: Profile,
    loss: Loss,
    timeout: float,
    bias: str | None = None,
    scheme: str | None = None,
    layers: Sequence[int] = PROBE_LAYERS,
    activation: str = "tanh",
) -> Profile:
    """`probe` in a fresh worker of the subject, on a network it builds; a worker that dies or hangs,
    or a probe the implementation breaks, leaves the profile as declared, with a note saying so."""
    if profile.protocol != LAYER_LEVEL:
        return profile
    try:
        worker = subject.worker(timeout)
    except SubjectEnded as error:
        return profile.but(bias=bias or profile.bias, scheme=scheme,
                           notes=(*profile.notes, f"conventions not probed ({_unstop(str(error))})"))
    try:
        return probe(worker, profile, loss, bias, scheme, layers, activation)
    except (SubjectEnded, PluginError) as error:  # the checks will meet the same and say so
        reason = _unstop(str(error))
    except Exception as error:  # noqa: BLE001 (what the implementation returned broke a comparison)
        reason = f"{type(error).__name__}: {_unstop(str(error))}"
    finally:
        worker.close()
    return profile.but(bias=bias or profile.bias, scheme=scheme,
                       notes=(*profile.notes, f"conventions not probed ({reason})"))


def probe(
    worker: object, profile: Profile, loss: Loss, bias: str | None = None, scheme: str | None = None,
    layers: Sequence[int] = PROBE_LAYERS, activation: str = "tanh",
) -> Profile:
    """The profile with what probing found on make(layers, activation): "batch" offered (or why not),
    the bias position and the layouts predict and fit use, and the fit's scheme (or why none)."""
    case = make_case(layers, activation, 0.1, 1.0, PROBE_SEED, loss)
    X, Y = probe_rows(case, loss, max(PROBE_ROWS))
    offers, missing = set(profile.offers), dict(profile.missing)
    problem = batch_problem(worker, case, profile, X[:2], Y[:2])
    if problem is None:
        offers.add("batch")
    else:
        missing["batch"] = problem
    layouts = find_layouts(worker, case, profile, loss)
    position, source = _position(layouts, bias)
    notes = list(profile.notes)
    notes.append(f"bias: the constant 1 goes {position} ({source})")
    if problem:
        notes.append(f"batches: {problem}")
    profile = profile.but(offers=frozenset(offers), missing=tuple(missing.items()), bias=position,
                          layouts=tuple(layouts.items()))
    if "fit" in profile.offers:  # judged in the layout fit was seen to use, whatever was declared
        as_fit = profile.but(bias=layouts.get("fit", position))
        observed, failure, note = fit_scheme(worker, case, as_fit, loss, X, Y, scheme)
        profile = profile.but(scheme=observed, scheme_failure=failure)
        notes.append(note)
    return profile.but(notes=tuple(notes))


def probe_rows(case: Case, loss: Loss, count: int) -> tuple[NDArray, NDArray]:
    """`count` distinct rows with distinct targets (one-hot ones take turns for softmax)."""
    xs, ys = case.extra_samples(loss, count)
    if loss.name == "softmax_ce":
        ys = np.eye(case.n_outputs)[np.arange(count) % case.n_outputs]
    return xs, ys


# --------------------------------------------------------------------------- a batch


def batch_problem(worker: object, case: Case, profile: Profile, X: NDArray, Y: NDArray) -> str | None:
    """Why forward, backward or update cannot take a batch of rows, or None when they can."""
    net = _network(worker, case, profile)
    stage = "forward"
    try:
        seen = net.forward(net.with_one(X))
        stage = "backward"
        net.backward(Y, batch=len(X))
        stage = "update"
        net.update(case.learning_rate, seen)
    except PluginError as error:
        return f"{stage} rejects a batch of {len(X)} rows ({_unstop(str(error))})"
    return None


def _unstop(text: str) -> str:
    return text.strip().rstrip(".")


# --------------------------------------------------------------------------- the bias position


def with_one_at(x: NDArray, position: str) -> NDArray:
    return Profile(bias=position).with_one(x)


def find_layouts(worker: object, case: Case, profile: Profile, loss: Loss) -> dict[str, str]:
    """Where predict and fit each put the constant 1, for those that tell: predict(x) against forward
    on [1, x] and on [x, 1], and one epoch of fit on one row against one step on each."""
    found: dict[str, str] = {}
    net = _network(worker, case, profile)
    start = net.copy_weights()
    if "predict" in profile.offers:
        try:
            prediction = as_array("predict(x)", call("predict(x)", net.network.predict, case.x.copy()))
            outputs = {p: net.forward(with_one_at(case.x, p))[-1] for p in ("first", "last")}
            told = _one_of({p: _close(prediction.ravel(), out.ravel()) for p, out in outputs.items()})
        except PluginError:
            told = None
        if told:
            found["predict"] = told
    if "fit" in profile.offers:
        try:
            net.set_weights(start)
            call("fit(X, y, learning_rate, epochs=1)", net.network.fit, case.x[None, :].copy(),
                 case.y[None, :].copy(), case.learning_rate, 1)
            fitted = net.copy_weights()
            steps = {}
            for position in ("first", "last"):
                net.set_weights(start)
                steps[position] = layer_step(net, start, with_one_at(case.x, position), case.y,
                                             case.learning_rate)
            told = _one_of({p: _lands(fitted, step, start) for p, step in steps.items()})
        except PluginError:
            told = None
        if told:
            found["fit"] = told
    return found


def _one_of(agreeing: dict[str, bool]) -> str | None:
    hits = [key for key, agrees in agreeing.items() if agrees]
    return hits[0] if len(hits) == 1 else None


def _position(layouts: dict[str, str], declared: str | None) -> tuple[str, str]:
    """(position, how it is known): declared, else fit's (what the layers train with), else predict's."""
    if declared:
        return declared, "declared"
    if "fit" in layouts:
        agree = layouts.get("predict") == layouts["fit"]
        return layouts["fit"], "detected from fit" + (" and predict" if agree else "")
    if "predict" in layouts:
        return layouts["predict"], "detected from predict"
    return "first", "the article's; neither fit nor predict showed where"


# --------------------------------------------------------------------------- the fit's scheme


def layer_step(net: LayerNetwork, weights: Weights, x1: NDArray, y: NDArray, lr: float) -> Weights:
    """The weights after one forward, backward, update on one row, from `weights`."""
    net.set_weights(weights)
    seen = net.forward(x1)
    net.backward(y)
    net.update(lr, seen)
    return net.copy_weights()


class Paths:
    """Where each path of an epoch lands from the start weights, each row's gradient taken from a
    source (the layers' own step, or the numerical gradient), memoised by the path's prefix."""

    def __init__(self, gradient: Callable[[Weights, int], Weights], start: Weights, lr: float) -> None:
        self.gradient, self.start, self.lr = gradient, start, lr
        self._landed: dict[tuple, Weights] = {(): start}
        self._gradients: dict[tuple, Weights] = {}

    def landing(self, scheme: Scheme, path: Path) -> Weights:
        key: tuple = ()
        weights = self.start
        for batch in path:
            prefix, key = key, (*key, (batch, weight_of(scheme, batch)))
            if key not in self._landed:
                move = [np.zeros_like(w) for w in weights]
                for row in batch:
                    if (prefix, row) not in self._gradients:
                        self._gradients[(prefix, row)] = self.gradient(weights, row)
                    move = [m + weight_of(scheme, batch) * g
                            for m, g in zip(move, self._gradients[(prefix, row)], strict=True)]
                self._landed[key] = [w - self.lr * m for w, m in zip(weights, move, strict=True)]
            weights = self._landed[key]
        return weights


def fit_scheme(
    worker: object, case: Case, profile: Profile, loss: Loss, X: NDArray, Y: NDArray,
    declared: str | None = None,
) -> tuple[str | None, ProbeFailure | None, str]:
    """(the scheme fit trains by, or None; the failure to report, if any; the report's line)."""
    net = _network(worker, case, profile)
    start, lr = net.copy_weights(), case.learning_rate
    fitted: dict[int, Weights] = {}
    try:
        for n in PROBE_ROWS:
            net.set_weights(start)
            worker.request("seed", PROBE_SEED)  # type: ignore[attr-defined]
            call("fit(X, y, learning_rate, epochs=1)", net.network.fit, X[:n].copy(), Y[:n].copy(), lr, 1)
            fitted[n] = net.copy_weights()
    except PluginError as error:
        scheme = declared
        return scheme, None, f"fit: not characterised ({_unstop(str(error))})" + _declared(declared)

    def source(targets: NDArray, numerical: bool) -> Paths:
        def gradient(weights: Weights, row: int) -> Weights:
            x1 = net.with_one(X[row])
            if numerical:
                net.set_weights(weights)
                return [e.value for e in weight_estimates(net, x1, targets[row], loss)]
            stepped = layer_step(net, weights, x1, targets[row], lr)
            return [(w - s) / lr for w, s in zip(weights, stepped, strict=True)]

        return Paths(gradient, start, lr)

    sources = [source(Y, False), source(Y, True)]
    observed = next((name for paths in sources for name in CANDIDATES if _follows(name, paths, fitted)), None)
    where = f"on {PROBE_ROWS[0]} and {PROBE_ROWS[1]} distinct rows"
    if declared is not None:
        if observed is not None and not any(_follows(declared, paths, fitted) for paths in sources):
            wanted, seen = parse_scheme(declared), parse_scheme(observed)
            summary = (f"fit was declared to train by {declared} ({wanted.describe()}), but it trains by "
                       f"{observed} ({seen.describe()}) {where}")
            failure = ProbeFailure(summary, findings=(Finding("fit-scheme", summary,
                                                              {"declared": declared, "observed": observed}),))
            return observed, failure, f"fit: {seen.describe()} (observed {where}; {declared} was declared)"
        if observed is not None:
            described = parse_scheme(declared).describe()
            return declared, None, f"fit: {described} ({declared}, declared, and observed {where})"
    if observed is not None:
        return observed, None, f"fit: {parse_scheme(observed).describe()} ({observed}, observed {where})"
    failure = _no_scheme(Y, start, fitted, sources[0], source)
    return declared, failure, "fit: no known scheme (see fit-two-samples)"


def _declared(declared: str | None) -> str:
    return f"; {declared} declared" if declared else ""


def _follows(name: str, paths: Paths, fitted: dict[int, Weights]) -> bool:
    """Whether one epoch of fit on each probe row count landed where a path of the scheme does."""
    scheme = parse_scheme(name)
    return all(
        any(_lands(fitted[n], paths.landing(scheme, path), paths.start) for path in epoch_paths(scheme, n))
        for n in PROBE_ROWS
    )


def _no_scheme(
    Y: NDArray, start: Weights, fitted: dict[int, Weights], layers: Paths,
    source: Callable[[NDArray, bool], Paths],
) -> ProbeFailure:
    """The evidence that fit follows no scheme: how far it landed from the nearest path on the row count
    where it is farthest from every scheme (or, when each epoch follows a scheme, that no one scheme
    follows both), and whether it is a known scheme trained on the first row's target (wrong-target)."""
    nearest = {rows: _nearest(fitted[rows], rows, layers) for rows in PROBE_ROWS}
    n = max(PROBE_ROWS, key=lambda rows: nearest[rows][0])
    gap, name, path = nearest[n]
    moved = _size([s - f for s, f in zip(start, fitted[n], strict=True)]) / layers.lr
    if all(_lands(fitted[rows], layers.landing(parse_scheme(nearest[rows][1]), nearest[rows][2]), start)
           for rows in PROBE_ROWS):
        (few, (_, first, first_path)), (many, (_, second, second_path)) = nearest.items()
        summary = (f"one epoch of fit moved the weights as {first} does on {few} distinct rows "
                   f"({describe_path(parse_scheme(first), first_path)}) and as {second} does on {many} "
                   f"({describe_path(parse_scheme(second), second_path)}): no one training scheme does both")
        params: dict[str, object] = {"schemes": [first, second], "rows": list(PROBE_ROWS)}
    else:
        summary = (f"one epoch of fit on {n} distinct rows moved the weights as no training scheme does "
                   f"(the nearest is {name}, {describe_path(parse_scheme(name), path)}, {gap:.0%} of the "
                   "move away)")
        params = {"nearest": name, "gap": gap, "rows": n}
    details = (f"fit(X, y, learning_rate, epochs=1) on {n} rows moved the weights by {moved:.4g} (÷ learning "
               f"rate, largest element); the schemes tried: {', '.join(CANDIDATES)}")
    first_target = np.repeat(Y[:1], len(Y), axis=0)
    for numerical in (False, True):
        wrong = source(first_target, numerical)
        matched = next((c for c in CANDIDATES if _follows(c, wrong, fitted)), None)
        if matched is not None:
            sentence = (f"fit moved the weights as {matched} does with the first row's target for every row "
                        f"(on {PROBE_ROWS[0]} and {PROBE_ROWS[1]} distinct rows): each row must be trained "
                        "on its own target y[i]")
            return ProbeFailure(summary, details,
                                (Finding("wrong-target", sentence, {"scheme": matched}),))
    return ProbeFailure(summary, details, (Finding("fit-scheme", summary, params),))


def _nearest(observed: Weights, rows: int, layers: Paths) -> tuple[float, str, Path]:
    """(gap, scheme, path): the path of one epoch on `rows` rows that lands nearest where fit did."""
    return min(
        ((_gap(observed, layers.landing(parse_scheme(name), path), layers.start), name, path)
         for name in CANDIDATES for path in epoch_paths(parse_scheme(name), rows)),
        key=lambda item: item[0],
    )


# --------------------------------------------------------------------------- comparing weights


def _size(arrays: Sequence[NDArray]) -> float:
    return max((float(np.max(np.abs(a), initial=0.0)) for a in arrays), default=0.0)


def _gap(observed: Weights, candidate: Weights, start: Weights) -> float:
    """max |observed − candidate| relative to the larger of the two moves from `start`."""
    moves = max(_size([s - o for s, o in zip(start, observed, strict=True)]),
                _size([s - c for s, c in zip(start, candidate, strict=True)]))
    gap = _size([o - c for o, c in zip(observed, candidate, strict=True)])
    return 0.0 if gap == 0 else gap / max(moves, 1e-300)


def _lands(observed: Weights, candidate: Weights, start: Weights) -> bool:
    """Whether a fit landed where a candidate path does, allowing the rounding of the stored weights."""
    eps = max(float(np.finfo(w.dtype).eps) for w in observed)
    moves = max(_size([s - o for s, o in zip(start, observed, strict=True)]),
                _size([s - c for s, c in zip(start, candidate, strict=True)]))
    rounding = 64 * eps * max(_size(start), 1.0)
    return _size([o - c for o, c in zip(observed, candidate, strict=True)]) <= TOLERANCE * moves + rounding


def _close(a: NDArray, b: NDArray) -> bool:
    if a.shape != b.shape:
        return False
    eps = float(np.finfo(np.promote_types(a.dtype, b.dtype)).eps)
    return bool(np.all(np.abs(a - b) <= 64 * eps * np.maximum(np.abs(b), 1.0)))


def _network(worker: object, case: Case, profile: Profile) -> LayerNetwork:
    net = prepare(worker, case, profile)
    assert isinstance(net, LayerNetwork)
    return net
