"""The layer catalogue: every layer written here, the check it must fail (none for a correct one) and
the finding kind that failure must carry (None where no cause can be measured)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Entry:
    file: str
    name: str
    kind: str | None = None
    fails: tuple[str, ...] = ()
    """The checks that must fail, the one whose finding is named first; () for a correct layer."""
    finding: str | None = None
    shows_on: str = ""
    """The shapes the bug needs, in words (the smallest failing case must have them)."""

    @property
    def target(self) -> str:
        return f"{HERE / self.file}:{self.name}"

    @property
    def id(self) -> str:
        return f"{self.file.split('_')[0]}:{self.name}"


NNFS, MEDIUM, CS231N = "nnfs_layers.py", "medium_layers.py", "cs231n_layers.py"

CORRECT = [
    Entry(NNFS, "Layer_Dense"),
    Entry(NNFS, "Layer_Dense_float32", "dense"),
    Entry(NNFS, "Layer_Dense_EinsumStyle", "dense"),
    Entry(NNFS, "Activation_ReLU"),
    Entry(NNFS, "Activation_ReLU_greater_equal", "relu"),
    Entry(NNFS, "Activation_Sigmoid"),
    Entry(NNFS, "Activation_Softmax"),
    Entry(NNFS, "Loss_CategoricalCrossentropy"),
    Entry(NNFS, "Loss_MeanSquaredError"),
    Entry(NNFS, "Activation_Softmax_Loss_CategoricalCrossentropy"),
    Entry(NNFS, "Layer_Dropout"),
    Entry(MEDIUM, "FCLayer"),
    Entry(MEDIUM, "FCLayerFloat32", "dense"),
    Entry(MEDIUM, "FCLayerBatched", "dense"),
    Entry(MEDIUM, "tanh_layer"),
    Entry(CS231N, "affine_forward"),
    Entry(CS231N, "relu_backward"),
    Entry(CS231N, "relu_ge_forward", "relu"),
    Entry(CS231N, "conv_forward_naive"),
    Entry(CS231N, "max_pool_backward_naive"),
    Entry(CS231N, "max_pool_shared_forward", "max-pool"),
    Entry(CS231N, "batchnorm_forward"),
    Entry(CS231N, "batchnorm_graph_forward", "batch-norm"),
    Entry(CS231N, "dropout_forward"),
    Entry(CS231N, "softmax_loss", "softmax-ce"),
    Entry(CS231N, "svm_loss"),
]

BUGS = [
    Entry(NNFS, "Layer_Dense_transposed", "dense", ("dW",), "transposed"),
    Entry(NNFS, "Layer_Dense_wrong_axis", "dense", ("db",), "wrong-axis"),
    Entry(NNFS, "Layer_Dense_scaled", "dense", ("dW",), "scaled", "batch > 1"),
    Entry(NNFS, "Activation_ReLU_in_place", "relu", ("untouched",), "in-place"),
    Entry(NNFS, "Activation_ReLU_clips_its_input", "relu", ("untouched",), "in-place"),
    Entry(NNFS, "Activation_ReLU_wrong_derivative", "relu", ("dx",), "wrong-derivative"),
    Entry(NNFS, "Activation_Sigmoid_wrong_derivative", "sigmoid", ("dx",), "wrong-derivative"),
    Entry(NNFS, "Activation_Softmax_wrong_derivative", "softmax", ("dx",), "wrong-derivative"),
    Entry(NNFS, "Loss_MeanSquaredError_scaled", "mse", ("dx",), "scaled", "more than 1 output"),
    Entry(
        NNFS,
        "Activation_Softmax_Loss_CategoricalCrossentropy_scaled",
        "softmax-ce",
        ("dx",),
        "scaled",
        "batch > 1",
    ),
    Entry(NNFS, "Layer_Dropout_mask_not_rescaled", "dropout", ("dx",), "mask-not-rescaled"),
    Entry(MEDIUM, "FCLayerStaleWeights", "dense", ("dx",), "stale-weights"),
    Entry(MEDIUM, "FCLayerLearningRateIgnored", "dense", ("db",), "learning-rate-ignored"),
    Entry(MEDIUM, "tanh_layer_wrong_derivative", "tanh", ("dx",), "wrong-derivative"),
    Entry(CS231N, "affine_no_reshape_forward", "dense", ("dx",), "wrong-shape", "4-D inputs"),
    Entry(CS231N, "affine_wrong_axis_backward", "dense", ("db",), "wrong-axis"),
    Entry(
        CS231N,
        "affine_square_only_forward",
        "dense",
        ("dx", "dW", "db", "untouched"),
        None,
        "non-square layers",
    ),
    Entry(CS231N, "relu_in_place_forward", "relu", ("untouched",), "in-place"),
    Entry(CS231N, "conv_flipped_forward", "conv", ("dx",), "kernel-not-flipped"),
    Entry(CS231N, "conv_stride_forward", "conv", ("dx", "dw"), "stride-ignored", "stride 2"),
    Entry(CS231N, "conv_padding_forward", "conv", ("dx",), "padding-wrong", "padding >= 1"),
    Entry(CS231N, "max_pool_all_ties_forward", "max-pool", ("dx",), "pool-routing", "ties"),
    Entry(
        CS231N, "max_pool_unravel_forward", "max-pool", ("dx",), "pool-routing", "pools that are not square"
    ),
    Entry(CS231N, "batchnorm_no_mean_forward", "batch-norm", ("dx",), "mean-term-missing"),
    Entry(CS231N, "batchnorm_unbiased_forward", "batch-norm", ("dx",), "variance-mismatch"),
    Entry(CS231N, "dropout_not_rescaled_forward", "dropout", ("dx",), "mask-not-rescaled"),
    Entry(CS231N, "softmax_loss_not_averaged", "softmax-ce", ("dx",), "scaled", "batch > 1"),
    Entry(CS231N, "svm_loss_uncounted", "svm", ("dx",), None),
]
