"""The factory never returns (it waits for input that never comes)."""

import time


def make(layers, activation):
    while True:
        time.sleep(0.01)
