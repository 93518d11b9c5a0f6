"""Serving: ranked, filtered, explained recommendations for one user, from memory, in milliseconds.

One class answers every path and says which one served each item (``source``):

- ``hybrid``: a user with history and a trained model — generators, then the LambdaRank blend;
- ``fold_in``: the same for a user the model never saw, from the history passed in (no retraining);
- ``popular``: a user with no history at all — popular items in the requested context
  (store, category filter);
- ``rules``: no trained model (``Recommender.rules_only``) — category/brand match + popularity +
  novelty, the plan's current system.

Documented edge answers: an unknown user is a cold-start user (popular items); unknown ids in
``candidates`` or ``exclude`` are ignored; ``score`` gives 0.0 for unknown item ids; ``k`` larger
than what is allowed returns every allowed item; an empty catalogue returns an empty list;
``similar``/``bought_together`` of an unknown item return an empty list.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, Self

import numpy as np
import pandas as pd
import scipy.sparse as sp
from pydantic import BaseModel, ConfigDict, Field

from tendero.recommend.catalogue import Catalogue, build_matrices
from tendero.recommend.explain import Language, reason
from tendero.recommend.generators import Ease
from tendero.recommend.hybrid import Hybrid, Trained
from tendero.recommend.recency import event_times
from tendero.recommend.signals import (
    IdMap,
    SignalWeights,
    faded,
    interaction_columns,
    signal_events,
    signal_pairs,
)

Source = Literal["hybrid", "fold_in", "popular", "rules", "collaborative", "content", "bought_together"]


class Filters(BaseModel):
    """Business rules applied before ranking, so k valid items come back whenever k exist."""

    model_config = ConfigDict(extra="forbid")

    categories: list[str] | None = Field(None, description="only these categories")
    exclude_categories: list[str] | None = None
    brands: list[str] | None = None
    price_min: float | None = None
    price_max: float | None = None
    store: str | None = Field(None, description="context for popular items (cold start)")
    max_per_category: int | None = Field(None, ge=1, description="diversity: at most N per category")
    exclude_seen: bool = Field(True, description="drop items the user already bought/rated/interacted with")
    include_inactive: bool = False


class Recommendation(BaseModel):
    item_id: str
    score: float = Field(ge=0.0, le=1.0)
    reason: str
    source: Source


@dataclass
class Recommender:
    """Everything needed to answer requests, held in memory (see module docstring for the paths)."""

    catalogue: Catalogue
    users: IdMap
    history: sp.csr_matrix  # users × items weighted signals
    history_at: sp.csr_matrix  # users × items time of the last event (epoch seconds), same pattern
    popularity: np.ndarray  # per item, distinct users (all data)
    first_seen: np.ndarray  # per item, epoch seconds of the first event (inf if none)
    reference_at: float
    stores: IdMap
    store_counts: sp.csr_matrix  # stores × items
    hybrid: Hybrid | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    info: dict[str, object] = field(default_factory=dict)
    _columns: dict[str, sp.csc_matrix] = field(default_factory=dict, repr=False, compare=False)

    # -- construction --------------------------------------------------------------------------
    @classmethod
    def rules_only(
        cls,
        interactions: pd.DataFrame | None,
        order_lines: pd.DataFrame | None,
        products: pd.DataFrame | None,
        weights: SignalWeights | None = None,
    ) -> Self:
        """The fallback that needs no trained model: cheap to build from the frames on demand."""
        pairs = signal_pairs(signal_events(interactions, order_lines, weights))
        catalogue = Catalogue.build(products, pairs["item_id"].to_numpy())
        return cls.from_pairs(pairs, catalogue, order_lines)

    @classmethod
    def from_pairs(
        cls,
        pairs: pd.DataFrame,
        catalogue: Catalogue,
        order_lines: pd.DataFrame | None,
        hybrid: Hybrid | None = None,
        users: IdMap | None = None,
    ) -> Self:
        """``users`` must be the map the hybrid was trained with (its ALS rows follow it)."""
        if users is None:
            users = IdMap(pd.unique(pairs["user_id"]) if len(pairs) else np.array([], object))
        matrices = build_matrices(pairs, users, catalogue)
        n_items = len(catalogue)
        popularity = np.asarray((matrices.weight > 0).sum(axis=0)).ravel().astype(np.float32)
        first_seen = np.full(n_items, np.inf)
        coo = matrices.at.tocoo()
        if coo.nnz:
            np.minimum.at(first_seen, coo.col, coo.data)
        stores, store_counts = _store_counts(order_lines, catalogue)
        return cls(
            catalogue=catalogue,
            users=users,
            history=matrices.weight,
            history_at=_same_pattern(matrices.at, matrices.weight),
            popularity=popularity,
            first_seen=first_seen,
            reference_at=float(coo.data.max()) if coo.nnz else 0.0,
            stores=stores,
            store_counts=store_counts,
            hybrid=hybrid,
        )

    # -- public API ----------------------------------------------------------------------------
    def recommend(
        self,
        user_id: str | None,
        k: int = 10,
        filters: Filters | None = None,
        exclude: Sequence[str] | None = None,
        candidates: Sequence[str] | None = None,
        history: Sequence[str] | None = None,
        language: Language = "es",
        recent: pd.DataFrame | None = None,
    ) -> list[Recommendation]:
        """Top-``k`` items for ``user_id``. What the user did after training is folded in, no refit:
        ``history`` (item ids, newest last) and ``recent`` (their interactions since ``trained_until()``:
        item_id, kind, value, at), each weighted as the fit weighed its signals."""
        filters = filters or Filters()
        n_items = len(self.catalogue)
        if k <= 0 or n_items == 0:
            return []
        row, at, user = self._history_row(user_id, history, recent)
        trained = self._trained(user_id, user)
        blocked = self._blocked(row, filters, exclude, candidates)
        if blocked.all():
            return []
        if row.nnz == 0:
            ranked, scores, source, explain = self._popular(blocked, filters, language)
        elif self.hybrid is None:
            ranked, scores, source, explain = self._rules(row, blocked, language)
        else:
            ranked, scores, source, explain = self._hybrid(
                row, at, blocked, candidates is not None, user, language, trained
            )
        return self._finish(ranked, scores, source, explain, blocked, filters, k, language)

    def score(self, user_id: str | None, item_ids: Sequence[str], history: Sequence[str] | None = None) -> list[float]:
        """0–1 scores for ``item_ids`` in the same order (the /v1/predict contract); 0.0 for unknown ids."""
        positions = self.catalogue.items.positions(list(item_ids))
        known = positions >= 0
        out = np.zeros(len(positions))
        if not known.any():
            return out.tolist()
        items = positions[known]
        row, at, user = self._history_row(user_id, history)
        trained = self._trained(user_id, user)
        if row.nnz == 0:
            out[known] = self._popularity_unit()[items]
        elif self.hybrid is None:
            out[known] = self._rules_scores(row)[items]
        else:
            with one_blas_thread():
                scores = self.hybrid.generator_scores(row, user, at, trained)
            raw = self.hybrid.rank_scores(self.hybrid.features(scores, 0, row, items))
            out[known] = self.hybrid.unit_scores(raw)
        return out.tolist()

    def similar(self, item_id: str, k: int = 10, language: Language = "es") -> list[Recommendation]:
        """Items like ``item_id``: collaborative neighbours if it has interactions, else by content."""
        position = self.catalogue.items.get(str(item_id))
        if position is None or k <= 0:
            return []
        name = str(self.catalogue.names[position])
        collaborative = self._neighbour_row(position) if self.popularity[position] > 0 else None
        content = self._sparse_row(self.hybrid.content.similarity if self.hybrid else None, position)
        if collaborative is not None and (collaborative > 0).any():
            values, source = collaborative + 0.05 * content, "collaborative"
        else:
            values, source = content, "content"
        values[position] = 0.0
        values[~self.catalogue.active] = 0.0
        return self._neighbour_list(values, k, source, reason("similar", language, name))

    def bought_together(self, item_id: str, k: int = 10, language: Language = "es") -> list[Recommendation]:
        """Items most often in the same basket (order or same-day session) as ``item_id``."""
        position = self.catalogue.items.get(str(item_id))
        if position is None or k <= 0 or self.hybrid is None:
            return []
        values = self._sparse_row(self.hybrid.cooc.similarity, position)
        values[position] = 0.0
        values[~self.catalogue.active] = 0.0
        name = str(self.catalogue.names[position])
        return self._neighbour_list(values, k, "bought_together", reason("bought_together", language, name))

    def probe(self) -> list[Recommendation]:
        """One representative request: the most active known user's top 10."""
        if len(self.users) == 0:
            return self.recommend(None, 10)
        busiest = int(np.argmax(np.diff(self.history.indptr)))
        return self.recommend(str(self.users.ids[busiest]), 10)

    # -- paths ---------------------------------------------------------------------------------
    def training_report(self) -> dict[str, object]:
        """The tuning (which blend ranks and why: each blend's inner NDCG@10 and the ranker's gain over the best
        simple one with its standard error; the tuned generators; each stage's cost), for the version's answer."""
        tuning = self.info.get("tuning") or (self.hybrid.tuning if self.hybrid is not None else None)
        if not tuning:
            return {"tuning": {"blend": "rules"}}
        return {"tuning": json.loads(json.dumps(tuning, default=_json_number))}

    def knows_user(self, user_id: str) -> bool:
        """Whether ``user_id`` has a history in the data this recommender learnt from."""
        return self.users.get(str(user_id)) is not None

    def knows_item(self, item_id: str) -> bool:
        """Whether ``item_id`` is in the catalogue this recommender answers from."""
        return self.catalogue.items.get(str(item_id)) is not None

    def trained_until(self) -> datetime:
        """The newest event the model learnt from (naive UTC): later interactions are folded in per request."""
        return datetime.fromtimestamp(self.reference_at, UTC).replace(tzinfo=None)

    def _history_row(
        self, user_id: str | None, history: Sequence[str] | None, recent: pd.DataFrame | None = None
    ) -> tuple[sp.csr_matrix, sp.csr_matrix, int | None]:
        """The user's signal row (training history + ``recent`` + ``history``), its event times, and the
        user's training row if unchanged. Items in ``history`` count as the newest, in the order given."""
        n_items = len(self.catalogue)
        position = self.users.get(str(user_id)) if user_id is not None else None
        if position is not None:
            row, at = _row(self.history, position), _row(self.history_at, position)
        else:
            row = sp.csr_matrix((1, n_items), dtype=np.float32)
            at = sp.csr_matrix((1, n_items), dtype=np.float64)
        if recent is not None and len(recent):
            folded = self._recent_signals(recent)
            if folded is not None:
                added, times = folded
                row = (row + added).tocsr()
                at = _same_pattern(at.tocsr().maximum(times).tocsr(), row)
                position = None
        if history:
            extra = self.catalogue.items.positions([str(h) for h in history])
            extra = extra[extra >= 0]
            if len(extra):
                # Later in the list is newer; an item mentioned twice counts at its last mention.
                mentions = len(extra)
                extra, from_end = np.unique(extra[::-1], return_index=True)
                order = mentions - from_end
                weight = float(self.history.data.mean()) if self.history.nnz else 1.0
                start = max(float(at.data.max()) if at.nnz else 0.0, self.reference_at) + 1.0
                zeros = np.zeros(len(extra), int)
                added = sp.csr_matrix((np.full(len(extra), weight, np.float32), (zeros, extra)), shape=(1, n_items))
                times = sp.csr_matrix((start + order.astype(np.float64), (zeros, extra)), shape=(1, n_items))
                row = (row + added).tocsr()
                at = _same_pattern(at.tocsr().maximum(times).tocsr(), row)
                return row, at, None
        return row, at, position if not history else None

    def _trained(self, user_id: str | None, unchanged: int | None) -> Trained | None:
        """The training row a folded-in history extends, where the model stored that user's rows (a long
        history): the request then adds the new items' rows to the stored ones instead of scoring afresh."""
        if unchanged is not None or user_id is None or self.hybrid is None:
            return None
        position = self.users.get(str(user_id))
        if position is None or self.hybrid.stored.find(position) is None:
            return None
        return position, _row(self.history, position), _row(self.history_at, position)

    def _recent_signals(self, recent: pd.DataFrame) -> tuple[sp.csr_matrix, sp.csr_matrix] | None:
        """``recent`` interactions as one signal row and its times, weighted by the model's own signal
        weights; items the catalogue does not know yet are left out (the update job adds them)."""
        params = self.info.get("params")
        signals = params.get("signals") if isinstance(params, dict) else None
        weights = SignalWeights.model_validate(signals or {})
        # One user's few events weighted and summed per item as ``signal_events`` and ``signal_pairs`` do
        # (weights added, the last time), without building frames or grouping: on the request path those
        # cost more than the scoring (12 of 14 ms).
        events = interaction_columns(recent.assign(user_id="_"), weights)
        kept = events["weight"] > 0
        positions = self.catalogue.items.positions(events["item_id"][kept])
        at = events["at"][kept]
        weight = faded(events["weight"][kept], at, weights)
        known = positions >= 0
        if not known.any():
            return None
        items, per_item = np.unique(positions[known], return_inverse=True)
        weight = np.bincount(per_item, weights=weight[known].astype(np.float64))
        last = np.full(len(items), -np.inf)
        np.maximum.at(last, per_item, at[known].astype(np.float64))
        shape = (1, len(self.catalogue))
        zeros = np.zeros(len(items), int)
        added = sp.csr_matrix((weight.astype(np.float32), (zeros, items)), shape=shape)
        times = sp.csr_matrix((last, (zeros, items)), shape=shape)
        return added, times

    def _blocked(
        self,
        row: sp.csr_matrix,
        filters: Filters,
        exclude: Sequence[str] | None,
        candidates: Sequence[str] | None,
    ) -> np.ndarray:
        catalogue = self.catalogue
        blocked = np.zeros(len(catalogue), dtype=bool)
        if not filters.include_inactive:
            blocked |= ~catalogue.active
        if filters.exclude_seen:
            blocked[row.indices] = True
        if exclude:
            positions = catalogue.items.positions([str(e) for e in exclude])
            blocked[positions[positions >= 0]] = True
        if filters.categories is not None:
            blocked |= ~np.isin(catalogue.categories, filters.categories)
        if filters.exclude_categories:
            blocked |= np.isin(catalogue.categories, filters.exclude_categories)
        if filters.brands is not None:
            blocked |= ~np.isin(catalogue.brands, filters.brands)
        if filters.price_min is not None:
            blocked |= ~(catalogue.prices >= filters.price_min)
        if filters.price_max is not None:
            blocked |= ~(catalogue.prices <= filters.price_max)
        if candidates is not None:
            positions = catalogue.items.positions([str(c) for c in candidates])
            allowed = np.zeros(len(catalogue), dtype=bool)
            allowed[positions[positions >= 0]] = True
            blocked |= ~allowed
        return blocked

    def _popular(self, blocked: np.ndarray, filters: Filters, language: Language):
        counts = self.popularity
        context = ""
        store = self.stores.get(filters.store) if filters.store else None
        if store is not None:
            counts = np.asarray(self.store_counts[store].toarray()).ravel() + 1e-3 * self.popularity
            context = filters.store or ""
        scores = np.log1p(counts)
        allowed = np.flatnonzero(~blocked)
        ranked = allowed[np.argsort(-scores[allowed], kind="stable")]
        unit = scores / scores.max() if scores.max() > 0 else np.zeros_like(scores)
        source = "rules" if self.hybrid is None else "popular"
        return ranked, unit[ranked], source, lambda item: self._popular_reason(item, context, language)

    def _popular_reason(self, item: int, context: str, language: Language) -> str:
        where = context or str(self.catalogue.categories[item])
        return reason("popular_in", language, where) if where else reason("popular", language)

    def _rules_scores(self, row: sp.csr_matrix) -> np.ndarray:
        catalogue = self.catalogue
        seen = row.indices
        category_share = _share(catalogue.categories, seen)
        brand_share = _share(catalogue.brands, seen)
        popularity = self._popularity_unit()
        age_days = (self.reference_at - self.first_seen) / 86400.0
        novelty = np.where(age_days <= 30.0, 1.0, 0.0)
        return (0.5 * category_share + 0.3 * brand_share + 0.2 * popularity + 0.1 * novelty) / 1.1

    def _rules(self, row: sp.csr_matrix, blocked: np.ndarray, language: Language):
        scores = self._rules_scores(row)
        allowed = np.flatnonzero(~blocked)
        ranked = allowed[np.argsort(-scores[allowed], kind="stable")]
        catalogue = self.catalogue
        seen_categories = set(catalogue.categories[row.indices].tolist()) - {""}
        seen_brands = set(catalogue.brands[row.indices].tolist()) - {""}

        def explain(item: int) -> str:
            category, brand = str(catalogue.categories[item]), str(catalogue.brands[item])
            if category in seen_categories:
                return reason("category", language, category)
            if brand in seen_brands:
                return reason("brand", language, brand)
            if (self.reference_at - self.first_seen[item]) <= 30 * 86400.0:
                return reason("new", language)
            return self._popular_reason(item, "", language)

        return ranked, scores[ranked], "rules", explain

    def _hybrid(
        self,
        row: sp.csr_matrix,
        at: sp.csr_matrix,
        blocked: np.ndarray,
        rank_all: bool,
        user: int | None,
        language: Language,
        trained: Trained | None = None,
    ):
        hybrid = self.hybrid
        assert hybrid is not None
        with one_blas_thread():
            scores = hybrid.generator_scores(row, user, at, trained)
        items = np.flatnonzero(~blocked) if rank_all else hybrid.candidates(scores, 0, blocked)
        raw = hybrid.rank_scores(hybrid.features(scores, 0, row, items))
        order = np.argsort(-raw, kind="stable")
        ranked = items[order]
        unit = hybrid.unit_scores(raw[order])
        source = "hybrid" if user is not None else "fold_in"
        seen = row.indices
        # Explanations read item→item weights from the user's history items, only for the items shown.
        ease_rows = hybrid.neighbour.rows_of(seen) if isinstance(hybrid.neighbour, Ease) else None
        reasons: dict[int, str] = {}

        def explain(item: int) -> str:
            """Reasons are read for the next ``REASON_BATCH`` ranked items at once, in one pass per signal."""
            if item not in reasons:
                at = np.flatnonzero(ranked == item)
                batch = ranked[int(at[0]) : int(at[0]) + REASON_BATCH] if len(at) else np.array([item])
                texts = self._model_reasons(seen, ease_rows, batch, language)
                reasons.update(zip(batch.tolist(), texts, strict=True))
            return reasons[item]

        return ranked, unit, source, explain

    def _model_reasons(self, seen: np.ndarray, ease_rows, items: np.ndarray, language: Language) -> list[str]:
        """For each of ``items``, name the history item that pulls it up most: co-bought (weight at least
        0.2, when the data has orders), else the largest neighbour weight, else content, else popularity."""
        hybrid = self.hybrid
        assert hybrid is not None
        names = self.catalogue.names
        out: list[str | None] = [None] * len(items)

        def strongest(weights: np.ndarray) -> tuple[list[float], list[str]]:
            """Per item (column): its largest weight from the history (0 at least) and that history item's
            name, for all items at once (per-column numpy calls cost more than the weights)."""
            if len(seen) == 0:
                return [0.0] * weights.shape[1], [""] * weights.shape[1]
            best = names[seen[np.argmax(weights, axis=0)]]
            return weights.max(axis=0, initial=0.0).tolist(), [str(name) for name in best]

        if self.info.get("has_orders"):
            bought, bought_by = strongest(self._weights_into("cooc", hybrid.cooc.similarity, seen, items))
            for column, weight in enumerate(bought):
                if weight >= 0.2:
                    out[column] = reason("bought_together", language, bought_by[column])
        if isinstance(hybrid.neighbour, Ease):
            neighbour = hybrid.neighbour.block(seen, items, ease_rows)
        else:
            neighbour = self._weights_into("knn", hybrid.neighbour.similarity, seen, items)
        liked, liked_by = strongest(neighbour)
        alike: tuple[list[float], list[str]] | None = None
        for column, item in enumerate(items.tolist()):
            if out[column] is not None:
                continue
            if liked[column] > 0:
                out[column] = reason("liked", language, liked_by[column])
                continue
            if alike is None:
                alike = strongest(self._weights_into("content", hybrid.content.similarity, seen, items))
            if alike[0][column] > 0:
                out[column] = reason("similar", language, alike[1][column])
            else:
                out[column] = self._popular_reason(int(item), "", language)
        return [text or "" for text in out]

    def _weights_into(self, name: str, matrix: sp.csr_matrix, seen: np.ndarray, items: np.ndarray) -> np.ndarray:
        """``matrix[seen, items]`` as a dense len(seen) × len(items) block, read from a CSC copy made once per
        model, every column's entries in one gather."""
        columns = self._columns.get(name)
        if columns is None:
            columns = self._columns[name] = matrix.tocsc()
        out = np.zeros((len(seen), len(items)))
        inside_matrix = items < columns.shape[1]
        wanted = np.where(inside_matrix, items, 0)
        starts = columns.indptr[wanted]
        lengths = np.where(inside_matrix, columns.indptr[wanted + 1] - starts, 0)
        total = int(lengths.sum())
        if total == 0:
            return out
        offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(total)
        rows = _positions_in(seen, columns.indices[offsets])
        cols = np.repeat(np.arange(len(items)), lengths)
        keep = rows >= 0
        out[rows[keep], cols[keep]] = columns.data[offsets][keep]
        return out

    def _finish(self, ranked, scores, source, explain, blocked, filters: Filters, k: int, language: Language):
        """Apply the per-category cap, pad with popular allowed items, build the response."""
        chosen: list[Recommendation] = []
        per_category: dict[str, int] = {}
        taken: set[int] = set()
        cap = filters.max_per_category

        def take(item: int, score: float, source: str, explain) -> None:
            category = str(self.catalogue.categories[item])
            if cap is not None and per_category.get(category, 0) >= cap:
                return
            per_category[category] = per_category.get(category, 0) + 1
            taken.add(item)
            chosen.append(
                Recommendation(
                    item_id=str(self.catalogue.items.ids[item]),
                    score=min(max(score, 0.0), 1.0),  # plain floats: np.clip on a scalar costs more than the rest
                    reason=explain(item),
                    source=source,  # type: ignore[arg-type]
                )
            )

        for index, item in enumerate(ranked):
            if len(chosen) >= k:
                break
            take(int(item), float(scores[index]), source, explain)
        if len(chosen) < k:  # the model's candidates ran out (or the cap bit): fill with popular items
            lowest = min((r.score for r in chosen), default=1.0)
            p_ranked, p_scores, p_source, p_explain = self._popular(blocked, filters, language)
            for index, item in enumerate(p_ranked):
                if len(chosen) >= k:
                    break
                if int(item) not in taken:
                    take(int(item), min(float(p_scores[index]), lowest), p_source, p_explain)
        return chosen

    # -- small helpers -------------------------------------------------------------------------
    def _popularity_unit(self) -> np.ndarray:
        logs = np.log1p(self.popularity.astype(np.float64))
        return logs / logs.max() if len(logs) and logs.max() > 0 else np.zeros(len(logs))

    def _neighbour_row(self, position: int) -> np.ndarray | None:
        if self.hybrid is None:
            return None
        neighbour = self.hybrid.neighbour
        if isinstance(neighbour, Ease):
            return np.maximum(neighbour.full_row(position), 0.0)
        return self._sparse_row(neighbour.similarity, position)

    def _sparse_row(self, matrix: sp.csr_matrix | None, position: int) -> np.ndarray:
        values = np.zeros(len(self.catalogue))
        if matrix is None or position >= matrix.shape[0]:
            return values
        start, end = matrix.indptr[position], matrix.indptr[position + 1]
        values[matrix.indices[start:end]] = matrix.data[start:end]
        return values

    def _neighbour_list(self, values: np.ndarray, k: int, source: str, why: str) -> list[Recommendation]:
        positive = np.flatnonzero(values > 0)
        if len(positive) == 0:
            return []
        take = min(k, len(positive))
        top = positive[np.argpartition(-values[positive], take - 1)[:take]]
        top = top[np.argsort(-values[top], kind="stable")]
        peak = values[top[0]]
        return [
            Recommendation(
                item_id=str(self.catalogue.items.ids[i]),
                score=float(np.clip(values[i] / peak, 0.0, 1.0)),
                reason=why,
                source=source,  # type: ignore[arg-type]
            )
            for i in top
        ]


