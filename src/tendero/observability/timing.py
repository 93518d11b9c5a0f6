"""Latency figures shared by the registry (a version's serving figures) and the benches."""

from __future__ import annotations

import math


def percentile_ms(durations_s: list[float], pct: float) -> float:
    """The ``pct`` percentile of durations given in seconds, in milliseconds."""
    if not durations_s:
        return float("nan")
    ordered = sorted(durations_s)
    index = min(len(ordered) - 1, max(0, math.ceil(pct / 100.0 * len(ordered)) - 1))
    return ordered[index] * 1000.0
