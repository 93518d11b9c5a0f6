"""Per-user holdout splits and top-k ranking metrics, exactly as the recommend bench defines them.

Split: each user with at least ``min_interactions`` pairs gives ``test_fraction`` of them (random,
or the latest by time) to the test side; other users stay whole in train. Metrics: P@k = hits/k,
R@k = hits/|test|, NDCG@k with binary gains and IDCG over min(|test|, k), MAP@k normalised by
min(|test|, k), and catalogue coverage of all recommended lists.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import scipy.sparse as sp

SplitMode = Literal["random", "temporal"]


def split_pairs(
    users: np.ndarray,
    at: np.ndarray,
    mode: SplitMode,
    seed: int = 0,
    test_fraction: float = 0.2,
    min_interactions: int = 5,
) -> np.ndarray:
    """Boolean mask over pairs: True where the pair goes to the test side."""
    users = np.asarray(users)
    n = len(users)
    test = np.zeros(n, dtype=bool)
    if n == 0:
        return test
    rng = np.random.default_rng(seed)
    tiebreak = rng.random(n)
    # Sort by user, then by time (temporal) or by a random key (random); take each user's tail.
    key = np.asarray(at, float) if mode == "temporal" else tiebreak
    order = np.lexsort((tiebreak, key, users))
    sorted_users = users[order]
    starts = np.flatnonzero(np.r_[True, sorted_users[1:] != sorted_users[:-1]])
    ends = np.r_[starts[1:], n]
    for start, end in zip(starts, ends, strict=True):
        size = end - start
        if size < min_interactions:
            continue
        n_test = max(1, round(size * test_fraction))
        test[order[end - n_test : end]] = True
    return test


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Row-wise indices of the k largest scores, best first (argpartition, then sort only k)."""
    k = min(k, scores.shape[1])
    if k <= 0:
        return np.zeros((scores.shape[0], 0), dtype=np.int64)
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    part_scores = np.take_along_axis(scores, part, axis=1)
    order = np.argsort(-part_scores, axis=1, kind="stable")
    return np.take_along_axis(part, order, axis=1)


def per_user_metrics(
    recommended: np.ndarray, test: sp.csr_matrix, users: np.ndarray, k: int = 10
) -> dict[str, np.ndarray]:
    """P@k, R@k, NDCG@k and MAP@k of each of ``users`` (rows of ``recommended``) that has test items;
    ``users`` itself comes back under ``"users"`` (those kept). Paired comparisons of two rankers need
    these per-user values, not only their means."""
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    kept, precision, recall, ndcg, average_precision = [], [], [], [], []
    for row, user in enumerate(users):
        relevant = test.indices[test.indptr[user] : test.indptr[user + 1]]
        if len(relevant) == 0:
            continue
        hits = np.isin(recommended[row, :k], relevant)
        n_hits = hits.sum()
        ideal = min(len(relevant), k)
        kept.append(user)
        precision.append(n_hits / k)
        recall.append(n_hits / len(relevant))
        ndcg.append(float((hits * discounts[: len(hits)]).sum() / discounts[:ideal].sum()))
        cumulative = np.cumsum(hits)
        ranks = np.arange(1, len(hits) + 1)
        average_precision.append(float((hits * cumulative / ranks).sum() / ideal))
    return {
        "users": np.asarray(kept, np.int64),
        f"precision@{k}": np.asarray(precision, np.float64),
        f"recall@{k}": np.asarray(recall, np.float64),
        f"ndcg@{k}": np.asarray(ndcg, np.float64),
        f"map@{k}": np.asarray(average_precision, np.float64),
    }


def ranking_metrics(
    recommended: np.ndarray, test: sp.csr_matrix, users: np.ndarray, n_items: int, k: int = 10
) -> dict[str, float]:
    """Mean P@k, R@k, NDCG@k, MAP@k over ``users`` (rows of ``recommended``) and catalogue coverage."""
    each = per_user_metrics(recommended, test, users, k)
    shown = np.unique(recommended[:, :k])
    coverage = len(shown[shown >= 0]) / n_items if n_items else 0.0
    means = {name: float(values.mean()) if len(values) else 0.0 for name, values in each.items() if name != "users"}
    return {**means, "coverage": float(coverage)}


def recommend_lists(
    score_users, train: sp.csr_matrix, test: sp.csr_matrix, k: int = 10, batch: int = 512
) -> tuple[np.ndarray, np.ndarray]:
    """(users with test items, their top-k lists over the whole catalogue minus their training items).

    ``score_users(user_positions) -> dense scores (len(users) × n_items)``.
    """
    users = np.flatnonzero(np.diff(test.indptr) > 0)
    lists = []
    for start in range(0, len(users), batch):
        chunk = users[start : start + batch]
        scores = np.asarray(score_users(chunk), dtype=np.float64)
        seen = train[chunk]
        scores[seen.nonzero()] = -np.inf
        lists.append(top_k(scores, k))
    recommended = np.vstack(lists) if lists else np.zeros((0, k), dtype=np.int64)
    return users, recommended


def evaluate_scorer(
    score_users, train: sp.csr_matrix, test: sp.csr_matrix, k: int = 10, batch: int = 512
) -> dict[str, float]:
    """Rank the whole catalogue for every user with test items, excluding each user's training items
    (see ``recommend_lists``), and average the metrics."""
    users, recommended = recommend_lists(score_users, train, test, k, batch)
    return ranking_metrics(recommended, test, users, train.shape[1], k)
