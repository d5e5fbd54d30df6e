"""Replaces the battery's verdict functions and numpy's comparisons each time it builds a network."""

import numpy as np
from _flipped import flipped


def _attack():
    import backprop.battery.checks as checks
    import backprop.battery.checks.common as common
    import backprop.battery.runner as runner
    from backprop import numerical

    runner.evaluate = lambda *a, **k: common.Evidence("passed", 0.0)
    for name in list(checks.CHECKS):
        checks.CHECKS[name] = lambda *a, **k: common.Evidence("passed", 0.0)
    numerical.compare = lambda *a, **k: None
    np.allclose = lambda *a, **k: True
    np.array_equal = lambda *a, **k: True


def make(layers, activation):
    _attack()
    return flipped(layers, activation)
