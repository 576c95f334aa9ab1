"""What machine a benchmark ran on, for the line every benchmark prints first (ratios only mean something
beside the cores, the CPU and how busy it was)."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def describe() -> str:
    """Cores this process may use (and online), the CPU model, the Python version."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 0
    return f"{cores} cores ({os.cpu_count()} online), {model}, Python {platform.python_version()}"


def load() -> str:
    """The load averages over 1, 5 and 15 minutes."""
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except (OSError, AttributeError):
        return "?"
