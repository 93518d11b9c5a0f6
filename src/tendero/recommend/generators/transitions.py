"""Sequential "what comes next": which items follow which, within a few later events of the same user."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from tendero.recommend.generators.sparse import (
    csr_arrays,
    csr_from_arrays,
    sparse_rows_sum,
    sparse_top_k_rows,
)


@dataclass
class Transitions:
    """Sequential "what comes next": how often item j followed item i within ``window`` later events of
    the same user (1/gap weighted), row-normalised, top ``neighbours`` kept. Scored from a recency-weighted
    history, it ranks what usually follows the user's latest items."""

    window: int = 20
    neighbours: int = 100
    similarity: sp.csr_matrix = field(default_factory=lambda: sp.csr_matrix((0, 0), dtype=np.float32))

    def fit(self, at: sp.csr_matrix) -> Transitions:
        """``at``: users×items event times (the pattern says who touched what, the values in which order)."""
        at = at.tocsr()
        n_items = at.shape[1]
        rows = np.repeat(np.arange(at.shape[0]), np.diff(at.indptr))
        order = np.lexsort((at.indices, at.data, rows))
        users, items, times = rows[order], at.indices[order], at.data[order]
        counts = sp.csr_matrix((n_items, n_items), dtype=np.float32)
        for gap in range(1, self.window + 1):
            if gap >= len(items):
                break
            # Only a strictly later event "comes next": items of one basket (or data without times) tie.
            same = (users[gap:] == users[:-gap]) & (times[gap:] > times[:-gap])
            if not same.any():
                continue
            pairs = sp.csr_matrix(
                (np.full(int(same.sum()), 1.0 / gap, np.float32), (items[:-gap][same], items[gap:][same])),
                shape=(n_items, n_items),
            )
            counts = counts + pairs
        counts.setdiag(0)
        counts.eliminate_zeros()
        totals = np.asarray(counts.sum(axis=1)).ravel()
        scaled = sp.diags((1.0 / np.maximum(totals, 1e-12)).astype(np.float32)) @ counts
        self.similarity = sparse_top_k_rows(scaled.tocsr(), self.neighbours)
        return self

    def scores(self, history: sp.csr_matrix) -> np.ndarray:
        """``history``: recency-weighted rows (see ``recency_weights``)."""
        return np.asarray((history @ self.similarity).toarray())

    def row_scores(self, items: np.ndarray, weights: np.ndarray) -> np.ndarray:
        return sparse_rows_sum(self.similarity, items, weights)

    # -- persistence ---------------------------------------------------------------------------
    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return csr_arrays(prefix, self.similarity)

    def settings(self) -> dict[str, Any]:
        return {"window": self.window, "neighbours": self.neighbours}

    @classmethod
    def restore(cls, arrays: Mapping[str, np.ndarray], prefix: str, settings: Mapping[str, Any]) -> Transitions:
        return cls(
            window=int(settings["window"]),
            neighbours=int(settings.get("neighbours", 100)),
            similarity=csr_from_arrays(arrays, prefix),
        )
