"""Hyperparameter tuning on an inner split of the training data only (never on the held-out test)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from tendero.recommend.evaluation import SplitMode, evaluate_scorer, split_pairs
from tendero.recommend.generators.als import Als
from tendero.recommend.generators.ease import Ease, EaseSolver, head_items
from tendero.recommend.recency import event_times, recency_weights


@dataclass
class TuningResult:
    params: dict[str, Any]
    ndcg: float
    trials: list[dict[str, Any]]
    seconds: float
    model: Any = None
    method: str = ""  # how EASE was solved ("primal" or "dual"), where tuned


def inner_split(matrix: sp.csr_matrix, at: sp.csr_matrix, mode: SplitMode, seed: int, fold: int = 0):
    """Split a training matrix per user into inner-train and inner-validation matrices.

    ``fold`` > 0 gives another fold: for ``random`` a fresh random 20 %; for ``temporal`` a rolling
    origin, the ``fold``-th 20 % block before the newest one, with the user's later events dropped so the
    inner-train part never sees the future of its validation block.
    """
    csr = matrix.tocsr()
    times = event_times(csr, at) if at is not None and at.nnz else np.zeros(csr.nnz)
    coo = csr.tocoo()  # same entry order as ``times``
    if mode == "temporal" and fold > 0:
        test, keep = _rolling_block(coo.row, times, fold, seed)
    else:
        test = split_pairs(coo.row, times, mode, seed=seed + fold)
        keep = ~test
    shape = matrix.shape
    train = sp.csr_matrix((coo.data[keep], (coo.row[keep], coo.col[keep])), shape=shape, dtype=np.float32)
    valid = sp.csr_matrix((coo.data[test], (coo.row[test], coo.col[test])), shape=shape, dtype=np.float32)
    train_at = sp.csr_matrix((times[keep], (coo.row[keep], coo.col[keep])), shape=shape)
    return train, valid, train_at


def _rolling_block(
    users: np.ndarray, times: np.ndarray, fold: int, seed: int, fraction: float = 0.2, min_train: int = 4
) -> tuple[np.ndarray, np.ndarray]:
    """Masks (test, train) for the ``fold``-th block of ``fraction`` before each user's newest block."""
    n = len(users)
    tiebreak = np.random.default_rng(seed).random(n)
    order = np.lexsort((tiebreak, times, users))
    sorted_users = users[order]
    counts = np.bincount(users, minlength=int(users.max()) + 1 if n else 0)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    position = np.empty(n, np.int64)
    position[order] = np.arange(n) - starts[sorted_users]
    size = counts[users]
    block = np.maximum(1, np.round(size * fraction)).astype(np.int64)
    end = size - fold * block
    begin = end - block
    eligible = (size >= 5) & (begin >= min_train)
    test = eligible & (position >= begin) & (position < end)
    train = ~eligible | (position < begin)
    return test, train


def tune_ease(
    train: sp.csr_matrix,
    valid: sp.csr_matrix,
    grid: tuple[float, ...] = (50.0, 150.0, 400.0, 1000.0),
    progress: Any = None,
    max_items: int | None = None,
) -> TuningResult:
    """Pick EASE's λ by inner-validation NDCG@10: one factorisation for every λ (the Gram matrix and
    one inverse each, or one users × users eigendecomposition and a product each: ``EaseSolver``). The
    result's ``model`` is the best fit, reused to tune the recency half-life and as the first ranker
    fold's EASE (same data, same λ: the same weights)."""
    started = time.perf_counter()
    model = Ease(n_items=train.shape[1], items=head_items(train, max_items))
    solver = EaseSolver(train, model.items)
    trials: list[dict[str, Any]] = []
    best_weights = None
    dual = solver.method == "dual"
    for index, l2 in enumerate(grid):
        last = index == len(grid) - 1
        if dual:  # scored straight from the factorisation; only the chosen λ's B is formed, below
            ndcg = evaluate_scorer(lambda u, l2=l2: solver.scores(train[u], l2), train, valid)["ndcg@10"]
        else:
            # The last λ may take the Gram matrix's memory: nothing needs it afterwards.
            model.weights = solver.weights(l2, last=last and best_weights is not None)
            ndcg = evaluate_scorer(lambda u: model.scores(train[u]), train, valid)["ndcg@10"]
        trials.append({"l2": float(l2), "ndcg@10": ndcg})
        if ndcg >= max(t["ndcg@10"] for t in trials) and not dual:
            best_weights = model.weights
        if progress:
            progress(f"ease l2={l2:g} ndcg@10={ndcg:.4f}")
    best = max(trials, key=lambda t: t["ndcg@10"])
    if dual:
        best_weights = solver.weights(best["l2"], last=True)
    elif best_weights is None:  # every λ scored NaN (no user to validate on): the last fit stands
        best_weights = model.weights
    model.l2, model.weights = best["l2"], best_weights
    result = TuningResult({"l2": best["l2"]}, best["ndcg@10"], trials, time.perf_counter() - started)
    result.model = model
    result.method = solver.method
    return result


