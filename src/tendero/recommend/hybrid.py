"""The hybrid recommender core: candidate generators blended by a LightGBM LambdaRank model.

Training (``fit_hybrid``) never looks outside the matrix it is given: it splits that matrix per
user into inner-train / inner-validation, tunes EASE, the recency half-life and ALS there, fits the
generators on inner-train parts (several folds: fresh random 20 % for a random split, rolling
origins for a time split), trains the ranker to put the inner-validation items first among the
generators' candidates, and finally refits the generators on the whole matrix with the tuned settings.

EASE and ALS score each user twice: from the whole history, and from a recency-weighted history
(newer events count more; the half-life is tuned, and "never fade" is one of the choices), so the
ranker can tell lasting taste from what the user is into right now.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import scipy.sparse as sp
from pydantic import Field

from tendero.kinds import KindParams
from tendero.recommend.evaluation import SplitMode, per_user_metrics, recommend_lists
from tendero.recommend.generators import (
    Als,
    ContentSimilarity,
    CoOccurrence,
    Ease,
    ItemKnn,
    Popularity,
    Transitions,
    event_times,
    inner_split,
    interacted_items,
    recency_of,
    recency_weights,
    session_baskets,
    tune_als,
    tune_ease,
    tune_half_life,
)

# Generators whose score, rank among the candidates and score relative to the best candidate are features.
SCORED = ("neighbour", "als", "neighbour_recent", "als_recent")

FEATURES = (
    "neighbour",
    "neighbour_rank",
    "neighbour_rel",
    "als",
    "als_rank",
    "als_rel",
    "neighbour_recent",
    "neighbour_recent_rank",
    "neighbour_recent_rel",
    "als_recent",
    "als_recent_rank",
    "als_recent_rel",
    "sequence",
    "sequence_rank",
    "content",
    "content_rank",
    "cooc",
    "cooc_rank",
    "pop_log",
    "pop_recent_log",
    "pop_rank",
    "item_mean_value",
    "item_days_since_last",
    "user_history_log",
    "user_mean_weight",
    "category_share",
)

Log = Callable[[str], None]


class HybridParams(KindParams):
    """Settings of the hybrid; every default was chosen on MovieLens-100k inner splits, none on test data."""

    split: SplitMode = Field("temporal", description="inner validation: latest 20% per user, or random 20%")
    ease_max_items: int = Field(20_000, ge=0, description="above this catalogue size item-kNN replaces EASE")
    ease_grid: tuple[float, ...] = (50.0, 150.0, 400.0, 1000.0)
    ease_binary: bool = True
    als_trials: int = Field(12, ge=1, le=100)
    half_life_grid: tuple[float | None, ...] = Field(
        (None, 50.0, 20.0, 8.0, 4.0), description="recency half-lives (in events) tried; None: old events never fade"
    )
    sequence_window: int = Field(20, ge=1, le=200, description="how many later events count as 'came next'")
    candidates: int = Field(50, ge=10, le=1000, description="top candidates taken from each main generator")
    ranker: Literal["lambdarank", "none"] = "lambdarank"
    ranker_rounds: int = Field(400, ge=10, le=5000)
    ranker_learning_rate: float = Field(0.05, gt=0, le=1)
    ranker_leaves: int = Field(7, ge=2, le=512)
    ranker_min_leaf: int = Field(100, ge=1)
    ranker_patience: int = Field(60, ge=0, description="early-stopping rounds on held-out users; 0: off")
    ranker_min_rounds: int = Field(20, ge=1, description="at least this many trees, whatever early stopping says")
    ranker_folds: int = Field(3, ge=1, le=5, description="inner splits pooled to train the ranker")
    ranker_enough_users: int = Field(
        2500, ge=10, description="no further fold once this many validation users are pooled (each costs a refit)"
    )
    ranker_min_users: int = Field(200, ge=10, description="below this many validation users: no ranker")
    popularity_half_life_days: float = Field(60.0, gt=0)
    seed: int = 0


@dataclass
class Hybrid:
    """Fitted generators + ranker. ``history`` arguments are users×items CSR rows (weighted signals)."""

    params: HybridParams
    n_items: int
    neighbour_kind: str
    popularity: Popularity
    neighbour: Ease | ItemKnn
    als: Als
    content: ContentSimilarity
    cooc: CoOccurrence
    categories: np.ndarray  # item -> category code (-1 unknown)
    item_mean_value: np.ndarray
    item_last_at: np.ndarray
    reference_at: float
    sequence: Transitions = field(default_factory=Transitions)
    half_life: float | None = None  # recency half-life in events; None: no recency-weighted scores
    als_recent_factors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    ranker: object | None = None  # lightgbm.Booster
    tuning: dict[str, object] = field(default_factory=dict)

    # -- scoring -----------------------------------------------------------------------------
    def generator_scores(
        self, history: sp.csr_matrix, user: int | None = None, at: sp.csr_matrix | None = None
    ) -> dict[str, np.ndarray]:
        """Every generator's scores. ``at``: the history's event times (same shape), which orders it for
        the recency-weighted scores; ``user`` (a training row whose history is unchanged) reuses its
        trained ALS factors instead of folding in, which saves the per-request solves."""
        history = history.tocsr()
        if history.shape[0] == 1:
            return self._one_user_scores(history, user, at)
        binary = _binary(history)
        neighbour_input = binary if self.params.ease_binary else history
        recent = self.recency(history, at)
        n = history.shape[0]
        if recent is None:
            neighbour = self.neighbour.scores(neighbour_input)
            neighbour_recent = neighbour
        else:
            recent_input = recent if self.params.ease_binary else history.multiply(recent).tocsr()
            both = self.neighbour.scores(sp.vstack([neighbour_input, recent_input]).tocsr())
            neighbour, neighbour_recent = both[:n], both[n:]
        known = user is not None and 0 <= user < len(self.als.user_factors)
        item_factors = self.als.item_factors
        als = self.als.user_factors[user : user + 1] @ item_factors.T if known else self.als.scores(history)
        if recent is None:
            als_recent = als
        elif known and user < len(self.als_recent_factors):
            als_recent = self.als_recent_factors[user : user + 1] @ item_factors.T
        else:
            als_recent = self.als.fold_in(history.multiply(recent).tocsr()) @ item_factors.T
        return {
            "neighbour": neighbour,
            "als": als,
            "neighbour_recent": neighbour_recent,
            "als_recent": als_recent,
            "sequence": self.sequence.scores(recent if recent is not None else binary),
            "content": self.content.scores(history),
            "cooc": self.cooc.scores(history),
            "pop": self.popularity.scores(history),
        }

    def _one_user_scores(
        self, history: sp.csr_matrix, user: int | None, at: sp.csr_matrix | None
    ) -> dict[str, np.ndarray]:
        """``generator_scores`` for a single history row, from plain arrays (the request path)."""
        items = history.indices.astype(np.int64)
        values = history.data.astype(np.float64)
        ones = np.ones(len(items))
        recent = None
        if self.half_life is not None and at is not None:
            recent = recency_of(event_times(history, at), self.half_life)
        neighbour_values = ones if self.params.ease_binary else values
        if recent is None:
            neighbour = self.neighbour.row_scores(items, neighbour_values[None, :])
            neighbour_recent = neighbour
        else:
            both = self.neighbour.row_scores(items, np.vstack([neighbour_values, neighbour_values * recent]))
            neighbour, neighbour_recent = both[:1], both[1:]
        known = user is not None and 0 <= user < len(self.als.user_factors)
        plain = self.als.user_factors[user] if known else self.als.fold_in_row(items, values)
        # item_factors @ user factors reads the (large) item factors once, row by row: the fast order.
        if recent is None:
            als = (self.als.item_factors @ plain)[None, :]
            als_recent = als
        else:
            if known and user < len(self.als_recent_factors):
                latest = self.als_recent_factors[user]
            else:
                latest = self.als.fold_in_row(items, values * recent)
            both = (self.als.item_factors @ np.vstack([plain, latest]).T).T
            als, als_recent = both[:1], both[1:]
        return {
            "neighbour": neighbour,
            "als": als,
            "neighbour_recent": neighbour_recent,
            "als_recent": als_recent,
            "sequence": self.sequence.row_scores(items, ones if recent is None else recent)[None, :],
            "content": self.content.row_scores(items)[None, :],
            "cooc": self.cooc.row_scores(items)[None, :],
            "pop": self.popularity.row_scores()[None, :],
        }

    def recency(self, history: sp.csr_matrix, at: sp.csr_matrix | None) -> sp.csr_matrix | None:
        """The history's pattern weighted by recency, or None when recency is off or times are unknown."""
        if self.half_life is None or at is None:
            return None
        return recency_weights(history, at, self.half_life)

    def candidates(self, scores: dict[str, np.ndarray], row: int, blocked: np.ndarray) -> np.ndarray:
        """Union of each generator's best unblocked items for one user (blocked: bool mask)."""
        n_allowed = len(blocked) - int(blocked.sum())
        if n_allowed == 0:
            return np.zeros(0, np.int64)
        n_main = self.params.candidates
        picks = []
        for name, quota in (
            ("neighbour", n_main),
            ("als", n_main),
            ("neighbour_recent", n_main),
            ("als_recent", n_main),
            ("sequence", n_main // 2),
            ("content", n_main // 4),
            ("cooc", n_main // 4),
            ("pop", n_main // 4),
        ):
            if name.endswith("_recent") and scores[name] is scores[name.removesuffix("_recent")]:
                continue  # recency off: the same scores as the whole-history generator
            take = min(quota, n_allowed)
            if take <= 0:
                continue
            values = np.where(blocked, -np.inf, scores[name][row])
            if name in ("sequence", "content", "cooc"):
                # Sparse generators score few items; the unscored rest would only add arbitrary ties.
                scored = np.flatnonzero(values > 0)
                if len(scored) <= take:
                    picks.append(scored)
                    continue
                picks.append(scored[np.argpartition(-values[scored], take - 1)[:take]])
                continue
            top = np.argpartition(-values, take - 1)[:take]
            picks.append(top[np.isfinite(values[top])])
        return np.unique(np.concatenate(picks))

    def features(
        self, scores: dict[str, np.ndarray], row: int, history_row: sp.csr_matrix, items: np.ndarray
    ) -> np.ndarray:
        """Feature matrix (len(items) × len(FEATURES)) for one user's candidate items."""
        out = np.empty((len(items), len(FEATURES)), np.float32)
        column = 0
        for name in SCORED:
            values = scores[name][row, items]
            out[:, column] = values
            out[:, column + 1] = _rank(values)
            top = values.max() if len(values) else 1.0
            out[:, column + 2] = values / top if top > 0 else 0.0
            column += 3
        for name in ("sequence", "content", "cooc"):
            values = scores[name][row, items]
            out[:, column] = values
            out[:, column + 1] = _rank(values)
            column += 2
        out[:, column] = np.log1p(self.popularity.counts[items])
        out[:, column + 1] = np.log1p(self.popularity.recent[items])
        out[:, column + 2] = _rank(self.popularity.counts[items])
        out[:, column + 3] = self.item_mean_value[items]
        out[:, column + 4] = (self.reference_at - self.item_last_at[items]) / 86400.0
        seen = history_row.indices
        out[:, column + 5] = np.log1p(len(seen))
        out[:, column + 6] = history_row.data.mean() if len(seen) else 0.0
        categories = self.categories[items]
        if len(seen):
            history_categories = self.categories[seen]
            codes, counts = np.unique(history_categories[history_categories >= 0], return_counts=True)
            share = dict(zip(codes.tolist(), (counts / len(seen)).tolist(), strict=True))
            out[:, column + 7] = [share.get(c, 0.0) for c in categories.tolist()]
        else:
            out[:, column + 7] = 0.0
        return out

    def rank_scores(self, features: np.ndarray) -> np.ndarray:
        """Ranker output for candidate rows; without a ranker the neighbour score ranks alone.

        Trees output steps, so candidates often tie: the recency blend (a number in 0–1, scaled far below
        any step between trees' outputs) orders them instead of their position in the request."""
        if len(features) == 0:
            return np.zeros(0)
        mode = self.tuning.get("blend", "ranker" if self.ranker is not None else "neighbour")
        if mode == "ranker" and self.ranker is not None:
            raw = np.asarray(self.ranker.predict(features, num_threads=1), dtype=np.float64)
            return raw + 1e-6 * _simple_blend(features, "recent")
        return _simple_blend(features, str(mode))

    def unit_scores(self, raw: np.ndarray) -> np.ndarray:
        """Scores to 0–1, monotone: logistic of the ranker output, else the relative neighbour score."""
        raw = np.asarray(raw, np.float64)
        if self.tuning.get("blend", "ranker") == "ranker" and self.ranker is not None:
            return 1.0 / (1.0 + np.exp(-raw))
        return np.clip(raw, 0.0, 1.0)

    def score_users(self, history: sp.csr_matrix, at: sp.csr_matrix | None = None) -> np.ndarray:
        """Dense scores for a batch (bench/evaluation): candidates get ranker scores, others -inf."""
        history = history.tocsr()
        scores = self.generator_scores(history, at=at)
        out = np.full((history.shape[0], self.n_items), -np.inf)
        for row in range(history.shape[0]):
            history_row = history[row]
            blocked = np.zeros(self.n_items, dtype=bool)
            blocked[history_row.indices] = True
            items = self.candidates(scores, row, blocked)
            if len(items) == 0:
                continue
            out[row, items] = self.rank_scores(self.features(scores, row, history_row, items))
        return out

    def fixed_blend(self, history: sp.csr_matrix) -> np.ndarray:
        """The plan's 0.5 collaborative + 0.3 content + 0.2 popularity, each min-max scaled per user."""
        scores = self.generator_scores(history)
        return 0.5 * _minmax(scores["als"]) + 0.3 * _minmax(scores["content"]) + 0.2 * _minmax(scores["pop"])


BLENDS = ("ranker", "neighbour", "als", "mean", "recent")


def _simple_blend(features: np.ndarray, mode: str) -> np.ndarray:
    """Rankings that need no model: one generator's relative score, or the mean of two."""

    def rel(name: str) -> np.ndarray:
        return np.maximum(features[:, FEATURES.index(f"{name}_rel")], 0.0).astype(np.float64)

    if mode == "als":
        return rel("als")
    if mode == "mean":
        return 0.5 * (rel("neighbour") + rel("als"))
    if mode == "recent":
        return 0.5 * (rel("neighbour_recent") + rel("als_recent"))
    return rel("neighbour")


def _binary(matrix: sp.csr_matrix) -> sp.csr_matrix:
    out = matrix.copy()
    out.data = np.ones_like(out.data)
    return out


def _rank(values: np.ndarray) -> np.ndarray:
    """1 for the best; equal values share the best of their ranks, so an item's features never depend on
    where it sits in the request."""
    negated = -np.asarray(values, np.float64)
    return (np.searchsorted(np.sort(negated), negated, side="left") + 1).astype(np.float32)


def _minmax(scores: np.ndarray) -> np.ndarray:
    low = scores.min(axis=1, keepdims=True)
    high = scores.max(axis=1, keepdims=True)
    return (scores - low) / np.maximum(high - low, 1e-12)


# ---------------------------------------------------------------------------------------------


@dataclass
class ItemSide:
    """What the hybrid knows about items besides interactions (aligned with matrix columns)."""

    texts: list[str]
    categories: np.ndarray  # int codes, -1 unknown


def _fit_generators(
    matrix: sp.csr_matrix,
    at: sp.csr_matrix,
    items: ItemSide,
    params: HybridParams,
    ease_l2: float,
    als_params: dict[str, float],
    content: ContentSimilarity | None,
    half_life: float | None,
) -> dict[str, object]:
    n_items = matrix.shape[1]
    neighbour_input = _binary(matrix) if params.ease_binary else matrix
    if len(interacted_items(matrix)) <= params.ease_max_items:
        neighbour: Ease | ItemKnn = Ease(l2=ease_l2).fit(neighbour_input)
        neighbour_kind = "ease"
    else:
        neighbour = ItemKnn().fit(neighbour_input)
        neighbour_kind = "item_knn"
    als = Als(
        factors=int(als_params["factors"]),
        regularization=float(als_params["regularization"]),
        alpha=float(als_params["alpha"]),
        iterations=int(als_params["iterations"]),
        seed=params.seed,
    ).fit(matrix)
    coo = at.tocoo()
    baskets = session_baskets(coo.row, coo.col, coo.data, n_items)
    cooc = CoOccurrence().fit(baskets)
    popularity = Popularity(half_life_days=params.popularity_half_life_days).fit(matrix, at)
    als_recent = np.zeros((0, als.item_factors.shape[1]), np.float32)
    if half_life is not None:
        als_recent = als.fold_in(matrix.multiply(recency_weights(matrix, at, half_life)).tocsr())
    item_last = np.zeros(n_items)
    if coo.nnz:
        np.maximum.at(item_last, coo.col, coo.data)
    return {
        "neighbour": neighbour,
        "neighbour_kind": neighbour_kind,
        "als": als,
        "cooc": cooc,
        "sequence": Transitions(window=params.sequence_window).fit(at),
        "half_life": half_life,
        "als_recent_factors": als_recent,
        "popularity": popularity,
        "content": content if content is not None else ContentSimilarity().fit(items.texts),
        "item_last_at": item_last,
        "reference_at": float(coo.data.max()) if coo.nnz else 0.0,
    }


def _assemble(
    parts: dict[str, object],
    params: HybridParams,
    items: ItemSide,
    values: sp.csr_matrix | None,
    n_items: int,
) -> Hybrid:
    mean_value = np.full(n_items, np.nan, np.float32)
    if values is not None and values.nnz:
        sums = np.asarray(values.sum(axis=0)).ravel()
        counts = np.diff(values.tocsc().indptr)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_value = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan).astype(np.float32)
    return Hybrid(
        params=params,
        n_items=n_items,
        neighbour_kind=str(parts["neighbour_kind"]),
        popularity=parts["popularity"],  # type: ignore[arg-type]
        neighbour=parts["neighbour"],  # type: ignore[arg-type]
        als=parts["als"],  # type: ignore[arg-type]
        content=parts["content"],  # type: ignore[arg-type]
        cooc=parts["cooc"],  # type: ignore[arg-type]
        categories=items.categories,
        item_mean_value=mean_value,
        item_last_at=parts["item_last_at"],  # type: ignore[arg-type]
        reference_at=float(parts["reference_at"]),  # type: ignore[arg-type]
        sequence=parts["sequence"],  # type: ignore[arg-type]
        half_life=parts["half_life"],  # type: ignore[arg-type]
        als_recent_factors=parts["als_recent_factors"],  # type: ignore[arg-type]
    )


def fit_hybrid(
    matrix: sp.csr_matrix,
    at: sp.csr_matrix,
    items: ItemSide,
    params: HybridParams,
    values: sp.csr_matrix | None = None,
    log: Log | None = None,
    step: Callable[[str], None] | None = None,
) -> Hybrid:
    """Tune, train the ranker on an inner split, refit generators on all of ``matrix``.

    ``matrix``: users×items weighted signals; ``at``: same shape, last event time (epoch seconds);
    ``values``: optional users×items rating values (for the item mean-rating feature).
    """
    say = log or (lambda message: None)
    tick = step or say
    n_items = matrix.shape[1]
    started = time.perf_counter()
    inner_train, inner_valid, inner_at = inner_split(matrix, at, params.split, params.seed)
    neighbour_train = _binary(inner_train) if params.ease_binary else inner_train
    tick("tuning EASE")
    ease_seconds = 0.0
    if 0 < len(interacted_items(inner_train)) <= params.ease_max_items:
        ease = tune_ease(neighbour_train, inner_valid, params.ease_grid, progress=say)
        ease_l2, ease_seconds, neighbour_model = ease.params["l2"], ease.seconds, ease.model
    else:
        ease_l2 = params.ease_grid[0]
        neighbour_model = ItemKnn().fit(neighbour_train)
    tick("tuning the recency half-life")
    recency = tune_half_life(neighbour_model, inner_train, inner_valid, inner_at, params.half_life_grid, say)
    half_life = recency.params["half_life"]
    tick("tuning ALS")
    als_tuning = tune_als(inner_train, inner_valid, trials=params.als_trials, seed=params.seed, progress=say)
    content = ContentSimilarity().fit(items.texts)
    tuning: dict[str, object] = {
        "ease_l2": ease_l2,
        "ease_tuning_seconds": ease_seconds,
        "half_life": half_life,
        "half_life_inner_ndcg": {str(t["half_life"]): float(t["ndcg@10"]) for t in recency.trials},
        "als": als_tuning.params,
        "als_inner_ndcg": als_tuning.ndcg,
        "als_tuning_seconds": als_tuning.seconds,
    }
    chosen = (ease_l2, als_tuning.params, content, half_life)
    ranker = None
    if params.ranker == "lambdarank":
        folds = []
        pooled = 0
        for fold in range(params.ranker_folds):
            if pooled >= params.ranker_enough_users:
                break
            tick(f"ranker fold {fold + 1}/{params.ranker_folds}")
            if fold:
                inner_train, inner_valid, inner_at = inner_split(matrix, at, params.split, params.seed, fold=fold)
            if inner_valid.nnz == 0:
                continue
            inner_values = values.multiply(inner_train > 0).tocsr() if values is not None else None
            inner = _assemble(
                _fit_generators(inner_train, inner_at, items, params, *chosen), params, items, inner_values, n_items
            )
            folds.append((inner, inner_train, inner_valid, inner_at))
            pooled += int((np.diff(inner_valid.indptr) > 0).sum())
        tick("training ranker")
        ranker, ranker_info = _train_ranker(folds, params, say)
        held_users = np.asarray(ranker_info.pop("held_users", []), dtype=np.int64)
        tuning.update(ranker_info)
        tuning["blend"] = _choose_blend(folds, ranker, held_users, tuning, say) if folds else "neighbour"
    else:
        tuning["blend"] = "recent" if half_life is not None else "neighbour"
    tick("refitting generators on all data")
    final = _assemble(_fit_generators(matrix, at, items, params, *chosen), params, items, values, n_items)
    final.ranker = ranker
    final.tuning = {**tuning, "fit_seconds": time.perf_counter() - started}
    return final


Fold = tuple[Hybrid, sp.csr_matrix, sp.csr_matrix, sp.csr_matrix]


def _train_ranker(folds: list[Fold], params: HybridParams, say: Log) -> tuple[object | None, dict[str, object]]:
    import lightgbm as lgb

    rows, labels, groups, owners = [], [], [], []
    for inner, train, valid, at in folds:
        _ranker_rows(inner, train, valid, at, rows, labels, groups, owners)
    if len(groups) < params.ranker_min_users:
        say(f"ranker skipped: only {len(groups)} users with a held-out item among the candidates")
        return None, {"ranker_users": float(len(groups))}
    rng = np.random.default_rng(params.seed)
    # Hold out whole users (all their folds) for early stopping.
    held = rng.random(max(owners) + 1) < 0.2
    held_users = np.flatnonzero(held)
    is_valid = held[np.asarray(owners)]

    def pack(mask: np.ndarray):
        chosen = np.flatnonzero(mask)
        return (
            np.vstack([rows[g] for g in chosen]),
            np.concatenate([labels[g] for g in chosen]),
            [groups[g] for g in chosen],
        )

    x_fit, y_fit, g_fit = pack(~is_valid)
    x_val, y_val, g_val = pack(is_valid)
    booster_params = {
        "objective": "lambdarank",
        "metric": "ndcg",
        "eval_at": [10],
        "learning_rate": params.ranker_learning_rate,
        "num_leaves": params.ranker_leaves,
        "min_data_in_leaf": params.ranker_min_leaf,
        "feature_fraction": 0.9,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "lambdarank_truncation_level": 20,
        "verbosity": -1,
        "seed": params.seed,
        # Small problems: one thread, or OpenMP's spinning threads cost more than the work.
        "num_threads": 1 if len(y_fit) < 50_000 else 0,
    }
    fit_set = lgb.Dataset(x_fit, y_fit, group=g_fit, feature_name=list(FEATURES))
    val_set = lgb.Dataset(x_val, y_val, group=g_val, reference=fit_set)
    booster = lgb.train(
        booster_params,
        fit_set,
        num_boost_round=params.ranker_rounds,
        valid_sets=[val_set],
        callbacks=[lgb.early_stopping(params.ranker_patience, verbose=False)] if params.ranker_patience else [],
    )
    if not params.ranker_patience:
        booster.best_iteration = params.ranker_rounds
    # A small validation set can look perfect after a tree or two; a stump ranks by coarse steps only.
    booster.best_iteration = max(booster.best_iteration, min(params.ranker_min_rounds, booster.current_iteration()))
    best = booster.best_score.get("valid_0", {}).get("ndcg@10", float("nan"))
    say(f"ranker: {len(groups)} users, {booster.best_iteration} rounds, inner ndcg@10={best:.4f}")
    return booster, {
        "held_users": held_users.tolist(),
        "ranker_users": float(len(groups)),
        "ranker_rounds": float(booster.best_iteration),
        "ranker_inner_ndcg": float(best),
    }


def _ranker_rows(inner: Hybrid, train, valid, at, rows, labels, groups, owners) -> None:
    users = np.flatnonzero(np.diff(valid.indptr) > 0)
    for start in range(0, len(users), 256):
        chunk = users[start : start + 256]
        history = train[chunk]
        scores = inner.generator_scores(history, at=at[chunk])
        for row, user in enumerate(chunk):
            history_row = history[row]
            blocked = np.zeros(inner.n_items, dtype=bool)
            blocked[history_row.indices] = True
            items = inner.candidates(scores, row, blocked)
            relevant = valid.indices[valid.indptr[user] : valid.indptr[user + 1]]
            label = np.isin(items, relevant).astype(np.float32)
            if label.sum() == 0 or len(items) < 2:
                continue
            rows.append(inner.features(scores, row, history_row, items))
            labels.append(label)
            groups.append(len(items))
            owners.append(int(user))


def refit_hybrid(
    fitted: Hybrid,
    matrix: sp.csr_matrix,
    at: sp.csr_matrix,
    items: ItemSide,
    values: sp.csr_matrix | None = None,
) -> Hybrid:
    """Refit the generators on new data with the tuned settings and the trained ranker kept."""
    tuning = fitted.tuning
    parts = _fit_generators(
        matrix,
        at,
        items,
        fitted.params,
        float(tuning["ease_l2"]),
        dict(tuning["als"]),
        fitted.content,  # type: ignore[arg-type]
        fitted.half_life,
    )
    refitted = _assemble(parts, fitted.params, items, values, matrix.shape[1])
    refitted.ranker = fitted.ranker
    refitted.tuning = dict(tuning)
    return refitted


def _choose_blend(folds: list[Fold], ranker, held: np.ndarray, tuning: dict[str, object], say: Log) -> str:
    """Keep the ranker only if it beats the best simple blend on inner users it was not trained on (in
    every fold) by more than one standard error of the paired per-user difference: a ranker that only
    ties the best generator adds noise and serving cost, so the simpler ranking wins ties."""
    if ranker is None or len(held) == 0:
        return "neighbour"
    per_user: dict[str, list[np.ndarray]] = {mode: [] for mode in BLENDS}
    for inner, train, valid, at in folds:
        mask = np.zeros(valid.shape[0], dtype=bool)
        mask[held] = True  # every fold splits the same user rows
        only_held = (sp.diags(mask.astype(np.float32)) @ valid).tocsr()
        inner.ranker = ranker
        for mode in BLENDS:
            inner.tuning = {"blend": mode}
            users, lists = recommend_lists(
                lambda u, i=inner, t=train, a=at: i.score_users(t[u], a[u]), train, only_held
            )
            per_user[mode].append(per_user_metrics(lists, only_held, users)["ndcg@10"])
    best, report = pick_blend({mode: np.concatenate(parts) for mode, parts in per_user.items()})
    tuning.update(report)
    say(f"blend chosen on held-out inner users: {best} ({report})")
    return best


def pick_blend(per_user: dict[str, np.ndarray]) -> tuple[str, dict[str, object]]:
    """The ranker if its paired per-user gain over the best simple blend exceeds one standard error, else
    that simple blend (``per_user``: each blend's NDCG@10 of the same users, in the same order)."""
    means = {mode: float(values.mean()) if len(values) else 0.0 for mode, values in per_user.items()}
    simple = max((mode for mode in per_user if mode != "ranker"), key=lambda mode: means[mode])
    gain = per_user["ranker"] - per_user[simple] if "ranker" in per_user else np.zeros(0)
    mean_gain = float(gain.mean()) if len(gain) else 0.0
    standard_error = float(gain.std(ddof=1) / np.sqrt(len(gain))) if len(gain) > 1 else 0.0
    best = "ranker" if len(gain) > 1 and mean_gain > standard_error else simple
    return best, {
        "blend_inner_ndcg": means,
        "ranker_gain_inner": {"over": simple, "mean": mean_gain, "standard_error": standard_error},
    }
