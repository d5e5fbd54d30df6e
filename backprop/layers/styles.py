"""The three styles of hand-written layers, found in a user's file and driven through one small interface.

Every interaction with the code under test goes through an `Adapter`: plain data in (shapes,
numpy arrays), plain numpy data out, so that it could run in another process than the judge.

- nnfs (*Neural Networks from Scratch*): an object with `forward(inputs)` setting `output` and
  `backward(dvalues)` setting `dinputs` (and `dweights`, `dbiases`); losses take `(y_pred, y_true)`.
- Medium: an object with `forward_propagation(x)` returning the output and
  `backward_propagation(output_error, learning_rate)` that updates the parameters in place and
  returns the input error; its parameter gradient is read from the update.
- CS231n: a pair of functions `*_forward(x, params..., param_dict) -> (out, cache)` and
  `*_backward(dout, cache) -> (dx, dparams...)`, or a loss function `(x, y) -> (loss, dx)`.
"""

from __future__ import annotations

import inspect
import os
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..battery.targets import TargetError, load_target, split_target
from .kinds import LayerKind, get_kind

STYLES = ("nnfs", "medium", "cs231n", "loss-function")
FORWARD_SEED = 1234
"""np.random is seeded with this before every forward call, so a layer drawing a dropout mask from
it gives the same output each time it is called on the same input."""
LEARNING_RATES = (0.1, 0.3)
"""The two learning rates an in-place-updating layer is stepped with: its parameter gradient is read
from each update, and an input error computed with already-updated weights differs between them."""
WEIGHT_NAMES = ("weights", "W", "w", "weight", "kernel")
BIAS_NAMES = ("biases", "bias", "b")
BN_EPS = 1e-5
DROPOUT_SEED = 7


class SubjectError(ValueError):
    """The layer cannot be driven as its style says (a missing method, a wrong signature): one sentence."""


@dataclass(frozen=True)
class Spec:
    """What discovery found, as plain data: enough for a child process to rebuild the adapter."""

    target: str
    kind: str
    style: str
    name: str
    pair: str | None = None
    single_sample: bool = False
    note: str = ""


def user_frame(error: BaseException) -> str:
    """ ", (file.py, line N)" for the innermost frame of the error outside numpy and this package."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    numpy_dir = os.path.dirname(np.__file__)
    frames = [
        f
        for f in traceback.extract_tb(error.__traceback__)
        if not f.filename.startswith((here, numpy_dir)) and not f.filename.startswith("<")
    ]
    if not frames:
        return ""
    frame = frames[-1]
    return f" ({os.path.basename(frame.filename)}, line {frame.lineno})"


def error_sentence(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}{': ' + text if text else ''}{user_frame(error)}"


def copies(arrays: Mapping[str, NDArray]) -> dict[str, NDArray]:
    return {name: np.array(value, copy=True) for name, value in arrays.items()}


def hyper_parameters(kind: LayerKind, dims: Mapping[str, Any]) -> dict[str, Any]:
    """The CS231n-style dictionary of a kind, for these shapes."""
    if kind.name == "conv":
        return {"stride": dims["stride"], "pad": dims["pad"]}
    if kind.name == "max-pool":
        return {
            "pool_height": dims["pool_height"],
            "pool_width": dims["pool_width"],
            "stride": dims["stride"],
        }
    if kind.name == "batch-norm":
        return {"mode": "train", "eps": BN_EPS, "momentum": 0.9}
    if kind.name == "dropout":
        return {"mode": "train", "p": dims["p"], "seed": DROPOUT_SEED}
    return {}


def canonical_shapes(kind: LayerKind, dims: Mapping[str, Any]) -> dict[str, tuple[int, ...]]:
    """The parameters' shapes in the CS231n convention (W is (inputs, outputs), w is (F, C, HH, WW))."""
    if kind.name == "dense":
        return {"W": (dims["n_inputs"], dims["n_outputs"]), "b": (dims["n_outputs"],)}
    if kind.name == "conv":
        return {
            "w": (dims["filters"], dims["channels"], dims["kernel_height"], dims["kernel_width"]),
            "b": (dims["filters"],),
        }
    if kind.name == "batch-norm":
        return {"gamma": (dims["n_features"],), "beta": (dims["n_features"],)}
    return {}


