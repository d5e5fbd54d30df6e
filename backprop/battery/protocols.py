"""The judge's view of an implementation: the two protocols, driven through requests to the subject.

Layer-level (the article's): `net.layers[i]` with `weight`, `forward`, `backward`, `update`.
Model-level (other code styles): `parameters()` and `gradients(x, y)` or `step(x, y, lr)`, and
optionally `loss`, `deltas`, `predict`.  Nothing here runs the implementation's code: every call
is a request to a worker of the subject process (`backprop.subject`), and every value that comes
back goes through `as_array`, so that a wrong shape, a non-number or a NaN becomes a
`PluginError` naming the call.  The numerical engine is given `MirrorNetwork`s: judge-side arrays
and callables that stand for the subject's layers and send a request when called.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..activations import get_activation
from ..numerical.steps import coarsest, computed_precision
from ..subject.driver import LAYER_LEVEL, MODEL_LEVEL, Driver, PluginError, call
from .profile import Profile

PROBE_LAYERS = [2, 3, 2]
"""The network built to tell which protocol a factory follows."""

ARRAY_EQUAL = np.array_equal

READS = frozenset(("weights", "stored", "layer_function", "seed", "layer_forward", "forward", "method_at"))
"""Requests that leave the subject's weights as they were (after any other, they are read again)."""


class ProtocolError(TypeError):
    """The factory's network follows neither protocol."""


class GradientShapeError(PluginError):
    """gradients(x, y) gave an array whose size is not its parameter's (a sum over the wrong axis, ...):
    the message says which; the arrays are kept so that a check can measure what the wrong one is."""

    def __init__(
        self, message: str, index: int, values: list[NDArray], shapes: Sequence[tuple[int, ...]]
    ) -> None:
        super().__init__(message)
        self.index, self.values, self.shapes = index, values, list(shapes)


class LocalWorker:
    """A worker that drives the implementation in this process (for plots, which judge nothing)."""

    def __init__(self, factory: Callable[..., Any]) -> None:
        self.driver = Driver(factory)

    def request(self, name: str, *args: Any) -> Any:
        return getattr(self.driver, name)(*args)


def as_array(what: str, value: Any, shape: tuple[int, ...] | None = None) -> NDArray:
    """A copy of value as a real float array (float32 stays float32, so its rounding is allowed for),
    or a PluginError when it is not real numbers, not finite or mis-shaped."""
    if value is None:
        raise PluginError(f"{what} is None")
    try:
        array = np.array(value)
        if array.dtype.kind not in "f":
            if array.dtype.kind not in "biu":
                raise TypeError(array.dtype)
            array = array.astype(float)
    except (TypeError, ValueError):
        raise PluginError(f"{what} is not an array of real numbers ({type(value).__name__})") from None
    if shape is not None and array.size == int(np.prod(shape)) and array.shape != shape:
        array = array.reshape(shape)
    if shape is not None and array.shape != shape:
        raise PluginError(f"{what} has shape {array.shape}, expected {shape}")
    if not np.all(np.isfinite(array)):
        bad = int(array.size - np.count_nonzero(np.isfinite(array)))
        raise PluginError(f"{what} holds {bad} non-finite value(s) (NaN or inf)")
    return array


def _numbers(what: str, value: Any) -> NDArray:
    """value as an array of numbers, NaN and inf allowed (what a perturbed forward may give)."""
    if value is None:
        raise PluginError(f"{what} is None")
    array = np.asarray(value)
    if array.dtype.kind not in "fc":
        if array.dtype.kind not in "biu":
            raise PluginError(f"{what} is not an array of real numbers")
        array = array.astype(float)
    return array


def detect_protocol(network: Any) -> str:
    """LAYER_LEVEL or MODEL_LEVEL of a network object, or a ProtocolError saying what is missing."""
    try:
        return Driver(lambda *_: network)._detect(network)
    except PluginError as error:
        raise ProtocolError(str(error)) from None


class RemoteFunction:
    """A layer's activation or activation_prime, evaluated by the subject."""

    def __init__(self, net: RemoteNetwork, index: int, name: str) -> None:
        self.net, self.index, self.name = net, index, name

    def __call__(self, z: Any) -> NDArray:
        value = self.net.request("layer_function", self.index, self.name, np.asarray(z))
        return _numbers(f"layer {self.index + 1}'s {self.name}(z)", value)


