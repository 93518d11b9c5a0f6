"""Item-based kNN: cosine similarity between item columns, shrunk, the top neighbours kept per item."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from tendero.recommend.generators.sparse import (
    binary,
    csr_arrays,
    csr_from_arrays,
    dense_top_k_rows,
    sparse_rows_sum,
)


@dataclass
class ItemKnn:
    """Cosine item-item neighbours (``shrink`` damps pairs seen together only a few times)."""

    neighbours: int = 100
    shrink: float = 10.0
    similarity: sp.csr_matrix = field(default_factory=lambda: sp.csr_matrix((0, 0), dtype=np.float32))

    def fit(self, matrix: sp.csr_matrix) -> ItemKnn:
        items = binary(matrix.T.tocsr())
        counts = np.asarray(items.sum(axis=1)).ravel().astype(np.float32)
        roots = np.sqrt(counts)
        blocks = []
        items_t = items.T.tocsr()
        for start in range(0, items.shape[0], 2048):
            co = (items[start : start + 2048] @ items_t).toarray()
            rows = np.arange(start, min(start + 2048, items.shape[0]))
            co[np.arange(len(rows)), rows] = 0.0
            cosine = co / (roots[rows, None] * roots[None, :] + self.shrink + 1e-9)
            blocks.append(dense_top_k_rows(cosine, self.neighbours))
        self.similarity = sp.vstack(blocks).tocsr() if blocks else sp.csr_matrix((0, 0), dtype=np.float32)
        return self

    def scores(self, history: sp.csr_matrix) -> np.ndarray:
        return np.asarray((history @ self.similarity).toarray())

    def row_scores(self, items: np.ndarray, weights: np.ndarray) -> np.ndarray:
        weights = np.atleast_2d(weights)
        return np.vstack([sparse_rows_sum(self.similarity, items, w) for w in weights])

    # -- persistence ---------------------------------------------------------------------------
    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return csr_arrays(prefix, self.similarity)

    def settings(self) -> dict[str, Any]:
        return {"neighbours": self.neighbours, "shrink": self.shrink}

    @classmethod
    def restore(cls, arrays: Mapping[str, np.ndarray], prefix: str, settings: Mapping[str, Any]) -> ItemKnn:
        return cls(
            neighbours=int(settings.get("neighbours", 100)),
            shrink=float(settings.get("shrink", 10.0)),
            similarity=csr_from_arrays(arrays, prefix),
        )
