"""Leaves a process behind (double fork and a session of its own) that writes a file after the check.

The grandchild writes its pid at once, then sleeps and writes LATE; it gives up after 20 s whatever
happens, so it cannot outlive the test by long even if nothing killed it."""

import os
import time

from _flipped import flipped, record

PIDS = record("detached.pids")
LATE = record("written-late.txt")


def _detach():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            with open(PIDS, "a") as stream:
                stream.write(f"{os.getpid()}\n")
            time.sleep(3)
            with open(LATE, "w") as stream:
                stream.write("a process of the code under test outlived its check\n")
            time.sleep(17)
        os._exit(0)


def make(layers, activation):
    _detach()
    return flipped(layers, activation)
