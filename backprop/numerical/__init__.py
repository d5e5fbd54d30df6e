"""Numerical derivatives that can be trusted: each comes with an error budget per element.

Central differences (step eps^(1/3)·max(1, |x|), budget = truncation + rounding), the
complex step (exact to a few ulps where the code accepts complex numbers), Richardson
extrapolation, directional and Taylor-remainder checks, kink-aware comparisons, and a
vectorised engine that gives every weight of a layered network its central difference
without one forward pass per weight.
"""

from .comparison import DEFAULT_SAFETY, Comparison, compare
from .complex_step import complex_step
from .directional import TaylorResult, directional_check, network_directional_check, taylor_test
from .estimate import Estimate, Kink
from .functions import central_difference, richardson
from .layered import (
    Unmovable,
    ambiguous_units,
    numerical_weight_gradients,
    preactivation_gradient_estimates,
    weight_gradient_estimates,
)
from .perturb import parameter_gradient_estimates

__all__ = [
    "Unmovable",
    "DEFAULT_SAFETY",
    "Comparison",
    "Estimate",
    "Kink",
    "TaylorResult",
    "ambiguous_units",
    "central_difference",
    "compare",
    "complex_step",
    "directional_check",
    "network_directional_check",
    "numerical_weight_gradients",
    "parameter_gradient_estimates",
    "preactivation_gradient_estimates",
    "richardson",
    "taylor_test",
    "weight_gradient_estimates",
]
