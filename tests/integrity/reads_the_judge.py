"""Records what it can see of the judge when imported: its arguments, environment and working directory."""

import json
import os
import sys

from _flipped import flipped, record

RECORD = record("seen.json")

with open(RECORD, "w") as stream:
    with open("/proc/self/cmdline", "rb") as cmdline:
        own = cmdline.read().decode(errors="replace").split("\0")
    json.dump({"argv": sys.argv, "cmdline": own, "environ": dict(os.environ), "cwd": os.getcwd(),
               "stdin_is_tty": os.isatty(0)}, stream)


def make(layers, activation):
    return flipped(layers, activation)
