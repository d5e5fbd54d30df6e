"""How large the terms behind a network's loss and its derivatives are, for honest rounding budgets.

Rounding does not scale with a value but with the terms it was summed from. A loss of 0.04
whose output is 0.09 = Σ of terms near 11 carries the rounding of those terms, and so does
a float32 gradient whose residual A − y cancels. Two first-order bounds, both from one
backward pass in float64 (with f' measured, since the implementation's own is under test):

- the size of the loss's terms for perturbations of layer l: |L| + Σ|∂L/∂A|·|A| +
  Σ over layers m ≥ l of Σ_k |∂L/∂z_k|·(|a|·|W|)_k, so that eps times it is the loss's noise;
- the size of the terms of ∂L/∂W[i, j]: |a_i|·T_j, where T backpropagates absolute values
  (|A| + |y| in place of A − y), bounding what any order of summation can do in float32.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..losses import Loss
from .functions import central_difference


@dataclass(frozen=True)
class Sensitivity:
    loss_size: list[float]
    """Per layer: the size of the loss's terms, as seen by perturbations of that layer."""
    term_size: list[NDArray]
    """Per layer: the size of the terms that make up ∂L/∂z (one value per unit)."""


def sensitivity(weights: list[NDArray], inputs: list[NDArray], z: list[NDArray], outputs: list[NDArray],
                functions: list, y: NDArray, loss: Loss, loss0: float,
                output_terms: NDArray | None = None) -> Sensitivity:
    """Backpropagate the loss gradient and its absolute-value bound through the layers.

    `output_terms` replaces |A| in the bound where the output's own rounding is larger than A
    (a relu output that cancels: see Chain.input_terms).
    """
    slopes = [np.abs(central_difference(f, zl).value) if zl.size else zl for f, zl in zip(functions, z)]
    output = outputs[-1]
    gradient = loss.output_gradient(output, y)
    residual = np.abs(output - y)
    ratio = np.divide(np.abs(gradient), residual, out=np.ones_like(residual), where=residual > 0)
    dz = gradient * slopes[-1]
    size_of_a = np.abs(output) if output_terms is None else np.maximum(np.abs(output), output_terms)
    terms = (np.abs(gradient) + (size_of_a + np.abs(y)) * ratio) * slopes[-1]
    dzs, term_sizes = [dz], [terms]
    for layer in range(len(weights) - 2, -1, -1):
        dz = (weights[layer + 1] @ dz) * slopes[layer]
        terms = (np.abs(weights[layer + 1]) @ terms) * slopes[layer]
        dzs.insert(0, dz)
        term_sizes.insert(0, terms)
    forward = [float(np.abs(d) @ (np.abs(a) @ np.abs(w))) for d, a, w in zip(dzs, inputs, weights)]
    base = abs(loss0) + float(np.abs(gradient) @ np.abs(output))
    loss_size = [base + sum(forward[layer:]) for layer in range(len(weights))]
    return Sensitivity(loss_size, term_sizes)