class Adapter:
    """One layer of one style, driven with plain data.  Subclasses fill in the five operations."""

    style = ""

    def __init__(self, kind: LayerKind, thing: Callable[..., Any], spec: Spec) -> None:
        self.kind, self.thing, self.spec = kind, thing, spec
        self._given: list[tuple[str, NDArray, NDArray]] = []

    def construct(self, dims: Mapping[str, Any]) -> None:
        """Build the layer for these shapes (np.random seeded, so construction is repeatable)."""
        raise NotImplementedError

    def parameters(self) -> dict[str, NDArray]:
        """Copies of the current parameters, by the kind's names (their shapes and dtypes are the layer's)."""
        raise NotImplementedError

    def forward(self, inputs: Mapping[str, NDArray], params: Mapping[str, NDArray]) -> NDArray:
        """The layer's output (a loss's value) at these inputs and parameters."""
        raise NotImplementedError

    def backward(self, upstream: NDArray | None, learning_rate: float | None = None) -> dict[str, NDArray]:
        """The gradients after the last forward, by "x" and the parameters' names."""
        raise NotImplementedError

    def changed_arguments(self) -> list[tuple[str, int, int]]:
        """(argument, values changed, values) for each array given since the last forward that the
        layer wrote into."""
        changed = []
        for name, original, given in self._given:
            if given.shape != original.shape:
                changed.append((name, original.size, original.size))
                continue
            differ = int(np.count_nonzero(~((given == original) | (np.isnan(given) & np.isnan(original)))))
            if differ:
                changed.append((name, differ, original.size))
        return changed

    def _give(self, name: str, value: NDArray) -> NDArray:
        """A fresh copy of `value` for the layer, remembered so changes to it can be counted."""
        given = np.array(value, copy=True)
        self._given.append((name, np.array(value, copy=True), given))
        return given

    def _start(self) -> None:
        self._given = []
        np.random.seed(FORWARD_SEED)


def _call(method: Callable[..., Any], *args: Any) -> Any:
    return method(*args)


class ObjectAdapter(Adapter):
    """The nnfs and Medium styles: a layer object whose parameters are attributes."""

    def construct(self, dims: Mapping[str, Any]) -> None:
        np.random.seed(0)
        args = constructor_arguments(self.kind, dims)
        self.layer = self.thing(*args)
        self.attributes: dict[str, str] = {}
        if self.kind.params:
            for name, candidates in zip(self.kind.params, (WEIGHT_NAMES, BIAS_NAMES)):
                found = next(
                    (a for a in candidates if isinstance(getattr(self.layer, a, None), np.ndarray)), None
                )
                if found is None:
                    raise SubjectError(
                        f"{self.spec.name}{tuple(args)} has no array attribute "
                        f"{' or '.join(candidates[:2])} for its {name}"
                    )
                self.attributes[name] = found

    def parameters(self) -> dict[str, NDArray]:
        return {
            name: np.array(getattr(self.layer, attribute), copy=True)
            for name, attribute in self.attributes.items()
        }

    def _set(self, params: Mapping[str, NDArray]) -> None:
        for name, attribute in self.attributes.items():
            setattr(self.layer, attribute, np.array(params[name], copy=True))


