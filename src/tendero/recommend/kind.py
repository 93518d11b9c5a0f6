"""Model kind ``recommender``: interactions + orders + products in, a hybrid recommender out.

Fit: signals → a per-user holdout (the newest 20 % by default) → ``fit_hybrid`` on the rest (tuning
and ranker on an inner split of it) → held-out metrics → generators refitted on all data with the
tuned settings. Saved as .npz arrays, JSON and a LightGBM text model; never pickle.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
import scipy.sparse as sp
from pydantic import Field

from tendero.kinds import Frames, KindParams, Progress
from tendero.recommend.catalogue import Catalogue, build_matrices
from tendero.recommend.evaluation import evaluate_scorer, split_pairs
from tendero.recommend.generators import Als, ContentSimilarity, CoOccurrence, Ease, ItemKnn, Popularity, Transitions
from tendero.recommend.hybrid import Hybrid, HybridParams, ItemSide, fit_hybrid, refit_hybrid
from tendero.recommend.recommender import Recommender
from tendero.recommend.signals import IdMap, SignalWeights, signal_events, signal_pairs

FORMAT_VERSION = 3
# Format 2 (before BM25-weighted ALS) still loads: its ALS read raw signal values (k1 None).
READABLE_FORMATS = (2, 3)


class RecommenderParams(KindParams):
    signals: SignalWeights = Field(default_factory=SignalWeights)
    hybrid: HybridParams = Field(default_factory=HybridParams)
    holdout_fraction: float = Field(0.2, gt=0, lt=1)


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
        tuning_steps = len(hybrid_params.ease_grid) + len(hybrid_params.half_life_grid) + hybrid_params.als_trials
        total = 2 * (tuning_steps + hybrid_params.ranker_folds + 6) + 3
        counter = {"step": 0}

        def tick(message: str) -> None:
            counter["step"] = min(counter["step"] + 1, total)
            progress.update(counter["step"], total, message=message)

        tick("building signals")
        pairs = signal_pairs(signal_events(interactions, order_lines, params.signals))
        if not len(pairs):
            raise ValueError("recommender: no interactions or order lines with a customer to learn from")
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
        hybrid = fit_hybrid(train.weight, train.at, items, hybrid_params, train.values, log=tick, step=tick)
        tick("evaluating on the holdout")
        metrics: dict[str, float] = {}
        if holdout.weight.nnz:
            ours = evaluate_scorer(
                lambda u: hybrid.score_users(train.weight[u], train.at[u]), train.weight, holdout.weight
            )
            popular = evaluate_scorer(lambda u: hybrid.popularity.scores(train.weight[u]), train.weight, holdout.weight)
            metrics.update(ours)
            metrics["popularity_ndcg@10"] = popular["ndcg@10"]
        metrics.update(
            {
                "n_users": float(len(users)),
                "n_items": float(len(catalogue)),
                "n_pairs": float(len(pairs)),
                "holdout_pairs": float(test.sum()),
            }
        )
        tick("refitting on all data")
        everything = build_matrices(pairs, users, catalogue)
        final = refit_hybrid(hybrid, everything.weight, everything.at, items, everything.values)
        fitted = FittedRecommender.from_pairs(pairs, catalogue, order_lines, hybrid=final, users=users)
        fitted.metrics = metrics
        fitted.info = {
            "has_orders": order_lines is not None,
            "tuning": final.tuning,
            "neighbour": final.neighbour_kind,
            "params": params.model_dump(mode="json"),
        }
        return fitted  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------------
# Native persistence: arrays in .npz (no pickle), settings in JSON, the ranker as LightGBM text.


def _csr_arrays(prefix: str, matrix: sp.csr_matrix, dtype: type = np.float32) -> dict[str, np.ndarray]:
    matrix = matrix.tocsr()
    return {
        f"{prefix}_data": matrix.data.astype(dtype),
        f"{prefix}_indices": matrix.indices.astype(np.int32),
        f"{prefix}_indptr": matrix.indptr.astype(np.int64),
        f"{prefix}_shape": np.asarray(matrix.shape, np.int64),
    }


def _csr(arrays, prefix: str) -> sp.csr_matrix:
    shape = tuple(int(v) for v in arrays[f"{prefix}_shape"])
    return sp.csr_matrix(
        (arrays[f"{prefix}_data"], arrays[f"{prefix}_indices"], arrays[f"{prefix}_indptr"]), shape=shape
    )


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
        **_csr_arrays("history", model.history),
        **_csr_arrays("history_at", model.history_at, np.float64),  # epoch seconds: float32 would blur the order
        **_csr_arrays("stores", model.store_counts),
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
        arrays.update(
            {
                "h_pop_counts": hybrid.popularity.counts,
                "h_pop_recent": hybrid.popularity.recent,
                "h_als_item_factors": hybrid.als.item_factors,
                "h_als_user_factors": hybrid.als.user_factors,
                "h_als_item_length": hybrid.als.item_length.astype(np.float64),
                "h_categories": hybrid.categories.astype(np.int64),
                "h_item_mean_value": hybrid.item_mean_value.astype(np.float32),
                "h_item_last_at": hybrid.item_last_at.astype(np.float64),
                **_csr_arrays("h_content", hybrid.content.similarity),
                **_csr_arrays("h_cooc", hybrid.cooc.similarity),
                **_csr_arrays("h_sequence", hybrid.sequence.similarity),
                "h_als_recent_factors": hybrid.als_recent_factors.astype(np.float32),
            }
        )
        if isinstance(hybrid.neighbour, Ease):
            arrays["h_ease_weights"] = hybrid.neighbour.weights
            arrays["h_ease_items"] = hybrid.neighbour.items
        else:
            arrays.update(_csr_arrays("h_knn", hybrid.neighbour.similarity))
        als = hybrid.als
        meta["hybrid"] = {
            "params": hybrid.params.model_dump(mode="json"),
            "n_items": hybrid.n_items,
            "neighbour_kind": hybrid.neighbour_kind,
            "ease_l2": getattr(hybrid.neighbour, "l2", None),
            "als": {
                "factors": als.factors,
                "regularization": als.regularization,
                "alpha": als.alpha,
                "iterations": als.iterations,
                "seed": als.seed,
                "k1": als.k1,
                "b": als.b,
                "scale": als.scale,
            },
            "popularity_half_life_days": hybrid.popularity.half_life_days,
            "half_life": hybrid.half_life,
            "sequence_window": hybrid.sequence.window,
            "reference_at": hybrid.reference_at,
            "tuning": hybrid.tuning,
            "has_ranker": hybrid.ranker is not None,
        }
        if hybrid.ranker is not None:
            hybrid.ranker.save_model(str(folder / "ranker.txt"))  # type: ignore[attr-defined]
    np.savez(folder / "arrays.npz", **arrays)
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
        params = HybridParams.model_validate(spec["params"])
        if "h_ease_weights" in arrays:
            neighbour: Ease | ItemKnn = Ease(
                l2=float(spec["ease_l2"] or 0.0),
                weights=arrays["h_ease_weights"],
                items=arrays["h_ease_items"],
                n_items=int(spec["n_items"]),
            )
        else:
            neighbour = ItemKnn(similarity=_csr(arrays, "h_knn"))
        als = Als(
            **{"k1": None, **spec["als"]},
            item_factors=arrays["h_als_item_factors"],
            user_factors=arrays["h_als_user_factors"],
            item_length=arrays.get("h_als_item_length", np.zeros(0, np.float32)),
        )
        ranker = None
        if spec["has_ranker"]:
            import lightgbm as lgb

            ranker = lgb.Booster(model_file=str(folder / "ranker.txt"))
        hybrid = Hybrid(
            params=params,
            n_items=int(spec["n_items"]),
            neighbour_kind=spec["neighbour_kind"],
            popularity=Popularity(
                half_life_days=spec["popularity_half_life_days"],
                counts=arrays["h_pop_counts"],
                recent=arrays["h_pop_recent"],
            ),
            neighbour=neighbour,
            als=als,
            content=ContentSimilarity(similarity=_csr(arrays, "h_content")),
            cooc=CoOccurrence(similarity=_csr(arrays, "h_cooc")),
            sequence=Transitions(window=int(spec["sequence_window"]), similarity=_csr(arrays, "h_sequence")),
            half_life=spec["half_life"],
            als_recent_factors=arrays["h_als_recent_factors"],
            categories=arrays["h_categories"],
            item_mean_value=arrays["h_item_mean_value"],
            item_last_at=arrays["h_item_last_at"],
            reference_at=float(spec["reference_at"]),
            ranker=ranker,
            tuning=spec["tuning"],
        )
    return FittedRecommender(
        catalogue=catalogue,
        users=IdMap(arrays["user_ids"].astype(object)),
        history=_csr(arrays, "history"),
        history_at=_csr(arrays, "history_at"),
        popularity=arrays["popularity"],
        first_seen=arrays["first_seen"],
        reference_at=float(meta["reference_at"]),
        stores=IdMap(arrays["store_ids"].astype(object)),
        store_counts=_csr(arrays, "stores"),
        hybrid=hybrid,
        metrics={k: float(v) for k, v in meta["metrics"].items()},
        info=meta["info"],
    )