_BLAS: list[object] = []


REASON_BATCH = 16  # ranked items whose reasons one pass reads (a top-10 answer needs one pass, or two with a cap)


def one_blas_thread() -> AbstractContextManager[object]:
    """BLAS on one thread for one request's small solves and products: a second thread only adds a
    hand-over (on a busy machine a 128×128 fold-in solve took 120 ms with two threads, 0.2 ms with one)."""
    if not _BLAS:
        from threadpoolctl import ThreadpoolController

        _BLAS.append(ThreadpoolController())
    return _BLAS[0].limit(limits=1, user_api="blas")  # type: ignore[attr-defined]


def _positions_in(seen: np.ndarray, items: np.ndarray) -> np.ndarray:
    """Each of ``items``' position in ``seen`` (distinct item positions), -1 where absent: a search of the few
    seen items instead of a catalogue-wide position map built per request."""
    if len(seen) == 0:
        return np.full(len(items), -1, np.int64)
    order = np.argsort(seen, kind="stable")
    found = order[np.minimum(np.searchsorted(seen, items, sorter=order), len(seen) - 1)]
    return np.where(seen[found] == items, found, -1)


def _share(labels: np.ndarray, seen: np.ndarray) -> np.ndarray:
    """For each item, the share of the user's history that has the same (non-empty) label."""
    if len(seen) == 0:
        return np.zeros(len(labels))
    values, counts = np.unique(labels[seen], return_counts=True)
    share = {v: c / len(seen) for v, c in zip(values.tolist(), counts.tolist(), strict=True) if v}
    return np.array([share.get(v, 0.0) for v in labels.tolist()]) if share else np.zeros(len(labels))


