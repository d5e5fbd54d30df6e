"""Tries to read and to write another submission's files and the grader's output files while it is graded.

What it aims at is in `_aims.json` beside it (the test writes it: a sibling submission's file, the
grader's output paths), and it also looks where the grader keeps its work: every folder backprop-* of
/tmp and of the grader's temporary folder, and the working folder of every process of backprop's. It
attacks once, when imported; when any read or write worked, `make` raises with what it got, so the
verdict turns to errored and carries the sibling's secret; when none did, it is the sign-flipped
network and fails as such. Bounded: it writes only at the aimed paths, keeps only what holds the
secret, and looks for at most 3 s.
"""

import glob
import json
import os
import time

from _flipped import flipped

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "_aims.json")) as stream:
    AIMS = json.load(stream)


def _where_the_grader_works():
    """Every file under a folder named backprop-* of the temporary folders, or a backprop process's cwd."""
    folders = []
    for base in {"/tmp", os.path.dirname(os.path.dirname(HERE))}:
        folders += glob.glob(os.path.join(base, "backprop-*"))
    for cmdline in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            with open(cmdline, "rb") as stream:
                if b"backprop" in stream.read():
                    folders.append(os.path.realpath(os.path.join(os.path.dirname(cmdline), "cwd")))
        except OSError:
            continue
    found = []
    for folder in folders:
        for root, _, files in os.walk(folder):  # os.walk says nothing of a folder it cannot enter
            if not os.path.realpath(root).startswith(HERE):
                found += [os.path.join(root, name) for name in files if name.endswith((".py", ".json"))]
    return found


def _attack():
    got = []
    deadline = time.monotonic() + 3
    while True:
        for path in [AIMS["sibling"], *AIMS["outputs"], *_where_the_grader_works()]:
            try:
                with open(path, errors="replace") as stream:
                    text = stream.read(1 << 16)
            except OSError:
                continue
            if AIMS["secret"] in text or path in AIMS["outputs"]:
                got.append(f"read {path}: {text[:200]!r}")
        if got or time.monotonic() > deadline:
            break
        time.sleep(0.2)  # the sibling may not be copied yet
    for path in [AIMS["sibling"], *AIMS["outputs"]]:
        try:
            with open(path, "a") as stream:
                stream.write("\n# FORGED\n")
            got.append(f"wrote {path}")
        except OSError:
            continue
    return got


GOT = _attack()


def make(layers, activation):
    if GOT:
        raise RuntimeError("the attack worked: " + "; ".join(GOT))
    return flipped(layers, activation)
