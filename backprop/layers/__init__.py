"""Single layers, in the styles tutorials and courses teach (nnfs, Medium, CS231n), checked gradient
by gradient against finite differences on hypothesis-drawn shapes: `backprop check-layer`."""

from .checks import check_ids
from .kinds import KIND_NAMES, KINDS, LayerKind, infer_kind
from .runner import DEFAULT_MAX_EXAMPLES, LayerResult, LayerTargetError, check_layer

__all__ = [
    "DEFAULT_MAX_EXAMPLES",
    "KINDS",
    "KIND_NAMES",
    "LayerKind",
    "LayerResult",
    "LayerTargetError",
    "check_ids",
    "check_layer",
    "infer_kind",
]
