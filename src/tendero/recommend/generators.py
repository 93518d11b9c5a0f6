"""Candidate generators: each scores the whole catalogue for a batch of users from their history rows.

All generators share one shape: ``fit(...)`` on a users×items CSR matrix (or item texts), then
``scores(history) -> dense (n_users × n_items)`` where ``history`` is the users' CSR rows. Scoring
from history rows (instead of stored user ids) gives fold-in for free: a user who was not in the
training data is scored from whatever they did since.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from tendero.recommend.evaluation import SplitMode, evaluate_scorer, split_pairs


def _binary(matrix: sp.csr_matrix) -> sp.csr_matrix:
    out = matrix.copy().astype(np.float32)
    out.data[:] = 1.0
    return out


def top_k_sparse(similarity: sp.csr_matrix | np.ndarray, k: int) -> sp.csr_matrix:
    """Keep each row's k largest entries (diagonal removed): the neighbour lists served from memory."""
    dense = similarity.toarray() if sp.issparse(similarity) else np.array(similarity, dtype=np.float32)
    n = dense.shape[0]
    if n == 0:
        return sp.csr_matrix((0, dense.shape[1]), dtype=np.float32)
    if dense.shape[0] == dense.shape[1]:
        np.fill_diagonal(dense, 0.0)
    k = min(k, dense.shape[1])
    cols = np.argpartition(-dense, k - 1, axis=1)[:, :k]
    vals = np.take_along_axis(dense, cols, axis=1)
    rows = np.repeat(np.arange(n), k)
    keep = vals.ravel() > 0
    return sp.csr_matrix(
        (vals.ravel()[keep].astype(np.float32), (rows[keep], cols.ravel()[keep])),
        shape=dense.shape,
        dtype=np.float32,
    )


def _chunked_top_k(left: sp.csr_matrix, right_t: sp.csr_matrix, k: int, chunk: int = 2048) -> sp.csr_matrix:
    """Top-k rows of ``left @ right_t`` computed in row chunks so big catalogues stay in memory."""
    blocks = []
    for start in range(0, left.shape[0], chunk):
        block = (left[start : start + chunk] @ right_t).toarray()
        rows = np.arange(start, min(start + chunk, left.shape[0]))
        block[np.arange(len(rows)), rows] = 0.0
        blocks.append(top_k_sparse_rect(block, k))
    return sp.vstack(blocks).tocsr() if blocks else sp.csr_matrix(left.shape[:1] * 2, dtype=np.float32)


def top_k_sparse_rect(dense: np.ndarray, k: int) -> sp.csr_matrix:
    n, m = dense.shape
    k = min(k, m)
    if n == 0 or k == 0:
        return sp.csr_matrix((n, m), dtype=np.float32)
    cols = np.argpartition(-dense, k - 1, axis=1)[:, :k]
    vals = np.take_along_axis(dense, cols, axis=1).ravel()
    rows = np.repeat(np.arange(n), k)
    keep = vals > 0
    return sp.csr_matrix(
        (vals[keep].astype(np.float32), (rows[keep], cols.ravel()[keep])), shape=(n, m), dtype=np.float32
    )


@dataclass
class Popularity:
    """Item popularity: number of users, with recent interactions counting more (half-life in days)."""

    half_life_days: float | None = 60.0
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    recent: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))

    def fit(self, matrix: sp.csr_matrix, at: sp.csr_matrix | None = None) -> Popularity:
        self.counts = np.asarray(_binary(matrix).sum(axis=0)).ravel().astype(np.float32)
        if at is not None and at.nnz and self.half_life_days:
            times = at.tocoo()
            age = (times.data.max() - times.data) / 86400.0
            decayed = sp.csr_matrix((np.power(0.5, age / self.half_life_days), (times.row, times.col)), at.shape)
            self.recent = np.asarray(decayed.sum(axis=0)).ravel().astype(np.float32)
        else:
            self.recent = self.counts.copy()
        return self

    def scores(self, history: sp.csr_matrix) -> np.ndarray:
        base = np.log1p(self.counts)
        return np.broadcast_to(base, (history.shape[0], len(base))).copy()


