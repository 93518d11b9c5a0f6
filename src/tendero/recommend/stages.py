"""Where a fit spends its time and memory: wall and CPU seconds and peak resident memory per stage.

Peak memory per stage is the process's resident high-water mark (``observability.memory``), reset at each stage's
start where Linux allows it; elsewhere it is the process's peak so far.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from tendero.observability.memory import peak_mb, reset_peak


@dataclass
class Stages:
    """Named stages in the order they ran; a stage run twice adds up (its peak is the larger)."""

    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    peak_mb: dict[str, float] = field(default_factory=dict)

    _open: list[float] = field(default_factory=list, repr=False)  # peaks of the enclosing stages' children

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time ``name``; stages may nest (an enclosing stage's peak includes its inner stages')."""
        reset_peak()
        self._open.append(0.0)
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - wall
            self.cpu_seconds[name] = self.cpu_seconds.get(name, 0.0) + time.process_time() - cpu
            peak = max(peak_mb(), self._open.pop())
            self.peak_mb[name] = max(self.peak_mb.get(name, 0.0), peak)
            if self._open:
                self._open[-1] = max(self._open[-1], peak)

    def report(self) -> dict[str, dict[str, float]]:
        """``{stage: {"seconds", "cpu_seconds", "peak_mb"}}``, JSON-ready, rounded."""
        return {
            name: {
                "seconds": round(self.seconds[name], 3),
                "cpu_seconds": round(self.cpu_seconds[name], 3),
                "peak_mb": round(self.peak_mb[name], 1),
            }
            for name in self.seconds
        }
