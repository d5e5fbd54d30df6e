"""The two ways an implementation can be plugged in, and a uniform, defensive view of each.

Layer-level (the article's): `net.layers[i]` with `weight`, `forward`, `backward`, `update`.
Model-level (other code styles): `parameters()`, `loss(x, y)`, `gradients(x, y)`, and
optionally `step`, `deltas`, `predict`.  Every call into the implementation goes through
`call`, and every array it hands back through `as_array`, so that a raise, a wrong shape or
a NaN becomes a `PluginError` naming the call, instead of a traceback from inside the battery.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

LAYER_LEVEL = "layer-level"
MODEL_LEVEL = "model-level"

LAYER_ATTRIBUTES = ("weight", "forward", "backward", "update")
MODEL_METHODS = ("parameters", "loss", "gradients")
MODEL_OPTIONAL = ("step", "deltas", "predict")

PROBE_LAYERS = [2, 3, 2]
"""The network built to tell which protocol a factory follows."""


ARRAY_EQUAL = np.array_equal
"""Taken at import, before any plug-in runs: a plug-in that patches numpy cannot fool the checks."""


class PluginError(Exception):
    """The implementation raised, or returned something unusable; the message is one sentence."""


class ProtocolError(TypeError):
    """The factory's network follows neither protocol."""


def call(what: str, fn: Callable[..., Any], *args: Any) -> Any:
    """fn(*args), with any exception turned into a PluginError that says which call raised."""
    try:
        return fn(*args)
    except PluginError:
        raise
    except Exception as error:
        text = str(error).strip().splitlines()[0] if str(error).strip() else ""
        detail = f"{type(error).__name__}: {text}" if text else type(error).__name__
        raise PluginError(f"{what} raised {detail}") from error


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


def detect_protocol(network: Any) -> str:
    """LAYER_LEVEL or MODEL_LEVEL, or a ProtocolError saying what is missing for either."""
    layers = getattr(network, "layers", None)
    if layers is not None:
        try:
            layers = list(layers)
        except TypeError:
            layers = None
    if layers:
        missing = sorted({name for layer in layers for name in LAYER_ATTRIBUTES if not hasattr(layer, name)})
        if not missing:
            return LAYER_LEVEL
    else:
        missing = ["layers"]
    model_missing = [name for name in MODEL_METHODS if not callable(getattr(network, name, None))]
    if not model_missing:
        return MODEL_LEVEL
    raise ProtocolError(
        f"the factory returned a {type(network).__name__}, which follows neither protocol: "
        f"the layer-level one lacks {', '.join(missing)} and the model-level one lacks "
        f"{', '.join(model_missing)}"
    )


def capabilities(network: Any, protocol: str) -> frozenset[str]:
    """The optional parts the network offers (fit, predict, step, deltas)."""
    names = ("fit", "predict") if protocol == LAYER_LEVEL else MODEL_OPTIONAL
    return frozenset(name for name in names if callable(getattr(network, name, None)))


def build(factory: Callable[..., Any], layers: Sequence[int], activation: str) -> Any:
    """factory(layers, activation), with a raise or a None reported as a PluginError."""
    network = call(f"make({list(layers)}, {activation!r})", factory, list(layers), activation)
    if network is None:
        raise PluginError(f"make({list(layers)}, {activation!r}) returned None")
    return network


class LiveArrays:
    """The case's weights written into a network's live arrays, and copies read back out.

    A write that does not land (a property handing out a copy) or a NaN read back is a PluginError.
    """

    kind = "layer"
    array_name = "weight"

    def weight_arrays(self) -> list[NDArray]:
        raise NotImplementedError

    def set_weights(self, values: Sequence[NDArray]) -> None:
        """Write values into the live arrays, in place (they stay the same objects), and check they landed."""
        for array, value in zip(self.weight_arrays(), values, strict=True):
            array[...] = value
        for number, (array, value) in enumerate(zip(self.weight_arrays(), values, strict=True), 1):
            if not ARRAY_EQUAL(array, np.asarray(value, dtype=array.dtype)):
                raise PluginError(
                    f"{self.kind} {number}'s {self.array_name} does not keep what is written into it in "
                    "place (is it a copy handed out by a property?), so the battery cannot set its weights"
                )

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


