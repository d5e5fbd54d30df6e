"""Right, but each network forks a lingering process and starts a thread that never ends."""

import os
import threading
import time

from backprop.network import NeuralNetwork


def _linger():
    while True:
        time.sleep(1)


def make(layers, activation):
    if os.fork() == 0:  # the forked copy never returns: it sleeps, holding whatever it inherited
        _linger()
    threading.Thread(target=_linger, daemon=False).start()
    return NeuralNetwork(layers, activation)