class NnfsAdapter(ObjectAdapter):
    style = "nnfs"

    def forward(self, inputs: Mapping[str, NDArray], params: Mapping[str, NDArray]) -> NDArray:
        self._set(params)
        self._start()
        x = self._give("inputs", inputs["x"])
        if self.kind.loss:
            y = self._give("y_true", inputs["y"])
            if self.kind.name == "softmax-ce":
                value = self.layer.forward(x, y)
            elif hasattr(self.layer, "calculate"):
                value = self.layer.calculate(x, y)
            else:
                value = np.mean(self.layer.forward(x, y))
            self.inputs = (x, y)
            return np.asarray(value, dtype=float)
        forward = self.layer.forward
        if "training" in inspect.signature(forward).parameters:
            forward(x, training=True)
        else:
            forward(x)
        if not hasattr(self.layer, "output"):
            raise SubjectError(f"{self.spec.name}.forward did not set self.output")
        return np.asarray(self.layer.output)

    def backward(self, upstream: NDArray | None, learning_rate: float | None = None) -> dict[str, NDArray]:
        if self.kind.loss:
            x, y = self.inputs
            dvalues = self.layer.output if self.kind.name == "softmax-ce" else x
            self.layer.backward(self._give("dvalues", dvalues), self._give("y_true", y))
        else:
            assert upstream is not None
            self.layer.backward(self._give("dvalues", upstream))
        grads = {"x": self._read("dinputs")}
        for name, attribute in self.attributes.items():
            grads[name] = self._read("d" + attribute)
        return grads

    def _read(self, attribute: str) -> NDArray:
        if not hasattr(self.layer, attribute):
            raise SubjectError(f"{self.spec.name}.backward did not set self.{attribute}")
        return np.array(getattr(self.layer, attribute), copy=True)


class MediumAdapter(ObjectAdapter):
    style = "medium"

    def forward(self, inputs: Mapping[str, NDArray], params: Mapping[str, NDArray]) -> NDArray:
        self._set(params)
        self.before = copies(params)
        self._start()
        return np.asarray(self.layer.forward_propagation(self._give("input", inputs["x"])))

    def backward(self, upstream: NDArray | None, learning_rate: float | None = None) -> dict[str, NDArray]:
        rate = LEARNING_RATES[0] if learning_rate is None else learning_rate
        assert upstream is not None
        dx = self.layer.backward_propagation(self._give("output_error", upstream), rate)
        grads = {"x": np.array(dx, copy=True)}
        for name, after in self.parameters().items():
            before = self.before[name]
            grads[name] = ((before.astype(float) - after.astype(float)) / rate).astype(before.dtype)
        return grads


class Cs231nAdapter(Adapter):
    style = "cs231n"

    def __init__(
        self, kind: LayerKind, thing: Callable[..., Any], spec: Spec, backward: Callable[..., Any]
    ) -> None:
        super().__init__(kind, thing, spec)
        self.backward_function = backward

    def construct(self, dims: Mapping[str, Any]) -> None:
        self.hyper = hyper_parameters(self.kind, dims)
        self.shapes = canonical_shapes(self.kind, dims)

    def parameters(self) -> dict[str, NDArray]:
        return {name: np.zeros(shape) for name, shape in self.shapes.items()}

    def forward(self, inputs: Mapping[str, NDArray], params: Mapping[str, NDArray]) -> NDArray:
        self._start()
        args: list[Any] = [self._give("x", inputs["x"])] + [
            self._give(n, params[n]) for n in self.kind.params
        ]
        if self.kind.hyper:
            args.append(dict(self.hyper))
        result = self.thing(*args)
        if not (isinstance(result, tuple) and len(result) == 2):
            raise SubjectError(f"{self.spec.name} returned a {type(result).__name__}, not (out, cache)")
        out, self.cache = result
        return np.asarray(out)

    def backward(self, upstream: NDArray | None, learning_rate: float | None = None) -> dict[str, NDArray]:
        assert upstream is not None
        result = self.backward_function(self._give("dout", upstream), self.cache)
        names = ["x", *self.kind.params]
        if not isinstance(result, tuple):
            result = (result,)
        if len(result) != len(names):
            raise SubjectError(
                f"{self.spec.pair} returned {len(result)} value(s); a {self.kind.name} "
                f"layer's backward returns {len(names)}: " + ", ".join("d" + n for n in names)
            )
        return {name: np.array(value, copy=True) for name, value in zip(names, result)}


