"""An inverted-file index over ALS's item factors: a request's best items by inner product without reading
every item's factors.

On a 50k-item catalogue the exact scores read the whole 50,000 × 64 float32 item-factor matrix per request
(12.8 MB, about 2 ms of one core, the largest single cost of a request). The index splits the items into
k-means cells (about sqrt(items)), keeps each cell's factors side by side, and scores a request's vectors
against the centroids first: only the items in the best ``probes`` cells are scored exactly.

Written with scikit-learn's k-means and NumPy rather than faiss-cpu's ``IndexIVFFlat``: on the 50k-item
synthetic model both give the same candidates for the same cells, and one request of one or two vectors
is dominated by per-call overhead, where NumPy's gather + one small matmul was as fast or faster (measured
in the README's "Requests in milliseconds"), with no new dependency and plain arrays to save.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tendero.recommend.generators.sparse import top_unblocked

# A search reads at least this many times the items it is asked for.
FILL = 4
# Below this many items the exact scores (one matmul over every item) are cheap: no index.
INDEX_MIN_ITEMS = 20_000


@dataclass
class FactorIndex:
    """k-means cells over item factors; ``order`` lists the items cell by cell (``offsets`` bound each cell),
    ``factors`` holds their factors in that order so that a cell is one contiguous read."""

    centroids: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    order: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    offsets: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))
    factors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    probes: int = 0

    @property
    def cells(self) -> int:
        return len(self.centroids)

    def __bool__(self) -> bool:
        return self.cells > 0

    @classmethod
    def build(
        cls, item_factors: np.ndarray, cells: int | None = None, probes: int | None = None, seed: int = 0
    ) -> FactorIndex:
        """Cells by k-means over the item factors (``cells``: about sqrt(items) when not given); ``probes``:
        how many cells a search reads (a tenth of the cells, at least 8, when not given)."""
        from sklearn.cluster import KMeans
        from threadpoolctl import threadpool_limits

        item_factors = np.ascontiguousarray(item_factors, np.float32)
        n_items = len(item_factors)
        if n_items == 0:
            return cls()
        cells = int(cells or max(1, round(np.sqrt(n_items))))
        cells = min(cells, n_items)
        # k-means on a sample is as good for cells this large and keeps the build to seconds.
        rng = np.random.default_rng(seed)
        sample = item_factors[rng.choice(n_items, min(n_items, cells * 64), replace=False)]
        with threadpool_limits(1, "blas"):
            kmeans = KMeans(n_clusters=cells, n_init=1, max_iter=25, random_state=seed).fit(sample)
        centroids = np.ascontiguousarray(kmeans.cluster_centers_, np.float32)
        assignment = _nearest(item_factors, centroids)
        return cls.from_assignment(item_factors, centroids, assignment, probes)

    @classmethod
    def from_assignment(
        cls, item_factors: np.ndarray, centroids: np.ndarray, assignment: np.ndarray, probes: int | None = None
    ) -> FactorIndex:
        cells = len(centroids)
        order = np.argsort(assignment, kind="stable").astype(np.int64)
        offsets = np.zeros(cells + 1, np.int64)
        np.cumsum(np.bincount(assignment, minlength=cells), out=offsets[1:])
        return cls(
            centroids=np.ascontiguousarray(centroids, np.float32),
            order=order,
            offsets=offsets,
            factors=np.ascontiguousarray(item_factors[order], np.float32),
            probes=int(probes or min(cells, max(8, cells // 10))),
        )

    def add(self, item_factors: np.ndarray) -> FactorIndex:
        """The index over ``item_factors`` whose first ``len(self.order)`` rows it already covers: new items
        join their nearest cell (the cells stay as fitted; a full refit re-clusters)."""
        known = len(self.order)
        assignment = np.empty(len(item_factors), np.int64)
        assignment[self.order] = np.repeat(np.arange(self.cells), np.diff(self.offsets))
        assignment[known:] = _nearest(np.asarray(item_factors[known:], np.float32), self.centroids)
        return FactorIndex.from_assignment(item_factors, self.centroids, assignment, self.probes)

    def probed(self, vector: np.ndarray, take: int, probes: int | None = None) -> np.ndarray:
        """The cells a search for ``vector`` reads: the ``probes`` whose centroids score best, and further
        cells in that order until they hold ``FILL`` × ``take`` items (k-means leaves some cells small)."""
        ranked = np.argsort(-(self.centroids @ vector), kind="stable")
        held = np.cumsum(np.diff(self.offsets)[ranked])
        count = max(min(self.cells, probes or self.probes), int(np.searchsorted(held, FILL * take)) + 1)
        return ranked[:count]

    def search(
        self, vectors: np.ndarray, take: int, blocked: np.ndarray, probes: int | None = None
    ) -> list[np.ndarray]:
        """For each of ``vectors`` (rows), the positions of up to ``take`` unblocked items with the highest
        inner product among the items of the cells that score best against any of them (``probed``; every
        cell: the exact answer). The vectors share one read of the union of their cells."""
        vectors = np.atleast_2d(np.asarray(vectors, np.float32))
        cells = np.unique(np.concatenate([self.probed(vector, take, probes) for vector in vectors]))
        starts, ends = self.offsets[cells], self.offsets[cells + 1]
        lengths = ends - starts
        rows = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))
        items = self.order[rows]
        scores = self.factors[rows] @ vectors.T
        pool_blocked = blocked[items]
        return [items[top_unblocked(scores[:, column], take, pool_blocked)] for column in range(len(vectors))]

    # -- persistence ---------------------------------------------------------------------------
    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        assignment = np.repeat(np.arange(self.cells), np.diff(self.offsets))
        cell_of = np.empty(len(self.order), np.int64)
        cell_of[self.order] = assignment
        return {f"{prefix}_centroids": self.centroids, f"{prefix}_cells": cell_of}

    def settings(self) -> dict[str, Any]:
        return {"cells": self.cells, "probes": self.probes}

    @classmethod
    def restore(
        cls, arrays: Mapping[str, np.ndarray], prefix: str, item_factors: np.ndarray, probes: int
    ) -> FactorIndex | None:
        """The saved index, or None where the model was saved without one."""
        if f"{prefix}_centroids" not in arrays:
            return None
        return cls.from_assignment(item_factors, arrays[f"{prefix}_centroids"], arrays[f"{prefix}_cells"], probes)


def _nearest(points: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Each point's nearest centroid (squared Euclidean), in blocks to bound memory."""
    norms = (centroids.astype(np.float64) ** 2).sum(axis=1)
    out = np.empty(len(points), np.int64)
    for start in range(0, len(points), 8192):
        block = points[start : start + 8192].astype(np.float64)
        out[start : start + 8192] = np.argmin(norms[None, :] - 2.0 * block @ centroids.T.astype(np.float64), axis=1)
    return out


class FactorScores:
    """ALS's scores of some users (their factor ``vectors``, one per row) over every item, computed only where
    read: ``scores[row, items]`` is the exact dot product for those items (the ranker's feature), and
    ``top(row, take, blocked)`` the candidates, searched in the index. It stands in for the dense
    users × items score matrix, which on a large catalogue costs a read of every item's factors."""

    def __init__(self, vectors: np.ndarray, item_factors: np.ndarray, index: FactorIndex) -> None:
        self.vectors = np.atleast_2d(np.asarray(vectors, np.float32))
        self.item_factors = item_factors
        self.index = index

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.vectors), len(self.item_factors)

    def __getitem__(self, key: tuple[int, np.ndarray]) -> np.ndarray:
        row, items = key
        return self.item_factors[np.asarray(items, np.int64)] @ self.vectors[row]

    def top(self, row: int, take: int, blocked: np.ndarray) -> np.ndarray:
        """Up to ``take`` unblocked items of the best inner products found in the probed cells; the exact
        answer (every item scored) where the probed cells hold too few unblocked items (heavy filters)."""
        found = self.index.search(self.vectors[row], take, blocked)[0]
        if len(found) < take:
            return top_unblocked(self.item_factors @ self.vectors[row], take, blocked)
        return found