@dataclass
class Ease:
    """EASE (Steck 2019): closed-form item-item weights B = I - P/diag(P), P = (XᵀX + λI)⁻¹.

    Only items with at least one interaction get a row and column (``items``): a never-touched
    item has all-zero weights anyway, and leaving it out keeps the inverse small.
    """

    l2: float = 250.0
    weights: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    items: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    n_items: int = 0

    def fit(self, matrix: sp.csr_matrix) -> Ease:
        self.n_items = matrix.shape[1]
        self.items = interacted_items(matrix)
        sub = matrix.tocsc()[:, self.items]
        gram = (sub.T @ sub).toarray().astype(np.float64)
        self.weights = self.solve(gram, self.l2)
        return self

    @staticmethod
    def solve(gram: np.ndarray, l2: float) -> np.ndarray:
        n = gram.shape[0]
        if n == 0:
            return np.zeros((0, 0), np.float32)
        regularised = gram.copy()
        regularised[np.diag_indices(n)] += l2
        precision = np.linalg.inv(regularised)
        weights = precision / (-np.diag(precision))
        weights[np.diag_indices(n)] = 0.0
        return weights.astype(np.float32)

    def scores(self, history: sp.csr_matrix) -> np.ndarray:
        out = np.zeros((history.shape[0], self.n_items), np.float32)
        if len(self.items):
            out[:, self.items] = np.asarray(history.tocsc()[:, self.items] @ self.weights)
        return out

    def full_row(self, item: int) -> np.ndarray:
        """Weights from ``item`` to every catalogue item (zeros for items outside the model)."""
        out = np.zeros(self.n_items, np.float64)
        where = np.searchsorted(self.items, item)
        if where < len(self.items) and self.items[where] == item:
            out[self.items] = self.weights[where]
        return out

    def column(self, rows: np.ndarray, item: int) -> np.ndarray:
        """Weights from each of ``rows`` (catalogue positions) to ``item``."""
        out = np.zeros(len(rows), np.float64)
        col = np.searchsorted(self.items, item)
        if col >= len(self.items) or self.items[col] != item:
            return out
        where = np.searchsorted(self.items, rows)
        inside = (where < len(self.items)) & (self.items[np.minimum(where, len(self.items) - 1)] == rows)
        out[inside] = self.weights[where[inside], col]
        return out


def interacted_items(matrix: sp.csr_matrix) -> np.ndarray:
    return np.flatnonzero(np.diff(matrix.tocsc().indptr) > 0).astype(np.int64)


@dataclass
class ItemKnn:
    """Item-based kNN: cosine similarity between item columns, shrunk, top ``neighbours`` kept per item."""

    neighbours: int = 100
    shrink: float = 10.0
    similarity: sp.csr_matrix = field(default_factory=lambda: sp.csr_matrix((0, 0), dtype=np.float32))

    def fit(self, matrix: sp.csr_matrix) -> ItemKnn:
        items = _binary(matrix.T.tocsr())
        counts = np.asarray(items.sum(axis=1)).ravel().astype(np.float32)
        roots = np.sqrt(counts)
        blocks = []
        items_t = items.T.tocsr()
        for start in range(0, items.shape[0], 2048):
            co = (items[start : start + 2048] @ items_t).toarray()
            rows = np.arange(start, min(start + 2048, items.shape[0]))
            co[np.arange(len(rows)), rows] = 0.0
            cosine = co / (roots[rows, None] * roots[None, :] + self.shrink + 1e-9)
            blocks.append(top_k_sparse_rect(cosine, self.neighbours))
        self.similarity = sp.vstack(blocks).tocsr() if blocks else sp.csr_matrix((0, 0), dtype=np.float32)
        return self

    def scores(self, history: sp.csr_matrix) -> np.ndarray:
        return np.asarray((history @ self.similarity).toarray())


