"""Content similarity: TF-IDF over each item's text, the top neighbours kept per item.

It is what places an item nobody has touched yet: a new product is similar to others by its words."""

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
    product_top_k_rows,
    sparse_rows_sum,
)


@dataclass
class ContentSimilarity:
    """TF-IDF over item name, description, category and brand/author; top ``neighbours`` per item."""

    neighbours: int = 50
    similarity: sp.csr_matrix = field(default_factory=lambda: sp.csr_matrix((0, 0), dtype=np.float32))

    def fit(self, texts: list[str]) -> ContentSimilarity:
        from sklearn.feature_extraction.text import TfidfVectorizer

        n = len(texts)
        if n == 0 or not any(t.strip() for t in texts):
            self.similarity = sp.csr_matrix((n, n), dtype=np.float32)
            return self
        vectorizer = TfidfVectorizer(min_df=1, max_df=0.5 if n > 20 else 1.0, sublinear_tf=True, dtype=np.float32)
        try:
            tfidf = vectorizer.fit_transform(texts).tocsr()
        except ValueError:  # every token filtered out
            self.similarity = sp.csr_matrix((n, n), dtype=np.float32)
            return self
        self.similarity = product_top_k_rows(tfidf, tfidf.T.tocsr(), self.neighbours)
        return self

    def scores(self, history: sp.csr_matrix) -> np.ndarray:
        pattern = binary(history)
        sizes = np.maximum(np.diff(pattern.indptr), 1).astype(np.float32)
        return np.asarray((pattern @ self.similarity).toarray()) / sizes[:, None]

    def row_scores(self, items: np.ndarray) -> np.ndarray:
        return sparse_rows_sum(self.similarity, items, np.ones(len(items))) / max(len(items), 1)

    # -- persistence ---------------------------------------------------------------------------
    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return csr_arrays(prefix, self.similarity)

    def settings(self) -> dict[str, Any]:
        return {"neighbours": self.neighbours}

    @classmethod
    def restore(cls, arrays: Mapping[str, np.ndarray], prefix: str, settings: Mapping[str, Any]) -> ContentSimilarity:
        return cls(neighbours=int(settings.get("neighbours", 50)), similarity=csr_from_arrays(arrays, prefix))
