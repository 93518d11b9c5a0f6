"""A version's serving figures: the memory its load adds is measured as resident memory, native buffers included."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from tendero.registry.training import measure_serving


class HoldsNativeBuffer:
    """A model whose load fills a 64 MB NumPy buffer (memory ``tracemalloc`` never saw from Arrow or LightGBM)."""

    def __init__(self, weights: np.ndarray) -> None:
        self.weights = weights
        self.metrics: dict[str, float] = {}

    def save(self, folder: Path) -> None:
        (folder / "size").write_text(str(self.weights.size))

    @classmethod
    def load(cls, folder: Path) -> HoldsNativeBuffer:
        return cls(np.ones(int((folder / "size").read_text()), dtype=np.float64))

    def probe(self) -> float:
        return float(self.weights[:10].sum())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the high-water mark resets on Linux only")
def test_serving_memory_counts_what_the_load_holds(tmp_path):
    HoldsNativeBuffer(np.zeros(8 * 2**20)).save(tmp_path)  # 8 Mi float64 = 64 MiB once loaded
    serving = measure_serving(HoldsNativeBuffer, tmp_path, calls=5)  # type: ignore[arg-type]
    assert 60 <= serving["peak_memory_mb"] < 200, serving
    assert serving["p95_ms"] >= serving["p50_ms"] > 0 and serving["load_ms"] > 0