@dataclass
class Als:
    """Implicit ALS (Hu, Koren, Volinsky) via ``implicit``; users are folded in from their history rows."""

    factors: int = 64
    regularization: float = 0.05
    alpha: float = 2.0
    iterations: int = 15
    seed: int = 0
    item_factors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    user_factors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    _gram: np.ndarray | None = field(default=None, repr=False)

    def fit(self, matrix: sp.csr_matrix, threads: int = 0) -> Als:
        from implicit.cpu.als import AlternatingLeastSquares
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1, "blas"):  # implicit runs its own threads; nested BLAS threads only slow it
            model = AlternatingLeastSquares(
                factors=self.factors,
                regularization=self.regularization,
                alpha=self.alpha,
                iterations=self.iterations,
                random_state=self.seed,
                num_threads=threads,
            )
            model.fit(matrix.tocsr().astype(np.float32), show_progress=False)
        self.item_factors = np.ascontiguousarray(model.item_factors, dtype=np.float32)
        self.user_factors = np.ascontiguousarray(model.user_factors, dtype=np.float32)
        self._gram = None
        return self

    def fold_in(self, history: sp.csr_matrix) -> np.ndarray:
        """Exact least-squares user factors for each history row (the ALS user step, no retraining)."""
        factors = self.item_factors
        if self._gram is None:
            self._gram = (factors.T @ factors).astype(np.float64)
        out = np.zeros((history.shape[0], factors.shape[1]), np.float32)
        eye = self.regularization * np.eye(factors.shape[1])
        for row in range(history.shape[0]):
            start, end = history.indptr[row], history.indptr[row + 1]
            if start == end:
                continue
            items = history.indices[start:end]
            # implicit's convention: confidence C = alpha * r, preference 1 on observed items.
            confidence = self.alpha * history.data[start:end].astype(np.float64)
            chosen = factors[items].astype(np.float64)
            lhs = self._gram + eye + (chosen.T * (confidence - 1.0)) @ chosen
            rhs = (confidence[:, None] * chosen).sum(axis=0)
            out[row] = np.linalg.solve(lhs, rhs)
        return out

    def scores(self, history: sp.csr_matrix) -> np.ndarray:
        return self.fold_in(history) @ self.item_factors.T


@dataclass
class ContentSimilarity:
    """TF-IDF over item name, description, category and brand/author; top neighbours per item."""

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
        self.similarity = _chunked_top_k(tfidf, tfidf.T.tocsr(), self.neighbours)
        return self

    def scores(self, history: sp.csr_matrix) -> np.ndarray:
        binary = _binary(history)
        sizes = np.maximum(np.diff(binary.indptr), 1).astype(np.float32)
        return np.asarray((binary @ self.similarity).toarray()) / sizes[:, None]


@dataclass
class CoOccurrence:
    """ "Bought together": items in the same basket (order, or a user's same-day session), cosine-scaled."""

    neighbours: int = 50
    similarity: sp.csr_matrix = field(default_factory=lambda: sp.csr_matrix((0, 0), dtype=np.float32))

    def fit(self, baskets: sp.csr_matrix) -> CoOccurrence:
        """``baskets`` is baskets×items (binary)."""
        binary = _binary(baskets.tocsr())
        counts = np.asarray(binary.sum(axis=0)).ravel()
        co = (binary.T @ binary).tocsr().astype(np.float32)
        co.setdiag(0)
        co.eliminate_zeros()
        coo = co.tocoo()
        scaled = coo.data / np.sqrt(counts[coo.row] * counts[coo.col])
        co = sp.csr_matrix((scaled.astype(np.float32), (coo.row, coo.col)), shape=co.shape)
        self.similarity = _sparse_top_k_rows(co, self.neighbours)
        return self

    def scores(self, history: sp.csr_matrix) -> np.ndarray:
        return np.asarray((_binary(history) @ self.similarity).toarray())


def _sparse_top_k_rows(matrix: sp.csr_matrix, k: int) -> sp.csr_matrix:
    rows, cols, vals = [], [], []
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        if start == end:
            continue
        data = matrix.data[start:end]
        idx = matrix.indices[start:end]
        if len(data) > k:
            keep = np.argpartition(-data, k - 1)[:k]
            data, idx = data[keep], idx[keep]
        rows.append(np.full(len(data), row))
        cols.append(idx)
        vals.append(data)
    if not rows:
        return sp.csr_matrix(matrix.shape, dtype=np.float32)
    return sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=matrix.shape,
        dtype=np.float32,
    )


