"""The progress line on a terminal: done / total, failing so far, time left; nothing when not a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from .pool import Graded


class Progress:
    """Redraws one line on `stream` after each submission, if `stream` is a terminal."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.shown = bool(getattr(self.stream, "isatty", lambda: False)())
        self.total = total
        self.done = self.failing = self.ungraded = 0
        self.start = time.monotonic()

    def __call__(self, graded: Graded) -> None:
        self.done += 1
        if graded.result is None:
            self.ungraded += 1
        elif not graded.result.get("passed", False):
            self.failing += 1
        if not self.shown:
            return
        elapsed = time.monotonic() - self.start
        left = elapsed / self.done * (self.total - self.done)
        self.stream.write(f"\r{self.done}/{self.total} graded · {self.failing} failing · "
                          f"{self.ungraded} could not be graded · about {left:.0f} s left\033[K")
        self.stream.flush()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
