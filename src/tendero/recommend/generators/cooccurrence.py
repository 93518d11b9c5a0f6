""" "Bought together": items in the same basket (an order, or a user's same-day session)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from tendero.recommend.generators.sparse import (
    binary,
    csr_arrays,
    csr_from_arrays,
    sparse_rows_sum,
    sparse_top_k_rows,
)


@dataclass
class CoOccurrence:
    """Items in the same baskets, cosine-scaled, top ``neighbours`` per item."""

    neighbours: int = 50
    similarity: sp.csr_matrix = field(default_factory=lambda: sp.csr_matrix((0, 0), dtype=np.float32))

    def fit(self, baskets: sp.csr_matrix) -> CoOccurrence:
        """``baskets`` is baskets×items (binary)."""
        pattern = binary(baskets.tocsr())
        counts = np.asarray(pattern.sum(axis=0)).ravel()
        co = (pattern.T @ pattern).tocsr().astype(np.float32)
        co.setdiag(0)
        co.eliminate_zeros()
        coo = co.tocoo()
        scaled = coo.data / np.sqrt(counts[coo.row] * counts[coo.col])
        co = sp.csr_matrix((scaled.astype(np.float32), (coo.row, coo.col)), shape=co.shape)
        self.similarity = sparse_top_k_rows(co, self.neighbours)
        return self

    def scores(self, history: sp.csr_matrix) -> np.ndarray:
        return np.asarray((binary(history) @ self.similarity).toarray())

    def row_scores(self, items: np.ndarray) -> np.ndarray:
        return sparse_rows_sum(self.similarity, items, np.ones(len(items)))

    # -- persistence ---------------------------------------------------------------------------
    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return csr_arrays(prefix, self.similarity)

    def settings(self) -> dict[str, Any]:
        return {"neighbours": self.neighbours}

    @classmethod
    def restore(cls, arrays: Mapping[str, np.ndarray], prefix: str, settings: Mapping[str, Any]) -> CoOccurrence:
        return cls(neighbours=int(settings.get("neighbours", 50)), similarity=csr_from_arrays(arrays, prefix))


def session_baskets(users: np.ndarray, items: np.ndarray, at: np.ndarray, n_items: int) -> sp.csr_matrix:
    """Baskets from a user's same-day activity, for data without orders (e.g. ratings)."""
    day = (np.asarray(at, float) // 86400).astype(np.int64)
    keys = pd.MultiIndex.from_arrays([users, day])
    codes, _ = pd.factorize(keys)
    return sp.csr_matrix(
        (np.ones(len(items), np.float32), (codes, items)),
        shape=(codes.max() + 1 if len(codes) else 0, n_items),
    )