def session_baskets(users: np.ndarray, items: np.ndarray, at: np.ndarray, n_items: int) -> sp.csr_matrix:
    """Baskets from a user's same-day activity, for data without orders (e.g. ratings)."""
    day = (np.asarray(at, float) // 86400).astype(np.int64)
    keys = pd.MultiIndex.from_arrays([users, day])
    codes, _ = pd.factorize(keys)
    return sp.csr_matrix(
        (np.ones(len(items), np.float32), (codes, items)),
        shape=(codes.max() + 1 if len(codes) else 0, n_items),
    )


# ---------------------------------------------------------------------------------------------
# Hyperparameter tuning on an inner split of the training data only.


@dataclass
class TuningResult:
    params: dict[str, float]
    ndcg: float
    trials: list[dict[str, float]]
    seconds: float


def inner_split(matrix: sp.csr_matrix, at: sp.csr_matrix, mode: SplitMode, seed: int):
    """Split a training matrix per user into inner-train and inner-validation matrices."""
    coo = matrix.tocoo()
    times = at.tocsr()[coo.row, coo.col].A1 if at is not None and at.nnz else np.zeros(coo.nnz)
    test = split_pairs(coo.row, times, mode, seed=seed)
    shape = matrix.shape
    train = sp.csr_matrix((coo.data[~test], (coo.row[~test], coo.col[~test])), shape=shape, dtype=np.float32)
    valid = sp.csr_matrix((coo.data[test], (coo.row[test], coo.col[test])), shape=shape, dtype=np.float32)
    train_at = sp.csr_matrix((times[~test], (coo.row[~test], coo.col[~test])), shape=shape)
    return train, valid, train_at


def tune_ease(train: sp.csr_matrix, valid: sp.csr_matrix, grid=(50.0, 150.0, 400.0, 1000.0), progress=None):
    """Pick EASE's λ by inner-validation NDCG@10 (one Gram matrix, one inverse per λ)."""
    started = time.perf_counter()
    model = Ease(n_items=train.shape[1], items=interacted_items(train))
    sub = train.tocsc()[:, model.items]
    gram = (sub.T @ sub).toarray().astype(np.float64)
    trials = []
    for l2 in grid:
        model.weights = Ease.solve(gram, l2)
        ndcg = evaluate_scorer(lambda u: model.scores(train[u]), train, valid)["ndcg@10"]
        trials.append({"l2": float(l2), "ndcg@10": ndcg})
        if progress:
            progress(f"ease l2={l2:g} ndcg@10={ndcg:.4f}")
    best = max(trials, key=lambda t: t["ndcg@10"])
    return TuningResult({"l2": best["l2"]}, best["ndcg@10"], trials, time.perf_counter() - started)


# With ``implicit``'s confidence C = alpha * r, strong regularisation wins on rating data: the default
# (100 factors, 0.01) loses about a quarter of NDCG@10 on MovieLens-100k.
ALS_SPACE = {
    "factors": (64, 128, 200),
    "regularization": (1.0, 5.0, 20.0, 50.0, 100.0),
    "alpha": (0.5, 1.0, 2.0, 5.0),
    "iterations": (15, 20),
}


def tune_als(
    train: sp.csr_matrix,
    valid: sp.csr_matrix,
    trials: int = 16,
    seed: int = 0,
    progress=None,
    threads: int = 0,
) -> TuningResult:
    """Random search over ALS factors/regularisation/alpha/iterations, scored by inner NDCG@10."""
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    tried: list[dict[str, float]] = []
    seen: set[tuple] = set()
    candidates = [{"factors": 200, "regularization": 50.0, "alpha": 2.0, "iterations": 20}]
    while len(candidates) < trials:
        pick = {name: values[rng.integers(len(values))] for name, values in ALS_SPACE.items()}
        key = tuple(pick.values())
        if key not in seen:
            seen.add(key)
            candidates.append(pick)
    for index, params in enumerate(candidates):
        model = Als(seed=seed, **params).fit(train, threads=threads)
        uf = model.user_factors
        ndcg = evaluate_scorer(lambda u, m=model, f=uf: f[u] @ m.item_factors.T, train, valid)["ndcg@10"]
        tried.append({**{k: float(v) for k, v in params.items()}, "ndcg@10": ndcg})
        if progress:
            progress(f"als trial {index + 1}/{len(candidates)} {params} ndcg@10={ndcg:.4f}")
    best = max(tried, key=lambda t: t["ndcg@10"])
    chosen = {k: v for k, v in best.items() if k != "ndcg@10"}
    return TuningResult(chosen, best["ndcg@10"], tried, time.perf_counter() - started)