def _store_counts(order_lines: pd.DataFrame | None, catalogue: Catalogue) -> tuple[IdMap, sp.csr_matrix]:
    if order_lines is None or not len(order_lines) or "store" not in order_lines:
        return IdMap(np.array([], object)), sp.csr_matrix((0, len(catalogue)), dtype=np.float32)
    lines = order_lines.dropna(subset=["store"])
    stores = IdMap(pd.unique(lines["store"].astype(str)))
    rows = stores.positions(lines["store"].astype(str).to_numpy())
    cols = catalogue.items.positions(lines["product_id"].astype(str).to_numpy())
    keep = cols >= 0
    matrix = sp.csr_matrix(
        (np.ones(int(keep.sum()), np.float32), (rows[keep], cols[keep])), shape=(len(stores), len(catalogue))
    )
    return stores, matrix


def _same_pattern(at: sp.csr_matrix, pattern: sp.csr_matrix) -> sp.csr_matrix:
    """``at`` restricted and ordered exactly like ``pattern``'s entries (missing times: 0)."""
    pattern = pattern.tocsr()
    out = pattern.copy().astype(np.float64)
    out.data = event_times(pattern, at)
    return out


def _row(matrix: sp.csr_matrix, position: int) -> sp.csr_matrix:
    """One CSR row by slicing its arrays (scipy's row indexing costs more than the request's arithmetic)."""
    start, end = matrix.indptr[position], matrix.indptr[position + 1]
    indices = matrix.indices[start:end]  # its pointers in the positions' type: scipy converts mixed ones
    return sp.csr_matrix(
        (matrix.data[start:end], indices, np.array([0, end - start], indices.dtype)), shape=(1, matrix.shape[1])
    )


def _json_number(value: object) -> object:
    """NumPy numbers and arrays in the tuning report, as JSON takes them."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)
