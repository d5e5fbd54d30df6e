"""Starts 40 sleeping children each time it builds a network (each ends by itself after 30 s)."""

import os
import time

from _flipped import flipped, record

PIDS = record("forked.pids")


def make(layers, activation):
    for _ in range(40):
        pid = os.fork()
        if pid == 0:
            time.sleep(30)
            os._exit(0)
        with open(PIDS, "a") as stream:
            stream.write(f"{pid}\n")
    return flipped(layers, activation)