class LossFunctionAdapter(Adapter):
    style = "loss-function"

    def construct(self, dims: Mapping[str, Any]) -> None:
        return None

    def parameters(self) -> dict[str, NDArray]:
        return {}

    def forward(self, inputs: Mapping[str, NDArray], params: Mapping[str, NDArray]) -> NDArray:
        self._start()
        result = self.thing(self._give("x", inputs["x"]), self._give("y", inputs["y"]))
        if not (isinstance(result, tuple) and len(result) == 2):
            raise SubjectError(f"{self.spec.name} returned a {type(result).__name__}, not (loss, dx)")
        loss, self.dx = result
        return np.asarray(loss, dtype=float)

    def backward(self, upstream: NDArray | None, learning_rate: float | None = None) -> dict[str, NDArray]:
        return {"x": np.array(self.dx, copy=True)}


def constructor_arguments(kind: LayerKind, dims: Mapping[str, Any]) -> tuple[Any, ...]:
    """The conventional arguments of a layer object of this kind: Layer_Dense(n_inputs, n_neurons),
    Layer_Dropout(rate) with the rate dropped, nothing for activations and losses."""
    if kind.name == "dense":
        return (dims["n_inputs"], dims["n_outputs"])
    if kind.name == "dropout":
        return (1 - dims["p"],)
    return ()


# ---------------------------------------------------------------- discovery


def object_style(layer: object) -> str | None:
    if callable(getattr(layer, "forward_propagation", None)) and callable(
        getattr(layer, "backward_propagation", None)
    ):
        return "medium"
    if callable(getattr(layer, "forward", None)) and callable(getattr(layer, "backward", None)):
        return "nnfs"
    return None