class MirrorLayer:
    """A subject's layer as the numerical engine sees it: a judge-side weight array, a forward
    that runs the subject's at those weights, the functions it offers and what it stores."""

    def __init__(self, net: LayerNetwork, index: int, functions: dict[str, Callable[..., Any]]) -> None:
        self._net, self._index = net, index
        self._functions = functions

    @property
    def weight(self) -> NDArray:
        return self._net.weight_arrays()[self._index]

    def forward(self, a: Any) -> NDArray:
        value = self._net.request("layer_forward", self._index, self.weight, np.asarray(a))
        out = _numbers(f"the output of layer {self._index + 1}'s forward", value)
        self._net.observe(out)
        return out

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._functions:
            return self._functions[name]
        if name in ("A", "dZ", "delta"):
            return self._net.request("stored", self._index, name)
        raise AttributeError(name)


class MirrorNetwork:
    """The subject's network as the numerical engine and the checks see it: `layers` of mirror layers
    and the optional methods it offers, each a request."""

    def __init__(self, net: RemoteNetwork, layers: list[MirrorLayer]) -> None:
        self._net = net
        self.layers = layers

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in self._net.offers:
            raise AttributeError(name)
        return lambda *args: self._net.request("method", name, *args)


class RemoteNetwork:
    """What every protocol's network offers the checks: its live arrays, read and written by request."""

    protocol = ""
    kind = "layer"
    array_name = "weight"

    def __init__(self, worker: Any, description: dict) -> None:
        self.worker = worker
        self.offers = frozenset(description.get("offers") or ())
        self.description = description
        self._arrays: list[NDArray] | None = None
        self.names: list[str] | None = None
        self._seen_precision = np.dtype(np.float64)
        sent = description.get("weights")
        if isinstance(sent, dict) and isinstance(sent.get("arrays"), list):
            try:
                self._arrays = [self._checked(n, a) for n, a in enumerate(sent["arrays"], 1)]
                names = sent.get("names")
                self.names = [str(n) for n in names] if isinstance(names, list) else None
                self._stale = False
            except PluginError:
                self._arrays = None

    def request(self, name: str, *args: Any) -> Any:
        value = self.worker.request(name, *args)
        if name not in READS:
            self._stale = True
            self._last_change = str(args[0]) if name == "method" and args else name
        return value

    _stale = True
    _last_change = ""
    profile = Profile()

    def with_one(self, x: NDArray) -> NDArray:
        """x with the constant 1 of the bias where this network's layers expect it."""
        return self.profile.with_one(x)

    def weight_arrays(self) -> list[NDArray]:
        """The judge's copies of the weights (the same array objects from call to call, refreshed in
        place when the subject may have changed them), so the numerical engine can perturb them."""
        if self._stale or self._arrays is None:
            reply = self.worker.request("weights")
            fresh = reply["arrays"] if isinstance(reply, dict) else None
            if not isinstance(fresh, list):
                raise PluginError(f"the {self.kind}s' arrays could not be read")
            names = reply.get("names")
            self.names = [str(n) for n in names] if isinstance(names, list) else None
            fresh = [self._checked(number, a) for number, a in enumerate(fresh, 1)]
            if self._arrays is not None and [a.shape for a in self._arrays] != [a.shape for a in fresh]:
                raise PluginError(self._reshaped(fresh))
            same = self._arrays is not None and all(
                a.dtype == b.dtype for a, b in zip(self._arrays, fresh, strict=True)
            )
            if same:
                assert self._arrays is not None
                for mine, value in zip(self._arrays, fresh, strict=True):
                    mine[...] = value
            else:
                self._arrays = fresh
            self._stale = False
        assert self._arrays is not None
        return self._arrays

    @property
    def precision(self) -> np.dtype:
        """What the network computes in: the coarsest float type its weights are held in, or that a
        result it returned was seen to be computed in (float64 weights cast to float32 inside)."""
        return coarsest(*(a.dtype for a in self.weight_arrays()), self._seen_precision)

    def observe(self, array: NDArray) -> None:
        """Take note of the precision a result of the network's was computed in (see `precision`)."""
        self._seen_precision = coarsest(self._seen_precision, computed_precision(array))

    def computed(self, array: NDArray) -> NDArray:
        """An array the network returned, as precise as the network computes: a float32 network's
        float64 results are judged with float32's rounding, wherever it converted them."""
        self.observe(array)
        precision = self.precision
        if array.dtype.kind == "f" and np.finfo(array.dtype).eps < np.finfo(precision).eps:
            return array.astype(precision)
        return array

    def _reshaped(self, fresh: list[NDArray]) -> str:
        """Why arrays that change their number or shapes between calls cannot be checked."""
        assert self._arrays is not None
        def shapes(arrays: list[NDArray]) -> str:
            return f"{len(arrays)} of shapes " + ", ".join(str(a.shape) for a in arrays)
        after = f" after `{self._last_change}`" if self._last_change else ""
        return (f"the {self.kind} arrays changed{after}: {shapes(self._arrays)} before, "
                f"{shapes(fresh)} now; the battery compares them across calls, so their number and "
                "shapes must stay fixed")

    def _checked(self, number: int, array: Any) -> NDArray:
        if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
            raise PluginError(f"{self.kind} {number}'s {self.array_name} is not a float numpy array")
        return array

    def set_weights(self, values: Sequence[NDArray]) -> None:
        """Write values into the subject's live arrays, and check they landed (a property handing out a
        copy would not keep them)."""
        arrays = self.weight_arrays()
        values = [np.asarray(v, dtype=a.dtype) for v, a in zip(values, arrays, strict=True)]
        landed = self.worker.request("set_weights", values)
        for number, (value, back) in enumerate(zip(values, landed, strict=True), 1):
            if not isinstance(back, np.ndarray) or not ARRAY_EQUAL(back, value):
                raise PluginError(
                    f"{self.kind} {number}'s {self.array_name} does not keep what is written into it in "
                    "place (is it a copy handed out by a property?), so the battery cannot set its weights"
                )
        for mine, value in zip(arrays, values, strict=True):
            mine[...] = value
        self._stale = False

    def copy_weights(self) -> list[NDArray]:
        """Copies of the live arrays, or a PluginError naming the first that holds NaN or inf."""
        copies = []
        for number, array in enumerate(self.weight_arrays(), 1):
            if not np.all(np.isfinite(array)):
                bad = int(array.size - np.count_nonzero(np.isfinite(array)))
                raise PluginError(
                    f"{self.kind} {number}'s {self.array_name} holds {bad} non-finite value(s) (NaN or inf)"
                )
            copies.append(array.copy())
        return copies