def tune_half_life(
    model: Ease,
    train: sp.csr_matrix,
    valid: sp.csr_matrix,
    train_at: sp.csr_matrix,
    grid: tuple[float | None, ...] = (None, 50.0, 20.0, 8.0, 4.0),
    progress=None,
) -> TuningResult:
    """Pick how fast old events fade (half-life in events, None: never) by the inner NDCG@10 of EASE
    scored from recency-weighted histories. A random split picks None; a time split a short one."""
    started = time.perf_counter()
    trials: list[dict[str, Any]] = []
    for half_life in grid:
        weighted = recency_weights(train, train_at, half_life)
        ndcg = evaluate_scorer(lambda u, w=weighted: model.scores(w[u]), train, valid)["ndcg@10"]
        trials.append({"half_life": half_life, "ndcg@10": ndcg})
        if progress:
            shown = "∞" if half_life is None else half_life  # no recency weighting: an endless half-life
            progress(f"recency half-life={shown} ndcg@10={ndcg:.4f}")
    best = max(trials, key=lambda t: t["ndcg@10"])
    return TuningResult({"half_life": best["half_life"]}, best["ndcg@10"], trials, time.perf_counter() - started)


# Confidence C = alpha * BM25 weight (mean 1). Inner NDCG@10 has a narrow ridge in (alpha, regularisation):
# the best regularisation grows with alpha (about 12·alpha at 2, 10·alpha at 3, 8.5·alpha at 5, 6–7·alpha at
# 10), and a step off it costs several points, so the search walks that ridge instead of an independent grid.
ALS_RIDGE = ((2.0, 24.0), (3.0, 30.0), (5.0, 42.5), (10.0, 65.0), (2.0, 20.0), (3.0, 25.0), (5.0, 35.0), (10.0, 55.0))
ALS_FACTORS = (64, 128)
# Every setting is scored after each of these iteration counts of one run (a shorter fit is a prefix of a
# longer one with the same seed, so the scores are those of separate fits, at the cost of the longest).
ALS_ITERATIONS = (15, 20)


def tune_als(
    train: sp.csr_matrix,
    valid: sp.csr_matrix,
    trials: int = 8,
    seed: int = 0,
    progress: Any = None,
    threads: int = 0,
    max_factors: int | None = None,
    budget_seconds: float | None = None,
) -> TuningResult:
    """Random search over ALS factors and (alpha, regularisation) on their ridge: ``trials`` settings,
    each fitted once and scored by inner NDCG@10 after every count of ``ALS_ITERATIONS``. ``max_factors``
    (the fit plan's cap on what a request reads; None or 0: no cap) leaves out larger factor counts, or is
    the only one tried when every count is larger. ``budget_seconds``: no further setting once the runs so
    far, priced by their CPU seconds per core (what a quiet machine's clock would show), leave too little for
    one more run; the first setting always runs."""
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    factor_counts = tuple(f for f in ALS_FACTORS if not max_factors or f <= max_factors) or (int(max_factors or 0),)
    settings = [(max(factor_counts), 30.0, 3.0)]
    runs = min(trials, len(ALS_RIDGE) * len(factor_counts))
    while len(settings) < runs:
        alpha, regularization = ALS_RIDGE[rng.integers(len(ALS_RIDGE))]
        setting = (factor_counts[rng.integers(len(factor_counts))], regularization, alpha)
        if setting not in settings:
            settings.append(setting)
    tried: list[dict[str, float]] = []
    cores = threads or os.cpu_count() or 1
    cpu_started = time.process_time()
    for index, (factors, regularization, alpha) in enumerate(settings):
        spent = (time.process_time() - cpu_started) / cores
        if budget_seconds is not None and index and spent + spent / index > budget_seconds:
            if progress:
                progress(
                    f"als budget: {index} of {len(settings)} settings in {spent:.0f} s (budget {budget_seconds:.0f} s)"
                )
            break
        params = {"factors": float(factors), "regularization": regularization, "alpha": alpha}

        def score(done: int, model: Als, params: dict[str, float] = params, run: int = index + 1) -> None:
            if done not in ALS_ITERATIONS:
                return
            factors_now = model.user_factors.copy()
            items_now = model.item_factors.copy()
            ndcg = evaluate_scorer(lambda u: factors_now[u] @ items_now.T, train, valid)["ndcg@10"]
            tried.append({**params, "iterations": float(done), "ndcg@10": ndcg})
            if progress:
                progress(f"als run {run}/{len(settings)} {params} iterations={done} ndcg@10={ndcg:.4f}")

        model = Als(
            factors=factors, regularization=regularization, alpha=alpha, iterations=max(ALS_ITERATIONS), seed=seed
        )
        model.fit(train, threads=threads, on_iteration=score)
    best = max(tried, key=lambda t: t["ndcg@10"])
    chosen = {k: v for k, v in best.items() if k != "ndcg@10"}
    return TuningResult(chosen, best["ndcg@10"], tried, time.perf_counter() - started)


def sample_rows(matrix: sp.csr_matrix, limit: int, seed: int) -> sp.csr_matrix:
    """``matrix`` with only ``limit`` of its non-empty rows kept (a seeded sample; all when fewer): tuning
    trials and ranker folds score a sample of users once there are many."""
    rows = np.flatnonzero(np.diff(matrix.indptr) > 0)
    if len(rows) <= limit:
        return matrix
    keep = np.zeros(matrix.shape[0], np.float32)
    keep[np.random.default_rng(seed).choice(rows, size=limit, replace=False)] = 1.0
    kept = (sp.diags(keep) @ matrix).tocsr()
    kept.eliminate_zeros()
    return kept
