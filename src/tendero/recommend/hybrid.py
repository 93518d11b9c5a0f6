"""The fitted hybrid recommender: candidate generators blended by a LightGBM LambdaRank model.

How it is fitted lives in ``fit``; this module scores, builds candidates and features, ranks, and saves
and loads its parts.

EASE and ALS score each user twice: from the whole history, and from a recency-weighted history
(newer events count more; the half-life is tuned, and "never fade" is one of the choices), so the
ranker can tell lasting taste from what the user is into right now.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from pydantic import Field

from tendero.kinds import KindParams
from tendero.recommend.evaluation import SplitMode
from tendero.recommend.generators import (
    Als,
    ContentSimilarity,
    CoOccurrence,
    Ease,
    ItemKnn,
    Popularity,
    Transitions,
)
from tendero.recommend.generators.covered_scores import CoveredScores
from tendero.recommend.generators.factor_index import INDEX_MIN_ITEMS, FactorScores
from tendero.recommend.generators.sparse import binary, top_unblocked
from tendero.recommend.ranker_bag import RankerBag
from tendero.recommend.recency import event_times, recency_of, recency_weights
from tendero.recommend.stored_rows import StoredRows, long_history_items, stored_bytes

# A training user's position and history row with its event times: what a folded-in history extends.
Trained = tuple[int, sp.csr_matrix, sp.csr_matrix]

# Each generator's scores of some users over every item: dense rows, EASE's kept over the items it covers,
# or ALS's computed where read.
Scores = dict[str, np.ndarray | FactorScores | CoveredScores]

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


# Where each generator's arrays live in the saved model (the names of formats 2 and 3, still readable).
GENERATOR_PREFIXES = {
    "popularity": "h_pop",
    "als": "h_als",
    "content": "h_content",
    "cooc": "h_cooc",
    "sequence": "h_sequence",
}
# each generator restores itself from its arrays (under its prefix) and its settings
Restore = Callable[[Mapping[str, np.ndarray], str, Mapping[str, Any]], Any]
GENERATOR_RESTORERS: dict[str, Restore] = {
    "popularity": Popularity.restore,
    "als": Als.restore,
    "content": ContentSimilarity.restore,
    "cooc": CoOccurrence.restore,
    "sequence": Transitions.restore,
}


class HybridParams(KindParams):
    """Settings of the hybrid, chosen on MovieLens-100k inner splits, except the ranker's bag and its learning rate:
    those were chosen on the bench's outer splits of MovieLens-100k (10 paired seeds, README) and checked on
    goodbooks readers (the bag added NDCG@10 there too; learning rates 0.1 and 0.05 tied)."""

    split: SplitMode = Field("temporal", description="inner validation: latest 20% per user, or random 20%")
    ease_max_items: int = Field(50_000, ge=0, description="EASE covers at most this many (most interacted) items")
    ease_budget_seconds: float = Field(
        90.0, gt=0, description="all EASE solves of a fit, on a quiet machine as a probe solve predicts"
    )
    ease_memory_mb: float = Field(3000.0, gt=0, description="the dense EASE matrices alive at once while tuning")
    tuning_max_users: int = Field(5000, ge=100, description="inner-validation users scored per tuning trial")
    ease_request_mb: float = Field(
        4.0, gt=0, description="EASE weights one request may read; longer histories' score rows are stored at fit"
    )
    als_budget_seconds: float = Field(
        60.0, gt=0, description="ALS tuning runs, priced by CPU seconds per core; further settings stop at it"
    )
    als_request_mb: float = Field(
        16.0, gt=0, description="ALS item factors one request reads; on large catalogues it caps the factors tried"
    )
    als_index_items: int = Field(
        INDEX_MIN_ITEMS,
        ge=0,
        description="from this many items ALS's candidates come from a scan of items by factor length that stops at "
        "a bound (the same items, most of the catalogue unread), not from scoring every item",
    )
    ease_stored_mb: float = Field(1024.0, ge=0, description="memory for stored score rows, longest histories first")
    ease_grid: tuple[float, ...] = (50.0, 150.0, 400.0, 1000.0)
    ease_binary: bool = True
    als_trials: int = Field(
        8, ge=1, le=100, description="ALS settings tried (at most 16 differ), each scored after 15 and 20 iterations"
    )
    half_life_grid: tuple[float | None, ...] = Field(
        (None, 50.0, 20.0, 8.0, 4.0), description="recency half-lives (in events) tried; None: old events never fade"
    )
    sequence_window: int = Field(20, ge=1, le=200, description="how many later events count as 'came next'")
    candidates: int = Field(50, ge=10, le=1000, description="top candidates taken from each main generator")
    ranker: Literal["lambdarank", "none"] = "lambdarank"
    ranker_rounds: int = Field(400, ge=10, le=5000)
    ranker_learning_rate: float = Field(0.1, gt=0, le=1)
    ranker_leaves: int = Field(7, ge=2, le=512)
    ranker_min_leaf: int = Field(100, ge=1)
    ranker_patience: int = Field(60, ge=0, description="early-stopping rounds on held-out users; 0: off")
    ranker_min_rounds: int = Field(20, ge=1, description="at least this many trees, whatever early stopping says")
    ranker_folds: int = Field(3, ge=1, le=5, description="inner splits pooled to train the ranker")
    ranker_enough_users: int = Field(
        2500, ge=10, description="no further fold once this many validation users are pooled (each costs a refit)"
    )
    ranker_min_users: int = Field(200, ge=10, description="below this many validation users: no ranker")
    ranker_bag: int = Field(
        5, ge=1, le=10, description="boosters averaged, each early-stopped on a different fifth (or less) of the users"
    )
    ranker_request_trees: int = Field(
        800, ge=10, description="trees one request evaluates, all boosters together: no booster is added past it"
    )
    ranker_max_users: int = Field(5000, ge=10, description="validation users sampled per fold for the ranker")
    popularity_half_life_days: float = Field(60.0, gt=0)
    seed: int = 0


def _legacy_generator_settings(spec: dict) -> dict[str, dict]:
    """Format 2 and 3 kept the generators' settings in the hybrid's own fields."""
    neighbour = {"l2": spec.get("ease_l2"), "n_items": spec["n_items"]} if spec["neighbour_kind"] == "ease" else {}
    return {
        "neighbour": neighbour,
        "als": spec["als"],
        "popularity": {"half_life_days": spec["popularity_half_life_days"]},
        "content": {},
        "cooc": {},
        "sequence": {"window": spec["sequence_window"]},
    }


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
    ranker: RankerBag | None = None
    tuning: dict[str, object] = field(default_factory=dict)
    stored: StoredRows = field(default_factory=StoredRows)  # EASE score rows of the longest histories

    # -- persistence ---------------------------------------------------------------------------
    def arrays(self) -> dict[str, np.ndarray]:
        """Every array of the fitted hybrid, each generator's under its own prefix."""
        out: dict[str, np.ndarray] = {
            "h_categories": self.categories.astype(np.int64),
            "h_item_mean_value": self.item_mean_value.astype(np.float32),
            "h_item_last_at": self.item_last_at.astype(np.float64),
            "h_als_recent_factors": self.als_recent_factors.astype(np.float32),
            **self.stored.arrays("h_stored"),
        }
        for name, prefix in self._prefixes().items():
            out.update(getattr(self, name).arrays(prefix))
        return out

    def settings(self) -> dict[str, object]:
        return {
            "params": self.params.model_dump(mode="json"),
            "n_items": self.n_items,
            "neighbour_kind": self.neighbour_kind,
            "generators": {name: getattr(self, name).settings() for name in self._prefixes()},
            "half_life": self.half_life,
            "reference_at": self.reference_at,
            "tuning": self.tuning,
            "has_ranker": self.ranker is not None,
            "ranker_members": len(self.ranker.members) if self.ranker is not None else 0,
        }

    def _prefixes(self) -> dict[str, str]:
        neighbour = "h_ease" if self.neighbour_kind == "ease" else "h_knn"
        return {name: GENERATOR_PREFIXES.get(name, neighbour) for name in (*GENERATOR_PREFIXES, "neighbour")}

    @classmethod
    def restore(cls, arrays: dict[str, np.ndarray], settings: dict, ranker: RankerBag | None) -> Hybrid:
        """The hybrid from ``arrays()`` and ``settings()`` (format 4), or from a format 2/3 model's."""
        generators = settings.get("generators") or _legacy_generator_settings(settings)
        kind = settings["neighbour_kind"]
        neighbour: Ease | ItemKnn
        if kind == "ease":
            neighbour = Ease.restore(arrays, "h_ease", generators["neighbour"])
        else:
            neighbour = ItemKnn.restore(arrays, "h_knn", generators["neighbour"])
        parts = {
            name: GENERATOR_RESTORERS[name](arrays, prefix, generators[name])
            for name, prefix in GENERATOR_PREFIXES.items()
        }
        return cls(
            params=HybridParams.model_validate(settings["params"]),
            n_items=int(settings["n_items"]),
            neighbour_kind=kind,
            neighbour=neighbour,
            categories=arrays["h_categories"],
            item_mean_value=arrays["h_item_mean_value"],
            item_last_at=arrays["h_item_last_at"],
            reference_at=float(settings["reference_at"]),
            half_life=settings["half_life"],
            als_recent_factors=arrays["h_als_recent_factors"],
            ranker=ranker,
            tuning=settings["tuning"],
            stored=StoredRows.restore(arrays, "h_stored"),
            **parts,
        )

    # -- scoring -----------------------------------------------------------------------------
    def generator_scores(
        self,
        history: sp.csr_matrix,
        user: int | None = None,
        at: sp.csr_matrix | None = None,
        trained: Trained | None = None,
    ) -> Scores:
        """Every generator's scores. ``at``: the history's event times (same shape), which orders it for
        the recency-weighted scores; ``user`` (a training row whose history is unchanged) reuses its
        trained ALS factors instead of folding in, which saves the per-request solves; ``trained``: the
        training row a one-user ``history`` extends (fold-in), whose stored rows it may start from."""
        history = history.tocsr()
        if history.shape[0] == 1:
            return self._one_user_scores(history, user, at, trained)
        pattern = binary(history)
        neighbour_input = pattern if self.params.ease_binary else history
        recent = self.recency(history, at)
        n = history.shape[0]
        if recent is None:
            neighbour = self.neighbour.scores(neighbour_input)
            neighbour_recent = neighbour
        else:
            recent_input = recent if self.params.ease_binary else history.multiply(recent).tocsr()
            both = self.neighbour.scores(sp.vstack([neighbour_input, recent_input]).tocsr())
            neighbour, neighbour_recent = both[:n], both[n:]
        known = user if user is not None and 0 <= user < len(self.als.user_factors) else None
        plain = self.als.user_factors[known : known + 1] if known is not None else self.als.fold_in(history)
        als = self._als_scores(plain)
        if recent is None:
            als_recent = als
        elif known is not None and known < len(self.als_recent_factors):
            als_recent = self._als_scores(self.als_recent_factors[known : known + 1])
        else:
            als_recent = self._als_scores(self.als.fold_in(history.multiply(recent).tocsr()))
        return {
            "neighbour": neighbour,
            "als": als,
            "neighbour_recent": neighbour_recent,
            "als_recent": als_recent,
            "sequence": self.sequence.scores(recent if recent is not None else pattern),
            "content": self.content.scores(history),
            "cooc": self.cooc.scores(history),
            "pop": self.popularity.scores(history),
        }

    def _one_user_scores(
        self, history: sp.csr_matrix, user: int | None, at: sp.csr_matrix | None, trained: Trained | None = None
    ) -> Scores:
        """``generator_scores`` for a single history row, from plain arrays (the request path)."""
        items = history.indices.astype(np.int64)
        values = history.data.astype(np.float64)
        ones = np.ones(len(items))
        recent = None
        if self.half_life is not None and at is not None:
            recent = recency_of(event_times(history, at), self.half_life)
        stored = self.stored.find(user) if isinstance(self.neighbour, Ease) else None
        neighbour: np.ndarray | CoveredScores
        neighbour_recent: np.ndarray | CoveredScores
        if stored is not None:  # a long history, unchanged since the fit: its rows were computed then
            assert isinstance(self.neighbour, Ease)
            neighbour, stored_recent = self.stored.rows(stored, self.neighbour.items, self.n_items)
            neighbour_recent = neighbour if recent is None or stored_recent is None else stored_recent
            sequence, content = self.stored.sequence[stored : stored + 1], self.stored.content[stored : stored + 1]
        elif (extended := self._extend_stored(trained, items, values, recent)) is not None:
            neighbour, neighbour_recent, sequence, content = extended
        else:
            neighbour, neighbour_recent = self._neighbour_rows(items, values, recent)
            sequence = self.sequence.row_scores(items, ones if recent is None else recent)[None, :]
            content = self.content.row_scores(items)[None, :]
        known = user if user is not None and 0 <= user < len(self.als.user_factors) else None
        plain = self.als.user_factors[known] if known is not None else self.als.fold_in_row(items, values)
        latest = None
        if recent is not None:
            if known is not None and known < len(self.als_recent_factors):
                latest = self.als_recent_factors[known]
            else:
                latest = self.als.fold_in_row(items, values * recent)
        if self.als.index is not None:  # a large catalogue: ALS scores only the items it is asked about
            als = self._als_scores(plain[None, :])
            als_recent = als if latest is None else self._als_scores(latest[None, :])
        # item_factors @ user factors reads the (large) item factors once, row by row: the fast order.
        elif latest is None:
            als = (self.als.item_factors @ plain)[None, :]
            als_recent = als
        else:
            both = (self.als.item_factors @ np.vstack([plain, latest]).T).T
            als, als_recent = both[:1], both[1:]
        return {
            "neighbour": neighbour,
            "als": als,
            "neighbour_recent": neighbour_recent,
            "als_recent": als_recent,
            "sequence": sequence,
            "content": content,
            "cooc": self.cooc.row_scores(items)[None, :],
            "pop": self.popularity.row_scores()[None, :],
        }

    def _als_scores(self, vectors: np.ndarray) -> np.ndarray | FactorScores:
        """ALS's scores of these user factors: every item's (a matmul), or, where the model has a candidate
        index (large catalogues), computed only where read."""
        if self.als.index is not None:
            return FactorScores(vectors, self.als.item_factors, self.als.index)
        return vectors @ self.als.item_factors.T

    def _neighbour_rows(
        self, items: np.ndarray, values: np.ndarray, recent: np.ndarray | None
    ) -> tuple[np.ndarray | CoveredScores, np.ndarray | CoveredScores]:
        """EASE's (or item-kNN's) scores of one history, whole and recency-weighted (the same object when
        recency is off), 1 × n_items each; EASE's kept over the items it covers."""
        neighbour_values = np.ones(len(items)) if self.params.ease_binary else values
        weights = neighbour_values[None, :]
        if recent is not None:
            weights = np.vstack([neighbour_values, neighbour_values * recent])
        if isinstance(self.neighbour, Ease):
            covered = self.neighbour.covered_scores(items, weights)
            if recent is None:
                return covered, covered
            split = [CoveredScores(covered.values[at : at + 1], covered.items, covered.n_items) for at in (0, 1)]
            return split[0], split[1]
        both = self.neighbour.row_scores(items, weights)
        return (both, both) if recent is None else (both[:1], both[1:])

    def _extend_stored(
        self, trained: Trained | None, items: np.ndarray, values: np.ndarray, recent: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """A stored user's rows brought up to their folded-in history (``items``, ``values``, ``recent``)
        from the rows of the items that changed, or None where they cannot be (no stored rows, an item
        dropped, old events re-weighted unevenly, or so many changes that scoring afresh costs no more).

        Every score is linear in the history's weights. Recency weighs an event 0.5 ** (newer events /
        half-life), so events newer than all the old ones scale every untouched old weight by one factor."""
        neighbour = self.neighbour
        row = self.stored.find(trained[0]) if trained is not None else None
        if row is None or trained is None or not isinstance(neighbour, Ease):
            return None
        old_history, old_at = trained[1], trained[2]
        old_items = old_history.indices.astype(np.int64)
        order = np.argsort(items, kind="stable")
        found = order[np.minimum(np.searchsorted(items, old_items, sorter=order), len(items) - 1)]
        if len(items) == 0 or not np.array_equal(items[found], old_items):
            return None
        binary = self.params.ease_binary
        weight = np.ones(len(items)) if binary else values
        old_weight = np.zeros(len(items))
        old_weight[found] = 1.0 if binary else old_history.data.astype(np.float64)
        factor, step, old_step = 1.0, np.ones(len(items)), np.zeros(len(items))
        old_step[found] = 1.0
        if recent is not None:
            if len(self.stored.recent) == 0:
                return None
            old_recent = recency_of(event_times(old_history, old_at), float(self.half_life or 1.0))
            step, old_step = recent, np.zeros(len(items))
            old_step[found] = old_recent
        changed = weight != old_weight
        untouched = ~changed
        untouched[np.setdiff1d(np.arange(len(items)), found)] = False
        if recent is not None:
            ratios = step[untouched] / old_step[untouched]
            if len(ratios) == 0 or not np.allclose(ratios, ratios[0], rtol=1e-9, atol=0.0):
                return None
            factor = float(ratios[0])
            changed |= ~untouched
        changed_items = np.flatnonzero(changed)
        if len(changed_items) > long_history_items(len(neighbour.items), self.params.ease_request_mb):
            return None
        plain, stored_recent = self.stored.rows(row, neighbour.items, self.n_items)
        picked = items[changed_items]
        deltas = [weight[changed_items] - old_weight[changed_items]]
        if recent is not None:
            deltas.append(
                weight[changed_items] * step[changed_items]
                - factor * old_weight[changed_items] * old_step[changed_items]
            )
        delta = neighbour.row_scores(picked, np.vstack(deltas))
        plain += delta[:1]
        whole_recent = plain
        if recent is not None and stored_recent is not None:
            whole_recent = factor * stored_recent + delta[1:]
        sequence = factor * self.stored.sequence[row] + self.sequence.row_scores(
            picked, step[changed_items] - factor * old_step[changed_items]
        )
        added = np.setdiff1d(np.arange(len(items)), found)
        content = self.stored.content[row] * (len(old_items) / len(items))
        if len(added):
            content = content + self.content.row_scores(items[added]) * (len(added) / len(items))
        return plain, whole_recent, sequence[None, :], content[None, :]

    def store_long_rows(self, matrix: sp.csr_matrix, at: sp.csr_matrix | None) -> StoredRows:
        """The score rows (EASE, sequence, content) of ``matrix``'s users whose history inside EASE is longer
        than one request may read (``ease_request_mb``), longest first within ``ease_stored_mb``, computed as
        a request computes them."""
        neighbour = self.neighbour
        if not isinstance(neighbour, Ease) or len(neighbour.items) == 0 or matrix.shape[0] == 0:
            return StoredRows()
        matrix = matrix.tocsr()
        inside = np.zeros(matrix.shape[1], bool)
        inside[neighbour.items[neighbour.items < matrix.shape[1]]] = True
        lengths = np.add.reduceat(inside[matrix.indices].astype(np.int64), matrix.indptr[:-1]) if matrix.nnz else None
        if lengths is None:
            return StoredRows()
        lengths[np.diff(matrix.indptr) == 0] = 0  # reduceat repeats the next row's first entry for an empty row
        limit = long_history_items(len(neighbour.items), self.params.ease_request_mb)
        long_users = np.flatnonzero(lengths > limit)
        per_user = stored_bytes(len(neighbour.items), matrix.shape[1], self.half_life is not None)
        room = int(self.params.ease_stored_mb * 2**20 // per_user)
        if len(long_users) > room:
            long_users = long_users[np.lexsort((long_users, -lengths[long_users]))[:room]]
        users = np.sort(long_users).astype(np.int64)
        stored = StoredRows(
            users=users,
            plain=np.zeros((len(users), len(neighbour.items)), np.float32),
            recent=np.zeros((len(users) if self.half_life is not None else 0, len(neighbour.items)), np.float32),
            sequence=np.zeros((len(users), matrix.shape[1])),
            content=np.zeros((len(users), matrix.shape[1])),
        )
        for row, user in enumerate(users):
            history = matrix[user]
            items = history.indices.astype(np.int64)
            recent = None
            if self.half_life is not None and at is not None:
                recent = recency_of(event_times(history, at[user]), self.half_life)
            whole, weighted = self._neighbour_rows(items, history.data.astype(np.float64), recent)
            stored.plain[row] = whole[0, neighbour.items]
            if len(stored.recent):
                stored.recent[row] = weighted[0, neighbour.items]
            stored.sequence[row] = self.sequence.row_scores(items, np.ones(len(items)) if recent is None else recent)
            stored.content[row] = self.content.row_scores(items)
        return stored

    def recency(self, history: sp.csr_matrix, at: sp.csr_matrix | None) -> sp.csr_matrix | None:
        """The history's pattern weighted by recency, or None when recency is off or times are unknown."""
        if self.half_life is None or at is None:
            return None
        return recency_weights(history, at, self.half_life)

    def candidates(self, scores: Scores, row: int, blocked: np.ndarray) -> np.ndarray:
        """Union of each generator's best unblocked items for one user (blocked: bool mask). On a large
        catalogue this is a request's largest cost after the scores, so EASE is searched only over the items
        it covers (the rest score 0) and popularity walks its order, sorted once."""
        n_blocked = int(blocked.sum())
        n_allowed = len(blocked) - n_blocked
        if n_allowed == 0:
            return np.zeros(0, np.int64)
        n_main = self.params.candidates
        covered = self.neighbour.items if isinstance(self.neighbour, Ease) else None
        picks = []
        scanned: dict[str, np.ndarray] = {}
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
            if name == "pop":
                head = self.popularity.most_popular_first()[: take + n_blocked]
                picks.append(head[~blocked[head]][:take])
                continue
            found = scores[name]
            if isinstance(found, CoveredScores):  # EASE: searched over the items it covers
                picks.append(found.top(row, take, blocked))
                continue
            if isinstance(found, FactorScores):  # ALS's bound scan: both vectors share one scan
                if name not in scanned:
                    scanned.update(_scan_als(scores, row, take, blocked))
                picks.append(scanned[name])
                continue
            values = found[row]
            if name in ("sequence", "content", "cooc"):
                # Sparse generators score few items; the unscored rest would only add arbitrary ties.
                scored = np.flatnonzero(values > 0)
                picks.append(top_unblocked(values, take, blocked, scored))
            elif name.startswith("neighbour") and covered is not None and len(covered) >= take:
                picks.append(top_unblocked(values, take, blocked, covered))
            else:
                picks.append(top_unblocked(values, take, blocked))
        return np.unique(np.concatenate(picks))

    def features(self, scores: Scores, row: int, history_row: sp.csr_matrix, items: np.ndarray) -> np.ndarray:
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
        out[:, column + 7] = _category_share(self.categories[seen], self.categories[items])
        return out

    def rank_scores(self, features: np.ndarray) -> np.ndarray:
        """Ranker output for candidate rows; without a ranker the neighbour score ranks alone."""
        mode = self.tuning.get("blend", "ranker" if self.ranker is not None else "neighbour")
        return blend_scores(str(mode), self.ranker, features)

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


BLENDS = ("ranker", "neighbour", "als", "mean", "recent")


def blend_scores(mode: str, ranker: object | None, features: np.ndarray) -> np.ndarray:
    """Scores of candidate rows under one blend: the ranker's output, or a simple blend.

    Trees output steps, so candidates often tie: the recency blend (a number in 0–1, scaled far below
    any step between trees' outputs) orders them instead of their position in the request."""
    if len(features) == 0:
        return np.zeros(0)
    if mode == "ranker" and ranker is not None:
        raw = np.asarray(ranker.predict(features, num_threads=1), dtype=np.float64)  # type: ignore[attr-defined]
        return raw + 1e-6 * _simple_blend(features, "recent")
    return _simple_blend(features, mode)


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


def _scan_als(scores: Scores, row: int, take: int, blocked: np.ndarray) -> dict[str, np.ndarray]:
    """ALS's candidates, whole-history and recent, from one bound scan of the item factors."""
    names = [name for name in ("als", "als_recent") if isinstance(scores[name], FactorScores)]
    if len(names) == 2 and scores["als_recent"] is scores["als"]:
        names = ["als"]
    lazy = [part for part in (scores[name] for name in names) if isinstance(part, FactorScores)]
    found = lazy[0].index.search(np.vstack([part.vectors[row] for part in lazy]), take, blocked)
    return dict(zip(names, found, strict=True))


def _category_share(history: np.ndarray, items: np.ndarray) -> np.ndarray:
    """For each of ``items``' category codes, the share of the ``history`` codes equal to it (unknown, -1:
    0), counted once over the codes instead of looked up per item."""
    out = np.zeros(len(items))
    known = history[history >= 0]
    if len(known) == 0:
        return out
    counts = np.bincount(known)
    inside = (items >= 0) & (items < len(counts))
    out[inside] = counts[items[inside]] / len(history)
    return out


def _rank(values: np.ndarray) -> np.ndarray:
    """1 for the best; equal values share the best of their ranks, so an item's features never depend on
    where it sits in the request."""
    negated = -np.asarray(values, np.float64)
    return (np.searchsorted(np.sort(negated), negated, side="left") + 1).astype(np.float32)
