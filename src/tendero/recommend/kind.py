"""Model kind ``recommender``: interactions + orders + products in, a hybrid recommender out.

Fit: signals → a per-user holdout (the newest 20 % by default) → ``fit_hybrid`` on the rest (plan,
tuning and ranker on an inner split of it) → held-out metrics → generators refitted on all data with
the tuned settings. Update (between fits): the fitted model brought up to today's data, nothing tuned
again. Saved as .npz arrays, JSON and a LightGBM text model; never pickle.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import scipy.sparse as sp
from pydantic import Field

from tendero.catalogue.refusals import Refusal
from tendero.kinds import Fitted, Frames, Holdout, HoldoutScore, KindParams, Progress, StagedProgress
from tendero.recommend.catalogue import Catalogue, build_matrices
from tendero.recommend.evaluation import evaluate_scorer, split_pairs, top_k
from tendero.recommend.fit import RANKER_STEPS, ItemSide, fit_hybrid, refit_hybrid, update_hybrid
from tendero.recommend.generators.sparse import csr_arrays, csr_from_arrays
from tendero.recommend.hybrid import Hybrid, HybridParams
from tendero.recommend.ranker_bag import RankerBag
from tendero.recommend.recommender import Recommender
from tendero.recommend.signals import IdMap, SignalWeights, signal_events, signal_pairs
from tendero.recommend.stages import Stages
from tendero.recommend.tuning import sample_rows

FORMAT_VERSION = 4
# Formats 2 and 3 still load: 2 (before BM25-weighted ALS) folds raw signal values in (k1 None); both
# kept the generators' settings in the hybrid's own fields, 4 gives each generator its own.
READABLE_FORMATS = (2, 3, 4)


class RecommenderParams(KindParams):
    signals: SignalWeights = Field(default_factory=SignalWeights)
    hybrid: HybridParams = Field(default_factory=HybridParams)
    holdout_fraction: float = Field(0.2, gt=0, lt=1)
    holdout_max_users: int = Field(5000, ge=100, description="held-out users scored for the metrics (a sample above)")


class FittedRecommender(Recommender):
    """The fitted ``recommender``: the serving ``Recommender`` plus native save/load."""

    def save(self, folder: Path) -> None:
        save_recommender(self, Path(folder))

    @classmethod
    def load(cls, folder: Path) -> FittedRecommender:
        return load_recommender(Path(folder))


def _frame(frames: Frames, name: str) -> pd.DataFrame | None:
    try:
        frame = frames[name]
    except KeyError:
        return None
    return frame if frame is not None and len(frame) else None


# Seconds each stage of a fit took on the demo store (`tendero demo`, seed 7: 2,532 users, 207 items, 78 s of wall
# time on 2 shared cores), in the order the fit runs them: the job's progress and ETA count each stage by its cost, not
# by its number of messages. Training the ranker is 60 % of the fit: counted as one of 73 equal steps it left the bar
# at 46-49 % for most of the fit while the ETA climbed; it now moves through the boosting in RANKER_STEPS steps.
FIT_STAGE_SECONDS: dict[str, float] = {
    "signals": 0.4,
    "ease": 3.9,
    "recency": 0.7,
    "als": 12.2,
    "folds": 7.3,
    "ranker": 46.5,
    "blend": 0.7,
    "final": 1.6,
    "holdout": 3.1,
    "refit": 1.7,
}
# The message that starts each stage (other messages are steps within the current stage).
STAGE_MESSAGES: tuple[tuple[str, str], ...] = (
    ("building signals", "signals"),
    ("tuning EASE", "ease"),
    ("tuning the recency", "recency"),
    ("tuning ALS", "als"),
    ("ranker fold", "folds"),
    ("training ranker", "ranker"),
    ("ranker:", "blend"),  # said when the ranker is trained
    ("ranker skipped", "blend"),
    ("refitting generators", "final"),
    ("evaluating on the holdout", "holdout"),
    ("refitting on all data", "refit"),
)


class RecommenderKind:
    name: ClassVar[str] = "recommender"
    Params: ClassVar[type[KindParams]] = RecommenderParams
    needs: ClassVar[tuple[str, ...]] = ("interactions", "order_lines", "products")
    fitted_type: ClassVar[type] = FittedRecommender

    def algorithm(self, params: KindParams) -> str:
        assert isinstance(params, RecommenderParams)
        ranker = "lambdarank" if params.hybrid.ranker == "lambdarank" else "neighbour"
        return f"hybrid-ease-als-content-{ranker}"

    def fit(self, frames: Frames, params: KindParams, progress: Progress) -> FittedRecommender:
        assert isinstance(params, RecommenderParams)
        interactions = _frame(frames, "interactions")
        order_lines = _frame(frames, "order_lines")
        products = _frame(frames, "products")
        hybrid_params = params.hybrid
        staged = StagedProgress(
            progress,
            FIT_STAGE_SECONDS,
            {
                "ease": len(hybrid_params.ease_grid),
                "recency": len(hybrid_params.half_life_grid),
                "als": 2 * hybrid_params.als_trials,
                "folds": hybrid_params.ranker_folds,
                "ranker": RANKER_STEPS,  # the boosting's rounds, reported by RankerProgress
                "blend": 2,
            },
        )

        def tick(message: str) -> None:
            """A stage's start moves the bar to that stage; any other message is a step within the current one."""
            stage = next((name for prefix, name in STAGE_MESSAGES if message.startswith(prefix)), None)
            if stage is None:
                staged.step(message)
            else:
                staged.enter(stage, message)

        tick("building signals")
        pairs = signal_pairs(signal_events(interactions, order_lines, params.signals))
        if not len(pairs):
            raise Refusal("recommend.no_data")
        catalogue = Catalogue.build(products, pairs["item_id"].to_numpy())
        users = IdMap(pd.unique(pairs["user_id"]))
        items = ItemSide(catalogue.texts(), catalogue.category_codes())

        positions = users.positions(pairs["user_id"].to_numpy())
        test = split_pairs(
            positions,
            pairs["at"].to_numpy(),
            hybrid_params.split,
            hybrid_params.seed,
            params.holdout_fraction,
        )
        train = build_matrices(pairs[~test], users, catalogue)
        holdout = build_matrices(pairs[test], users, catalogue)
        stages = Stages()
        hybrid = fit_hybrid(
            train.weight,
            train.at,
            items,
            hybrid_params,
            train.values,
            log=tick,
            step=tick,
            stages=stages,
            store_rows=False,  # the refit on all data below stores its own
        )
        tick("evaluating on the holdout")
        metrics: dict[str, float] = {}
        with stages.stage("holdout"):
            scored = sample_rows(holdout.weight, params.holdout_max_users, hybrid_params.seed)
            if scored.nnz:
                ours = evaluate_scorer(lambda u: hybrid.score_users(train.weight[u], train.at[u]), train.weight, scored)
                popular = evaluate_scorer(lambda u: hybrid.popularity.scores(train.weight[u]), train.weight, scored)
                metrics.update(ours)
                metrics["popularity_ndcg@10"] = popular["ndcg@10"]
        metrics.update(
            {
                "n_users": float(len(users)),
                "n_items": float(len(catalogue)),
                "n_pairs": float(len(pairs)),
                "holdout_pairs": float(test.sum()),
                "holdout_users": float((np.diff(scored.indptr) > 0).sum()),
            }
        )
        tick("refitting on all data")
        everything = build_matrices(pairs, users, catalogue)
        with stages.stage("refit"):
            final = refit_hybrid(hybrid, everything.weight, everything.at, items, everything.values, stages)
        fitted = FittedRecommender.from_pairs(pairs, catalogue, order_lines, hybrid=final, users=users)
        fitted.metrics = metrics
        final.tuning["stages"] = stages.report()
        fitted.info = {
            "has_orders": order_lines is not None,
            "tuning": final.tuning,
            "neighbour": final.neighbour_kind,
            "params": params.model_dump(mode="json"),
        }
        staged.finish("done")
        return fitted

    def update(self, fitted: FittedRecommender, frames: Frames, progress: Progress) -> FittedRecommender:
        """Between full refits: the model brought up to the tenant's data now, in seconds, with nothing
        tuned again. New items join the catalogue (content neighbours, co-occurrence, ALS factors folded
        in from their first users), new users and interactions join the history, co-occurrence,
        sequences and popularity are recounted; EASE, the tuned settings and the ranker are kept."""
        params = RecommenderParams.model_validate(fitted.info.get("params") or {})
        if fitted.hybrid is None:
            raise Refusal("recommend.untrained")
        progress.update(1, 3, message="building signals")
        interactions = _frame(frames, "interactions")
        order_lines = _frame(frames, "order_lines")
        pairs = signal_pairs(signal_events(interactions, order_lines, params.signals))
        catalogue = fitted.catalogue.extended(_frame(frames, "products"), pairs["item_id"].to_numpy())
        users = fitted.users.extended(pd.unique(pairs["user_id"]))
        progress.update(2, 3, message="updating the generators")
        matrices = build_matrices(pairs, users, catalogue)
        items = ItemSide(catalogue.texts(), catalogue.category_codes())
        hybrid = update_hybrid(
            fitted.hybrid, matrices.weight, matrices.at, items, matrices.values, _changed_rows(fitted, matrices.weight)
        )
        updated = FittedRecommender.from_pairs(pairs, catalogue, order_lines, hybrid=hybrid, users=users)
        updated.metrics = dict(fitted.metrics)
        updated.info = {**fitted.info, "tuning": hybrid.tuning, "updated_from_pairs": float(len(pairs))}
        progress.update(3, 3, message="updated")
        return updated

    # ---- champion/challenger: the newest interactions, NDCG@10 for the same users -----------------------
    def holdout_metric(self, params: KindParams) -> tuple[str, bool]:
        return "ndcg@10", True

    def holdout_guardrails(self, params: KindParams) -> tuple[tuple[str, bool], ...]:
        return ()

    def split_holdout(self, frames: Frames, params: KindParams) -> Holdout:
        """A cut in time leaving the newest ``holdout_fraction`` of signal events after it. Scored: users
        with history before the cut, on the items they reached after it that they had not touched before."""
        assert isinstance(params, RecommenderParams)
        interactions, order_lines = _frame(frames, "interactions"), _frame(frames, "order_lines")
        events = signal_events(interactions, order_lines, params.signals)
        if len(events) < 50:
            raise Refusal("recommend.holdout", count=len(events), needed=50)
        cut = float(np.quantile(events["at"].to_numpy(float), 1.0 - params.holdout_fraction))
        before, after = events[events["at"] < cut], events[events["at"] >= cut]
        known = before.groupby("user_id")["item_id"].agg(set)
        later = after[after["user_id"].isin(known.index)].groupby("user_id")["item_id"].agg(set)
        targets = {user: items - known[user] for user, items in later.items() if items - known[user]}
        users = sorted(targets)
        if len(users) > params.holdout_max_users:
            chosen = np.random.default_rng(params.hybrid.seed).choice(len(users), params.holdout_max_users, False)
            users = [users[i] for i in sorted(chosen)]
        moment = pd.Timestamp(cut, unit="s")

        def earlier(frame: pd.DataFrame, column: str) -> pd.DataFrame:
            stamps = pd.to_datetime(frame[column], utc=True).dt.tz_localize(None)
            return frame[stamps < moment]

        train = frames.derive(interactions=lambda f: earlier(f, "at"), order_lines=lambda f: earlier(f, "ordered_at"))
        return Holdout(
            train=train, params=params,
            data={"users": users, "targets": {u: targets[u] for u in users}, "cut": cut, "k": 10},
            start=moment.isoformat(timespec="seconds"),
            end=pd.Timestamp(float(events["at"].max()), unit="s").isoformat(timespec="seconds"),
            rows=len(users), train_rows=len(before), unit="users",
        )  # fmt: skip

    def score_holdout(self, fitted: Fitted, holdout: Holdout, keys: frozenset[Any] | None = None) -> HoldoutScore:
        """Each scored user's top 10 from the model, given only their history before the cut (folded in, so
        a model trained later is not handed the holdout), minus what they had touched; binary gains."""
        assert isinstance(fitted, Recommender)
        k = int(holdout.data["k"])
        users = [u for u in holdout.data["users"] if keys is None or u in keys]
        seen = fitted.trained_until() >= pd.Timestamp(holdout.data["cut"], unit="s").to_pydatetime()
        if not users:
            return HoldoutScore({"ndcg@10": float("nan")}, frozenset(), saw_holdout=seen)
        params = RecommenderParams.model_validate(fitted.info.get("params") or {})
        frames = holdout.train
        events = signal_events(_frame(frames, "interactions"), _frame(frames, "order_lines"), params.signals)
        pairs = signal_pairs(events[events["user_id"].isin(set(users))])
        matrices = build_matrices(pairs, IdMap(np.asarray(users, dtype=object)), fitted.catalogue)
        ids = np.asarray(fitted.catalogue.items.ids, dtype=object)
        lists: list[list[str]] = []
        if fitted.hybrid is not None and fitted.hybrid.n_items == len(ids):
            for start in range(0, len(users), 256):
                rows = slice(start, start + 256)
                scores = fitted.hybrid.score_users(matrices.weight[rows], matrices.at[rows])
                scores[matrices.weight[rows].nonzero()] = -np.inf
                for row, top in zip(scores, top_k(scores, k), strict=True):
                    lists.append([str(ids[i]) for i in top if np.isfinite(row[i])])
        else:  # a model without a trained hybrid answers through its serving path
            history = pairs.sort_values("at").groupby("user_id")["item_id"].agg(list)
            for user in users:
                answer = fitted.recommend(None, k, history=history.get(user, []))
                lists.append([item.item_id for item in answer])
        discounts = 1.0 / np.log2(np.arange(2, k + 2))
        gains = []
        for user, ranked in zip(users, lists, strict=True):
            relevant = holdout.data["targets"][user]
            hits = np.array([item in relevant for item in ranked[:k]], dtype=float)
            ideal = discounts[: min(len(relevant), k)].sum()
            gains.append(float((hits * discounts[: len(hits)]).sum() / ideal))
        metrics = {"ndcg@10": float(np.mean(gains)), "hit_rate@10": float(np.mean([g > 0 for g in gains]))}
        return HoldoutScore(metrics, frozenset(users), saw_holdout=seen)


