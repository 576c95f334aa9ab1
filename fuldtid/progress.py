"""A quiet progress line on stderr for long runs: shown only on a terminal, and only once a run has
taken more than a second, so small exports and pipes see nothing."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class TerminalProgress:
    """Call with the name of each step as it starts; the line is redrawn in place."""

    def __init__(self, total: int, stream: TextIO | None = None, delay: float = 1.0) -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.delay = delay
        self.start = time.monotonic()
        self.done = 0
        self.shown = False
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())

    def __call__(self, label: str) -> None:
        self.done += 1
        if not self.enabled or time.monotonic() - self.start < self.delay:
            return
        width = 20
        filled = int(width * min(self.done - 1, self.total) / max(self.total, 1))
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r[{bar}] {label:<40.40}")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 64 + "\r")
            self.stream.flush()