class LayerNetwork(RemoteNetwork):
    """The article's protocol, driven exactly as its `fit` drives it."""

    protocol = LAYER_LEVEL

    def __init__(self, worker: Any, description: dict) -> None:
        super().__init__(worker, description)
        shared: dict[tuple[int, str], Callable[..., Any]] = {}
        self.layers: list[MirrorLayer] = []
        for index, info in enumerate(description.get("layers") or ()):
            functions: dict[str, Callable[..., Any]] = {}
            ids = info.get("functions") or [None, None]
            for name, key, registered in (
                ("activation", ids[0], info.get("registered")),
                ("activation_prime", ids[1], info.get("registered_prime")),
            ):
                if name not in (info.get("callable") or ()):
                    continue
                if registered:
                    entry = get_activation(registered)
                    functions[name] = entry.function if name == "activation" else entry.derivative
                else:
                    functions[name] = shared.setdefault((key, name), RemoteFunction(self, index, name))
            self.layers.append(MirrorLayer(self, index, functions))
        self.network = MirrorNetwork(self, self.layers)
        self.returned: list[Any] = []

    def forward(self, x1: NDArray) -> list[NDArray]:
        """Run every layer's forward; return the inputs each layer saw, then the network's output."""
        outputs = self.request("forward", x1)
        seen = [x1]
        for number, (out, w) in enumerate(zip(outputs, self.weight_arrays(), strict=True), 1):
            shape = seen[-1].shape[:-1] + (w.shape[1],)
            seen.append(self.computed(as_array(f"the output of layer {number}'s forward", out, shape)))
        return seen

    def backward(self, y: NDArray, batch: int | None = None) -> list[NDArray]:
        """Run every layer's backward, right to left, as the article's fit does; return the stored
        deltas (one row a sample).  What each backward returned is kept in `self.returned`."""
        stored, returned = self.request("backward", y)
        rows = 1 if batch is None else batch
        self.returned = list(returned)
        return [
            self.computed(as_array(f"layer {number}'s delta", value, (rows, w.shape[1])))
            for number, (value, w) in enumerate(zip(stored, self.weight_arrays(), strict=True), 1)
        ]

    def update(self, learning_rate: float, seen: Sequence[NDArray]) -> None:
        """Update left to right, each layer given the input it saw in forward (as `fit` does)."""
        self.request("update", learning_rate, list(seen))

    def stored(self, name: str, number: int, shape: tuple[int, ...]) -> NDArray:
        return self.computed(
            as_array(f"layer {number}'s {name}", self.request("stored", number - 1, name), shape)
        )


