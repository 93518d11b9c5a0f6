"""Item popularity: how many users touched each item, and a recency-weighted count."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from tendero.recommend.generators.sparse import binary


@dataclass
class Popularity:
    """Number of users per item, with recent interactions counting more (half-life in days)."""

    half_life_days: float | None = 60.0
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    recent: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))

    def fit(self, matrix: sp.csr_matrix, at: sp.csr_matrix | None = None) -> Popularity:
        self.counts = np.asarray(binary(matrix).sum(axis=0)).ravel().astype(np.float32)
        self._logs = None
        if at is not None and at.nnz and self.half_life_days:
            times = at.tocoo()
            age = (times.data.max() - times.data) / 86400.0
            decayed = sp.csr_matrix((np.power(0.5, age / self.half_life_days), (times.row, times.col)), at.shape)
            self.recent = np.asarray(decayed.sum(axis=0)).ravel().astype(np.float32)
        else:
            self.recent = self.counts.copy()
        return self

    _logs: np.ndarray | None = field(default=None, repr=False, compare=False)
    _order: np.ndarray | None = field(default=None, repr=False, compare=False)

    def scores(self, history: sp.csr_matrix) -> np.ndarray:
        base = self.row_scores()
        return np.broadcast_to(base, (history.shape[0], len(base))).copy()

    def row_scores(self) -> np.ndarray:
        """log(1 + users) per item, computed once: on a 50k catalogue the logarithms cost more than the rest
        of what this generator does per request. Callers must not write into it."""
        if self._logs is None or len(self._logs) != len(self.counts):
            self._logs = np.log1p(self.counts)
        return self._logs

    def most_popular_first(self) -> np.ndarray:
        """Item positions by users, most first (ties by position), sorted once: a request walks its head
        instead of ranking the whole catalogue again."""
        if self._order is None or len(self._order) != len(self.counts):
            self._order = np.argsort(-self.counts, kind="stable")
        return self._order

    # -- persistence ---------------------------------------------------------------------------
    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}_counts": self.counts, f"{prefix}_recent": self.recent}

    def settings(self) -> dict[str, Any]:
        return {"half_life_days": self.half_life_days}

    @classmethod
    def restore(cls, arrays: Mapping[str, np.ndarray], prefix: str, settings: Mapping[str, Any]) -> Popularity:
        return cls(
            half_life_days=settings["half_life_days"],
            counts=arrays[f"{prefix}_counts"],
            recent=arrays[f"{prefix}_recent"],
        )