def _changed_rows(fitted: Recommender, matrix: sp.csr_matrix) -> np.ndarray:
    """Users whose signal row differs from the fitted model's (new users, new items or new weights)."""
    n_users, n_items = fitted.history.shape
    changed = np.ones(matrix.shape[0], bool)
    before = matrix[:n_users, :n_items]
    difference = abs(before - fitted.history.astype(before.dtype)) > 1e-6
    changed[:n_users] = np.diff(difference.tocsr().indptr) > 0
    changed[:n_users] |= np.diff(matrix[:n_users, n_items:].tocsr().indptr) > 0
    return changed


# ---------------------------------------------------------------------------------------------
# Native persistence: arrays in .npz (no pickle), settings in JSON, the ranker's boosters as LightGBM text.


def _strings(values: np.ndarray) -> np.ndarray:
    return np.asarray([str(v) for v in values], dtype=str) if len(values) else np.zeros(0, dtype="<U1")


def save_recommender(model: Recommender, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    catalogue = model.catalogue
    arrays: dict[str, np.ndarray] = {
        "item_ids": _strings(catalogue.items.ids),
        "item_names": _strings(catalogue.names),
        "item_categories": _strings(catalogue.categories),
        "item_brands": _strings(catalogue.brands),
        "item_descriptions": _strings(catalogue.descriptions),
        "item_prices": catalogue.prices.astype(np.float64),
        "item_active": catalogue.active.astype(bool),
        "user_ids": _strings(model.users.ids),
        "popularity": model.popularity.astype(np.float32),
        "first_seen": model.first_seen.astype(np.float64),
        "store_ids": _strings(model.stores.ids),
        **csr_arrays("history", model.history),
        **csr_arrays("history_at", model.history_at, np.float64),  # epoch seconds: float32 would blur the order
        **csr_arrays("stores", model.store_counts),
    }
    meta: dict[str, object] = {
        "format": FORMAT_VERSION,
        "reference_at": model.reference_at,
        "metrics": model.metrics,
        "info": model.info,
        "hybrid": None,
    }
    hybrid = model.hybrid
    if hybrid is not None:
        arrays.update(hybrid.arrays())
        meta["hybrid"] = hybrid.settings()
        if hybrid.ranker is not None:
            hybrid.ranker.save(folder)
    np.savez(folder / "arrays.npz", allow_pickle=False, **arrays)  # plain arrays only: loading refuses pickles too
    (folder / "model.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1, default=float))


def load_recommender(folder: Path) -> FittedRecommender:
    meta = json.loads((folder / "model.json").read_text())
    if meta.get("format") not in READABLE_FORMATS:
        raise ValueError(f"{folder}: recommender format {meta.get('format')!r}, expected one of {READABLE_FORMATS}")
    with np.load(folder / "arrays.npz", allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    ids = arrays["item_ids"].astype(object)
    catalogue = Catalogue(
        items=IdMap(ids),
        names=arrays["item_names"].astype(object),
        categories=arrays["item_categories"].astype(object),
        brands=arrays["item_brands"].astype(object),
        prices=arrays["item_prices"],
        active=arrays["item_active"],
        descriptions=arrays["item_descriptions"].astype(object),
    )
    hybrid = None
    spec = meta.get("hybrid")
    if spec is not None:
        ranker = None
        if spec["has_ranker"]:  # saved before bags: one booster, no count
            ranker = RankerBag.load(folder, int(spec.get("ranker_members", 1)))
        hybrid = Hybrid.restore(arrays, spec, ranker)
    return FittedRecommender(
        catalogue=catalogue,
        users=IdMap(arrays["user_ids"].astype(object)),
        history=csr_from_arrays(arrays, "history"),
        history_at=csr_from_arrays(arrays, "history_at"),
        popularity=arrays["popularity"],
        first_seen=arrays["first_seen"],
        reference_at=float(meta["reference_at"]),
        stores=IdMap(arrays["store_ids"].astype(object)),
        store_counts=csr_from_arrays(arrays, "stores"),
        hybrid=hybrid,
        metrics={k: float(v) for k, v in meta["metrics"].items()},
        info=meta["info"],
    )