class ModelNetwork(RemoteNetwork):
    """The model-level protocol: live parameter arrays, gradients or a step, and what else it offers."""

    protocol = MODEL_LEVEL
    kind = "parameter"
    array_name = "array from parameters()"

    def __init__(self, worker: Any, description: dict) -> None:
        super().__init__(worker, description)
        self.network = MirrorNetwork(self, [])

    def loss(self, x: NDArray, y: NDArray) -> float:
        value = as_array("loss(x, y)", self.request("method_at", self.weight_arrays(), "loss", x, y))
        if value.size != 1:
            raise PluginError(f"loss(x, y) returned {value.size} values, not one number")
        return float(self.computed(value).reshape(()))

    def gradients(self, x: NDArray, y: NDArray, shapes: Sequence[tuple[int, ...]]) -> list[NDArray]:
        grads = self.request("method", "gradients", x, y)
        if isinstance(grads, dict) and self.names:
            missing = [n for n in self.names if n not in grads]
            if missing:
                raise PluginError(f"gradients(x, y) has no entry for {missing[0]!r}")
            grads = [grads[n] for n in self.names]
        if not isinstance(grads, list):
            raise PluginError(f"gradients(x, y) returned a {type(grads).__name__}, not a list")
        if len(grads) != len(shapes):
            raise PluginError(f"gradients(x, y) returned {len(grads)} arrays for {len(shapes)} parameters")
        raw = [as_array(f"gradient {i} from gradients(x, y)", g) for i, g in enumerate(grads, 1)]
        for i, (g, s) in enumerate(zip(raw, shapes, strict=True)):
            if g.size != int(np.prod(s)):
                raise GradientShapeError(
                    f"gradient {i + 1} from gradients(x, y) has shape {g.shape}, expected {tuple(s)}",
                    i, raw, shapes,
                )
        return [self.computed(g.reshape(tuple(s))) for g, s in zip(raw, shapes)]

    def predict(self, x: NDArray, n_outputs: int, at_weights: bool = False) -> NDArray:
        value = (
            self.request("method_at", self.weight_arrays(), "predict", x)
            if at_weights
            else self.request("method", "predict", x)
        )
        return self.computed(as_array("predict(x)", value, (n_outputs,)))

    def step(self, x: NDArray, y: NDArray, learning_rate: float) -> None:
        self.request("method", "step", x, y, learning_rate)

    def deltas(self, x: NDArray, y: NDArray) -> list[NDArray]:
        out = self.request("method", "deltas", x, y)
        if not isinstance(out, list):
            if isinstance(out, np.ndarray) and out.dtype.kind in "fiu" and out.ndim >= 1:
                out = list(out)
            else:
                raise PluginError(f"deltas(x, y) returned a {type(out).__name__}, not a list")
        return [as_array(f"delta {i} from deltas(x, y)", d).ravel() for i, d in enumerate(out, 1)]


def open_network(
    worker: Any,
    layers: Sequence[int],
    activation: str,
    profile: Profile | None = None,
    seed: int | None = None,
) -> LayerNetwork | ModelNetwork:
    """The network make(layers, activation) builds in the worker, as the judge sees it (a factory that
    takes a `loss=` keyword is given the profile's declared loss)."""
    options = {"loss": profile.loss} if profile is not None else {}
    description = worker.request("build", list(layers), activation, options, seed)
    if description.get("protocol") == LAYER_LEVEL:
        network: LayerNetwork | ModelNetwork = LayerNetwork(worker, description)
    else:
        network = ModelNetwork(worker, description)
    network.profile = profile or Profile(protocol=network.protocol)
    if network.profile.foreign_loss:
        network.offers = network.offers - {"loss"}
    return network


__all__ = [
    "ARRAY_EQUAL",
    "LAYER_LEVEL",
    "MODEL_LEVEL",
    "PROBE_LAYERS",
    "LayerNetwork",
    "LocalWorker",
    "MirrorNetwork",
    "GradientShapeError",
    "ModelNetwork",
    "PluginError",
    "ProtocolError",
    "as_array",
    "call",
    "detect_protocol",
    "open_network",
]