def positional_count(function: Callable[..., Any]) -> tuple[int, int] | None:
    """(required, at most) positional parameters of a callable, or None when it cannot be told."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return None
    required, most = 0, 0
    for parameter in signature.parameters.values():
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            most += 1
            required += parameter.default is parameter.empty
        elif parameter.kind == parameter.VAR_POSITIONAL:
            most = 10**6
    return required, most


def takes(function: Callable[..., Any], count: int) -> bool:
    counts = positional_count(function)
    return counts is None or counts[0] <= count <= counts[1]


def signature_text(function: Callable[..., Any]) -> str:
    try:
        return str(inspect.signature(function))
    except (TypeError, ValueError):
        return "(...)"


CONVENTIONAL = {
    "dense": "(x, w, b)",
    "relu": "(x)",
    "sigmoid": "(x)",
    "tanh": "(x)",
    "softmax": "(x)",
    "conv": "(x, w, b, conv_param)",
    "max-pool": "(x, pool_param)",
    "batch-norm": "(x, gamma, beta, bn_param)",
    "dropout": "(x, dropout_param)",
}


def discover(target: str, kind_name: str) -> tuple[Spec, Adapter]:
    """The style of the layer a target names and an adapter to drive it; SubjectError or TargetError
    (one sentence) when it is none of the styles or its signature is not its kind's.

    Runs the user's module: call it only in a sandboxed child.
    """
    kind = get_kind(kind_name)
    location, name = split_target(target)
    thing = load_target(target, what="a layer class or function")
    if inspect.isclass(thing):
        return _object_subject(target, kind, name, thing, constructor=True)
    words = name.lower()
    if "forward" in words or "backward" in words:
        return _pair_subject(target, kind, location, name, thing)
    if kind.loss:
        if not takes(thing, 2):
            raise SubjectError(f"{name}{signature_text(thing)} is not a loss function (x, y) -> (loss, dx)")
        spec = Spec(target, kind.name, "loss-function", name)
        return spec, LossFunctionAdapter(kind, thing, spec)
    return _object_subject(target, kind, name, thing, constructor=False)


def _object_subject(
    target: str, kind: LayerKind, name: str, thing: Callable[..., Any], constructor: bool
) -> tuple[Spec, Adapter]:
    if kind.object_args is None:
        raise SubjectError(
            f"{kind.name} layers are checked as CS231n-style functions "
            f"({CONVENTIONAL[kind.name]} forward and (dout, cache) backward), "
            f"not as a layer object such as {name}"
        )
    wanted = len(kind.object_args)
    if not takes(thing, wanted):
        what = "class" if constructor else "function"
        arguments = f"({', '.join(kind.object_args)})" if kind.object_args else "no arguments"
        hint = (
            (
                " (for a layer that takes other arguments, such as ActivationLayer(tanh, tanh_prime), "
                "name a function that returns one)"
            )
            if constructor
            else ""
        )
        raise SubjectError(
            f"the {what} {name}{signature_text(thing)} cannot be called with {arguments}, "
            f"the conventional arguments of a {kind.name} layer{hint}"
        )
    probe_dims = {"n_inputs": 2, "n_outputs": 3, "p": 0.5}
    np.random.seed(0)
    try:
        layer = thing(*constructor_arguments(kind, probe_dims))
    except Exception as error:
        call = f"{name}{constructor_arguments(kind, probe_dims)}" if wanted else f"{name}()"
        raise SubjectError(f"{call} raised {error_sentence(error)}") from None
    style = object_style(layer)
    if style is None:
        raise SubjectError(
            f"{name} gives a {type(layer).__name__}, which has neither forward and backward "
            "(nnfs style) nor forward_propagation and backward_propagation (Medium style)"
        )
    spec = Spec(target, kind.name, style, name)
    adapter: Adapter = (MediumAdapter if style == "medium" else NnfsAdapter)(kind, thing, spec)
    if style == "medium" and kind.params:
        spec = _batch_probe(spec, adapter)
        adapter.spec = spec
    return spec, adapter


def _batch_probe(spec: Spec, adapter: Adapter) -> Spec:
    """A Medium-style layer that updates `bias -= lr · output_error` handles one sample at a time:
    checked on batches of 1, and the report says so."""
    dims = {"n_inputs": 2, "n_outputs": 3}
    try:
        adapter.construct(dims)
        params = adapter.parameters()
        out = adapter.forward({"x": np.ones((2, 2))}, params)
        adapter.backward(np.ones_like(out))
    except Exception as error:
        note = (
            f"{spec.name} handles one sample at a time (a batch of 2 raised {error_sentence(error)}), "
            "so it is checked on batches of 1"
        )
        return Spec(spec.target, spec.kind, spec.style, spec.name, None, True, note)
    return spec


def _pair_subject(
    target: str, kind: LayerKind, location: str, name: str, thing: Callable[..., Any]
) -> tuple[Spec, Adapter]:
    if kind.loss:
        raise SubjectError(
            f"{name} looks like one of a forward/backward pair, but a {kind.name} loss is "
            "checked as one function (x, y) -> (loss, dx)"
        )
    other = name.replace("forward", "\0").replace("backward", "forward").replace("\0", "backward")
    module_target = f"{location}:{other}"
    try:
        partner = load_target(module_target, what="a function")
    except TargetError:
        raise SubjectError(f"{location} has {name} but no {other} to pair it with") from None
    forward, backward = (thing, partner) if "forward" in name else (partner, thing)
    forward_name, backward_name = (name, other) if "forward" in name else (other, name)
    if kind.name not in CONVENTIONAL:
        raise SubjectError(f"{kind.name} is not checked as a forward/backward pair")
    if not takes(forward, kind.forward_arity):
        raise SubjectError(
            f"{forward_name}{signature_text(forward)} does not take "
            f"{CONVENTIONAL[kind.name]}, the arguments of a {kind.name} layer's forward"
        )
    if not takes(backward, 2):
        raise SubjectError(f"{backward_name}{signature_text(backward)} does not take (dout, cache)")
    spec = Spec(target, kind.name, "cs231n", forward_name, backward_name)
    return spec, Cs231nAdapter(kind, forward, spec, backward)


def rebuild(spec: Spec) -> Adapter:
    """The adapter of a discovered spec, in a fresh child (which imports the user's file again)."""
    _, adapter = discover(spec.target, spec.kind)
    adapter.spec = spec
    return adapter
