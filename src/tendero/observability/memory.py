"""Resident memory of this process: now, and its high-water mark since the last reset.

The fit stages and a version's serving figures read memory here rather than through ``tracemalloc``: resident
memory counts the native buffers (Arrow's, LightGBM's, BLAS's) that ``tracemalloc`` misses, and ``tracemalloc``'s
``stop()`` races other threads' raw allocations on Python 3.11 (cpython#128679: a training child crashed in CI).
The high-water mark resets where Linux allows it (``/proc/self/clear_refs``); elsewhere it is the process's peak.
"""

from __future__ import annotations

import resource
import sys
from contextlib import suppress
from pathlib import Path

_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_mb(field: str) -> float | None:
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith(f"{field}:"):
                return float(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def peak_mb() -> float:
    """The process's peak resident memory in MB (since the last reset, where resets work)."""
    peak = _status_mb("VmHWM")
    if peak is not None:
        return peak
    maximum = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maximum / 2**20 if sys.platform == "darwin" else maximum / 1024.0


def resident_mb() -> float:
    """The process's resident memory now, in MB (its peak where the system does not say)."""
    now = _status_mb("VmRSS")
    return now if now is not None else peak_mb()


def reset_peak() -> None:
    """Start a new peak-memory window (Linux: writing 5 to clear_refs resets the high-water mark)."""
    with suppress(OSError):
        _CLEAR_REFS.write_text("5")
