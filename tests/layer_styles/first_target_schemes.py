"""fit trains every row on the first row's target, in two other schemes than the article's: the full
batch (full_batch_sum.py) and every row in order (every_row.py).

Must fail: fit-two-samples (wrong-target), whichever scheme fit follows: the battery's probe of the
fit's scheme trains on rows with distinct targets.
"""

import numpy as np
from every_row import EveryRowNetwork
from full_batch_sum import FullBatchNetwork


class FirstTarget:
    """What each scheme's fit is given: y[0] for every row, where y[i] belongs."""

    def fit(self, X, y, learning_rate=0.1, epochs=10000):
        y = np.asarray(y, dtype=float).reshape(len(X), -1)
        super().fit(X, np.repeat(y[:1], len(X), axis=0), learning_rate, epochs)  # the mistake


class FullBatchFirstTarget(FirstTarget, FullBatchNetwork):
    pass


class EveryRowFirstTarget(FirstTarget, EveryRowNetwork):
    pass


def full_batch(layers, activation):
    return FullBatchFirstTarget(layers, activation)


def every_row(layers, activation):
    return EveryRowFirstTarget(layers, activation)
