"""The output contract shared by every bench, and helpers to measure time and memory honestly."""

from __future__ import annotations

import json
import math
import resource
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tendero.observability.timing import percentile_ms as percentile_ms  # the benches time with it too

Results = dict[str, dict[str, float]]


def bench_report(bench: str, data: str, params: Mapping[str, Any], results: Results) -> dict[str, Any]:
    """Build the one object every bench prints: ``{"bench", "data", "params", "results"}``.

    ``results`` maps METHOD (``tendero`` for ours, baselines by name) to METRIC -> number; metric
    keys are lower-case. Non-finite numbers become ``null`` so the output stays valid JSON.
    """
    clean: dict[str, dict[str, float | None]] = {}
    for method, metrics in results.items():
        clean[method] = {}
        for metric, value in metrics.items():
            number = float(value)
            clean[method][metric.lower()] = number if math.isfinite(number) else None
    return {"bench": bench, "data": data, "params": dict(params), "results": clean}


def log(message: str) -> None:
    """Progress for a person watching: always stderr, so stdout carries only the JSON."""
    print(message, file=sys.stderr, flush=True)


def emit(report: Mapping[str, Any], as_json: bool) -> None:
    """Print the report: one JSON object on stdout, or a readable table."""
    if as_json:
        sys.stdout.write(json.dumps(report) + "\n")
        return
    print(f"bench {report['bench']} on {report['data']}")
    print(f"params: {json.dumps(report['params'])}")
    for method, metrics in report["results"].items():
        shown = ", ".join(f"{k}={_fmt(v)}" for k, v in metrics.items())
        print(f"  {method:>16}: {shown}")


def _fmt(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.4g}"


@dataclass
class Stopwatch:
    """Wall seconds and peak resident memory of a block (peak is the process high-water mark)."""

    seconds: float = 0.0
    peak_mb: float = 0.0
    _start: float = field(default=0.0, repr=False)

    @contextmanager
    def running(self) -> Iterator[Stopwatch]:
        self._start = time.perf_counter()
        try:
            yield self
        finally:
            self.seconds = time.perf_counter() - self._start
            self.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