class LayerNetwork(LiveArrays):
    """The article's protocol, driven exactly as its `fit` drives it."""

    protocol = LAYER_LEVEL

    def __init__(self, network: Any) -> None:
        self.network = network
        self.layers = list(network.layers)

    def weight_arrays(self) -> list[NDArray]:
        arrays = []
        for number, layer in enumerate(self.layers, 1):
            weight = layer.weight
            if not isinstance(weight, np.ndarray) or weight.ndim != 2:
                raise PluginError(
                    f"layer {number}'s weight is not a 2-D numpy array ({type(weight).__name__})"
                )
            arrays.append(weight)
        return arrays

    def forward(self, x1: NDArray) -> list[NDArray]:
        """Run every layer's forward; return the inputs each layer saw, then the network's output."""
        seen = [x1]
        a = x1
        for number, layer in enumerate(self.layers, 1):
            width = layer.weight.shape[1]
            shape = a.shape[:-1] + (width,)
            out = call(f"layer {number}'s forward", layer.forward, a)
            a = as_array(
                f"the output of layer {number}'s forward", out if out is not None else layer.A, shape
            )
            seen.append(a)
        return seen

    def backward(self, y: NDArray, batch: int | None = None) -> list[NDArray]:
        """Run every layer's backward, right to left, as the article's fit does (each layer is given
        what the layer to its right returned); return the stored deltas (one row a sample).

        What each backward returned is kept in `self.returned`, for the diagnosis of a layer that
        returns something other than the delta it stores."""
        deltas: list[NDArray] = [np.empty(0)] * len(self.layers)
        self.returned: list[Any] = [None] * len(self.layers)
        rows = 1 if batch is None else batch
        passed: Any = y
        for index in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[index]
            number = index + 1
            if index == len(self.layers) - 1:
                out = call(f"layer {number}'s backward (output layer)", layer.backward, passed, None)
            else:
                out = call(f"layer {number}'s backward", layer.backward, passed, self.layers[index + 1])
            stored = getattr(layer, "delta", None)
            value = stored if stored is not None else out
            deltas[index] = as_array(f"layer {number}'s delta", value, (rows, layer.weight.shape[1]))
            self.returned[index] = out
            passed = out if out is not None else deltas[index]
        return deltas

    def update(self, learning_rate: float, seen: Sequence[NDArray]) -> None:
        """Update left to right, each layer given the input it saw in forward (as `fit` does)."""
        for number, (layer, a) in enumerate(zip(self.layers, seen, strict=False), 1):
            call(f"layer {number}'s update", layer.update, learning_rate, a)

    def stored(self, name: str, number: int, shape: tuple[int, ...]) -> NDArray:
        layer = self.layers[number - 1]
        return as_array(f"layer {number}'s {name}", getattr(layer, name, None), shape)


class ModelNetwork(LiveArrays):
    """The model-level protocol: live parameter arrays, a loss and its gradients."""

    protocol = MODEL_LEVEL
    kind = "parameter"
    array_name = "array from parameters()"

    def __init__(self, network: Any) -> None:
        self.network = network

    def weight_arrays(self) -> list[NDArray]:
        params = call("parameters()", self.network.parameters)
        try:
            params = list(params)
        except TypeError:
            raise PluginError(
                f"parameters() returned a {type(params).__name__}, not a list of arrays"
            ) from None
        for number, param in enumerate(params, 1):
            if not isinstance(param, np.ndarray) or not np.issubdtype(param.dtype, np.floating):
                raise PluginError(f"parameter {number} from parameters() is not a float numpy array")
        return params

    def loss(self, x: NDArray, y: NDArray) -> float:
        value = as_array("loss(x, y)", call("loss(x, y)", self.network.loss, x.copy(), y.copy()))
        if value.size != 1:
            raise PluginError(f"loss(x, y) returned {value.size} values, not one number")
        return float(value.reshape(()))

    def gradients(self, x: NDArray, y: NDArray, shapes: Sequence[tuple[int, ...]]) -> list[NDArray]:
        grads = call("gradients(x, y)", self.network.gradients, x, y)
        try:
            grads = list(grads)
        except TypeError:
            raise PluginError(f"gradients(x, y) returned a {type(grads).__name__}, not a list") from None
        if len(grads) != len(shapes):
            raise PluginError(f"gradients(x, y) returned {len(grads)} arrays for {len(shapes)} parameters")
        return [
            as_array(f"gradient {i} from gradients(x, y)", g, s)
            for i, (g, s) in enumerate(zip(grads, shapes, strict=True), 1)
        ]

    def predict(self, x: NDArray, n_outputs: int) -> NDArray:
        return as_array("predict(x)", call("predict(x)", self.network.predict, x), (n_outputs,))

    def step(self, x: NDArray, y: NDArray, learning_rate: float) -> None:
        call("step(x, y, learning_rate)", self.network.step, x, y, learning_rate)

    def deltas(self, x: NDArray, y: NDArray) -> list[NDArray]:
        out = call("deltas(x, y)", self.network.deltas, x, y)
        try:
            return [as_array(f"delta {i} from deltas(x, y)", d).ravel() for i, d in enumerate(list(out), 1)]
        except TypeError:
            raise PluginError(f"deltas(x, y) returned a {type(out).__name__}, not a list") from None


def wrap(network: Any, protocol: str) -> LayerNetwork | ModelNetwork:
    return LayerNetwork(network) if protocol == LAYER_LEVEL else ModelNetwork(network)
