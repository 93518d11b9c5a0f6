"""Fitting the hybrid: plan, tune on an inner split, train the ranker, refit on everything.

Training (``fit_hybrid``) never looks outside the matrix it is given. It plans how much of the catalogue
EASE covers from a measured probe solve (``budget.plan_fit``), splits the matrix per user into
inner-train / inner-validation, tunes EASE, the recency half-life and ALS there, fits the generators
on inner-train parts (several folds: fresh random 20 % for a random split, rolling origins for a time
split), trains the ranker to put the inner-validation items first among the generators' candidates,
chooses the blend on inner users the ranker did not see, and finally refits the generators on the
whole matrix with the tuned settings. Work is reused wherever the data allow: one Gram matrix for
every λ, the tuned EASE as the first fold's, one ALS run per setting scored at several iteration
counts, one set of candidate features per fold for the ranker and the blend choice alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypedDict

import numpy as np
import scipy.sparse as sp

from tendero.recommend.budget import FitPlan, expected_folds, plan_fit
from tendero.recommend.evaluation import per_user_metrics
from tendero.recommend.generators import (
    Als,
    ContentSimilarity,
    CoOccurrence,
    Ease,
    ItemKnn,
    Popularity,
    Transitions,
    session_baskets,
)
from tendero.recommend.generators.sparse import binary
from tendero.recommend.hybrid import BLENDS, FEATURES, Hybrid, HybridParams, blend_scores
from tendero.recommend.ranker_bag import RankerBag
from tendero.recommend.recency import recency_weights
from tendero.recommend.stages import Stages
from tendero.recommend.stored_rows import long_history_items
from tendero.recommend.tuning import inner_split, sample_rows, tune_als, tune_ease, tune_half_life

Log = Callable[[str], None]
# The ranker's boosting is reported in this many steps (the recommender kind counts its stage in as many): the
# stage is most of a fit, and one step for all of it left the bar at 31 % until it jumped to 91 %.
RANKER_STEPS = 40


@dataclass
class ItemSide:
    """What the hybrid knows about items besides interactions (aligned with matrix columns)."""

    texts: list[str]
    categories: np.ndarray  # int codes, -1 unknown


class HybridParts(TypedDict):
    """The fitted generators and per-item figures a ``Hybrid`` is assembled from."""

    neighbour: Ease | ItemKnn
    als: Als
    cooc: CoOccurrence
    sequence: Transitions
    half_life: float | None
    als_recent_factors: np.ndarray
    popularity: Popularity
    content: ContentSimilarity
    item_last_at: np.ndarray
    reference_at: float


@dataclass
class Chosen:
    """The settings tuned on the inner split, shared by every later fit of the generators."""

    ease_l2: float
    ease_items: int | None
    als: dict[str, float]
    half_life: float | None
    content: ContentSimilarity


def _fit_generators(
    matrix: sp.csr_matrix,
    at: sp.csr_matrix,
    params: HybridParams,
    chosen: Chosen,
    stages: Stages,
    prefix: str,
    neighbour: Ease | None = None,
) -> HybridParts:
    """Every generator on ``matrix`` with the chosen settings; ``neighbour``: an EASE already fitted on
    exactly this matrix (the tuned one), reused instead of solved again."""
    n_items = matrix.shape[1]
    with stages.stage(f"{prefix}.ease"):
        if neighbour is None:
            neighbour_input = binary(matrix) if params.ease_binary else matrix
            neighbour = Ease(l2=chosen.ease_l2).fit(neighbour_input, max_items=chosen.ease_items)
    with stages.stage(f"{prefix}.als"):
        als = Als(
            factors=int(chosen.als["factors"]),
            regularization=float(chosen.als["regularization"]),
            alpha=float(chosen.als["alpha"]),
            iterations=int(chosen.als["iterations"]),
            seed=params.seed,
        ).fit(matrix)
    with stages.stage(f"{prefix}.als_index"):
        als.index_items(params.als_index_items)
    with stages.stage(f"{prefix}.als"):
        als_recent = np.zeros((0, als.item_factors.shape[1]), np.float32)
        if chosen.half_life is not None:
            als_recent = als.fold_in(matrix.multiply(recency_weights(matrix, at, chosen.half_life)).tocsr())
    with stages.stage(f"{prefix}.neighbourhoods"):
        coo = at.tocoo()
        cooc = CoOccurrence().fit(session_baskets(coo.row, coo.col, coo.data, n_items))
        popularity = Popularity(half_life_days=params.popularity_half_life_days).fit(matrix, at)
        sequence = Transitions(window=params.sequence_window).fit(at)
        item_last = np.zeros(n_items)
        if coo.nnz:
            np.maximum.at(item_last, coo.col, coo.data)
    return {
        "neighbour": neighbour,
        "als": als,
        "cooc": cooc,
        "sequence": sequence,
        "half_life": chosen.half_life,
        "als_recent_factors": als_recent,
        "popularity": popularity,
        "content": chosen.content,
        "item_last_at": item_last,
        "reference_at": float(coo.data.max()) if coo.nnz else 0.0,
    }


def _assemble(
    parts: HybridParts, params: HybridParams, items: ItemSide, values: sp.csr_matrix | None, n_items: int
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
        neighbour_kind="ease",
        categories=items.categories,
        item_mean_value=mean_value,
        **parts,
    )


def fit_hybrid(
    matrix: sp.csr_matrix,
    at: sp.csr_matrix,
    items: ItemSide,
    params: HybridParams,
    values: sp.csr_matrix | None = None,
    log: Log | None = None,
    step: Callable[[str], None] | None = None,
    stages: Stages | None = None,
    store_rows: bool = True,
) -> Hybrid:
    """Plan, tune, train the ranker on inner splits, refit the generators on all of ``matrix``.

    ``matrix``: users×items weighted signals; ``at``: same shape, last event time (epoch seconds);
    ``values``: optional users×items rating values (for the item mean-rating feature); ``stages``:
    where the time and memory of each stage are recorded (also kept in the model's ``tuning``);
    ``store_rows``: store the longest histories' EASE rows (not needed when a refit follows).
    """
    say = log or (lambda message: None)
    tick = step or say
    stages = stages if stages is not None else Stages()
    n_items = matrix.shape[1]
    started = time.perf_counter()
    with stages.stage("plan"):
        inner_train, inner_valid, inner_at = inner_split(matrix, at, params.split, params.seed)
        validation_users = int((np.diff(inner_valid.indptr) > 0).sum())
        folds = expected_folds(
            min(validation_users, params.ranker_max_users), params.ranker_folds, params.ranker_enough_users
        )
        plan = plan_fit(
            inner_train,
            len(params.ease_grid),
            folds if params.ranker == "lambdarank" else 1,
            params.ease_budget_seconds,
            params.ease_memory_mb,
            params.ease_max_items,
            params.als_request_mb,
        )
        tuning_valid = sample_rows(inner_valid, params.tuning_max_users, params.seed)
    say("plan ready")  # the plan itself is kept in the model's tuning report
    tick("tuning EASE")
    with stages.stage("tune.ease"):
        neighbour_train = binary(inner_train) if params.ease_binary else inner_train
        ease = tune_ease(neighbour_train, tuning_valid, params.ease_grid, progress=say, max_items=plan.ease_items)
    tick("tuning the recency half-life")
    with stages.stage("tune.recency"):
        recency = tune_half_life(ease.model, inner_train, tuning_valid, inner_at, params.half_life_grid, say)
    tick("tuning ALS")
    with stages.stage("tune.als"):
        als_tuning = tune_als(
            inner_train,
            tuning_valid,
            trials=params.als_trials,
            seed=params.seed,
            progress=say,
            max_factors=plan.als_max_factors,
            budget_seconds=params.als_budget_seconds,
        )
    with stages.stage("content"):
        content = ContentSimilarity().fit(items.texts)
    chosen = Chosen(
        ease_l2=float(ease.params["l2"]),
        ease_items=plan.ease_items,
        als=als_tuning.params,
        half_life=recency.params["half_life"],
        content=content,
    )
    tuning: dict[str, object] = {
        "plan": plan.report(),
        "ease_l2": chosen.ease_l2,
        "ease_items": plan.ease_items,
        "ease_tuning_seconds": ease.seconds,
        "half_life": chosen.half_life,
        "half_life_inner_ndcg": {str(t["half_life"]): float(t["ndcg@10"]) for t in recency.trials},
        "als": als_tuning.params,
        "als_inner_ndcg": als_tuning.ndcg,
        "als_tuning_seconds": als_tuning.seconds,
        "als_settings_tried": len({(t["factors"], t["regularization"], t["alpha"]) for t in als_tuning.trials}),
        "tuning_users": int((np.diff(tuning_valid.indptr) > 0).sum()),
    }
    ranker = None
    if params.ranker == "lambdarank":
        folds_rows: list[FoldRows] = []
        pooled = 0
        for fold in range(params.ranker_folds):
            if pooled >= params.ranker_enough_users:
                break
            tick(f"ranker fold {fold + 1}/{params.ranker_folds}")
            with stages.stage("ranker.folds"):
                if fold:
                    inner_train, inner_valid, inner_at = inner_split(matrix, at, params.split, params.seed, fold=fold)
                if inner_valid.nnz == 0:
                    continue
                inner_valid = sample_rows(inner_valid, params.ranker_max_users, params.seed + fold)
                inner_values = values.multiply(inner_train > 0).tocsr() if values is not None else None
                # The first fold trains on exactly the matrix EASE was tuned on: its best fit is reused.
                parts = _fit_generators(
                    inner_train, inner_at, params, chosen, stages, "ranker.folds", ease.model if fold == 0 else None
                )
                inner = _assemble(parts, params, items, inner_values, n_items)
                folds_rows.append(_fold_rows(inner, inner_train, inner_valid, inner_at))
            pooled += int((np.diff(inner_valid.indptr) > 0).sum())
        ease.model = None  # the tuned weights are not needed any more: free their memory
        tick("training ranker")
        with stages.stage("ranker.train"):
            trained, ranker_info = _train_ranker(folds_rows, params, say, tick)
        tuning.update(ranker_info)
        with stages.stage("ranker.blend_choice"):
            tuning["blend"] = _choose_blend(folds_rows, trained, tuning, say) if folds_rows else "neighbour"
        ranker = trained.bag if trained is not None else None
        del folds_rows
    else:
        tuning["blend"] = "recent" if chosen.half_life is not None else "neighbour"
    tick("refitting generators on all data")
    with stages.stage("final"):
        parts = _fit_generators(matrix, at, params, chosen, stages, "final")
        final = _assemble(parts, params, items, values, n_items)
    final.ranker = ranker
    final.tuning = dict(tuning)
    _note_als_path(final)
    if store_rows:
        _store_rows(final, matrix, at, stages, "final.stored_rows")
    final.tuning.update({"fit_seconds": time.perf_counter() - started, "stages": stages.report()})
    return final


def _note_als_path(hybrid: Hybrid) -> None:
    """Say in ``tuning.plan.als_candidates`` how a request finds ALS's candidates: by scoring every item
    (``all_items``), or by the bound scan over items ordered by factor length (``bound_scan``, with its block
    of items read at a time); both give the exact top."""
    index = hybrid.als.index
    path: dict[str, object] = {"path": "all_items", "scan_from_items": hybrid.params.als_index_items}
    if index is not None:
        path.update(path="bound_scan", block_items=index.block)
    plan = hybrid.tuning.get("plan")
    hybrid.tuning["plan"] = {**(plan if isinstance(plan, dict) else {}), "als_candidates": path}


def _store_rows(hybrid: Hybrid, matrix: sp.csr_matrix, at: sp.csr_matrix, stages: Stages, stage: str) -> None:
    """Store the EASE rows of the histories too long to score per request, and say so in the tuning."""
    with stages.stage(stage):
        hybrid.stored = hybrid.store_long_rows(matrix, at)
    covered = len(hybrid.neighbour.items) if isinstance(hybrid.neighbour, Ease) else 0
    hybrid.tuning["stored_rows"] = {
        "users": len(hybrid.stored.users),
        "above_history_items": long_history_items(covered, hybrid.params.ease_request_mb),
        "mb": round(hybrid.stored.megabytes(), 1),
    }


@dataclass
class FoldRows:
    """One inner fold's validation users: their candidates, features and labels, computed once and used
    both to train the ranker and to choose the blend."""

    valid: sp.csr_matrix
    users: list[int] = field(default_factory=list)
    items: list[np.ndarray] = field(default_factory=list)
    features: list[np.ndarray] = field(default_factory=list)
    labels: list[np.ndarray] = field(default_factory=list)


def _fold_rows(inner: Hybrid, train: sp.csr_matrix, valid: sp.csr_matrix, at: sp.csr_matrix) -> FoldRows:
    out = FoldRows(valid=valid)
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
            if len(items) == 0:
                continue
            relevant = valid.indices[valid.indptr[user] : valid.indptr[user + 1]]
            out.users.append(int(user))
            out.items.append(items)
            out.features.append(inner.features(scores, row, history_row, items))
            out.labels.append(np.isin(items, relevant).astype(np.float32))
    return out


class RankerProgress:
    """A LightGBM callback that reports the boosting as ``steps`` equal steps of the rounds it will run: early stopping
    ends at most ``patience`` rounds after the best so far, so that (capped at ``rounds``) is the expected end; a step
    is sent each time the rounds done pass another 1/``steps`` of it, never one taken back when the end moves out.
    ``rounds_before``: rounds of an earlier boosting counted in front of this one's (the retraining on every user)."""

    order = 40  # after LightGBM's own callbacks (early stopping is 30)

    def __init__(
        self, step: Log, rounds: int, patience: int, steps: int = RANKER_STEPS, rounds_before: int = 0
    ) -> None:
        self.step, self.rounds, self.patience, self.steps = step, rounds, patience, steps
        self.rounds_before = rounds_before
        self.best_round, self.best_score, self.sent, self.done = 0, -np.inf, 0, 0

    def __call__(self, env: Any) -> None:  # env: lightgbm.callback.CallbackEnv
        done = self.done = env.iteration - env.begin_iteration + 1
        scores = [item[2] for item in env.evaluation_result_list or [] if len(item) > 2]
        if scores and scores[0] > self.best_score:
            self.best_score, self.best_round = scores[0], done
        end = min(self.rounds, self.best_round + self.patience) if self.patience else self.rounds
        due = min(self.steps, self.steps * done // max(end, 1))
        while self.sent < due:
            self.sent += 1
            self.step(f"ranker round {self.rounds_before + done} of about {self.rounds_before + end}")


@dataclass
class TrainedRanker:
    """The bag of boosters a fitted model keeps, and which member judges each inner user: the one that left that user
    out (-1: none did, so no member may judge them)."""

    bag: RankerBag
    judge_of_user: np.ndarray


def _train_ranker(
    folds: list[FoldRows], params: HybridParams, say: Log, step: Log | None = None
) -> tuple[TrainedRanker | None, dict[str, object]]:
    """Boost ``params.ranker_bag`` members on the pooled folds, each without a different share of the users (held out
    whole, all their folds), which stop its boosting early; members stop coming once the next would take a request past
    ``params.ranker_request_trees``. On MovieLens-100k, five members at learning rate 0.1 add NDCG@10 +0.0015 (standard
    error 0.0005) on the temporal split and +0.0008 (0.0009) on the random one over 10 paired seeds, against one
    booster at 0.05 retrained on every user (the kept ranker before bags); five members at 0.05 (twice the trees)
    added +0.0009 and +0.0020 over 5 seeds."""
    import lightgbm as lgb

    rows, labels, groups, owners = [], [], [], []
    for fold in folds:
        for user, features, label in zip(fold.users, fold.features, fold.labels, strict=True):
            if label.sum() == 0 or len(label) < 2:
                continue  # nothing to learn: no held-out item among the candidates
            rows.append(features)
            labels.append(label)
            groups.append(len(label))
            owners.append(user)
    if len(groups) < params.ranker_min_users:
        say(f"ranker skipped: only {len(groups)} users with a held-out item among the candidates")
        return None, {"ranker_users": float(len(groups))}
    n_users = max(max(owners) + 1, max(fold.valid.shape[0] for fold in folds))
    # Each user's share: member k leaves out share k. At least five shares, so that a bag of fewer members still
    # trains each on four fifths of the users.
    shares = max(params.ranker_bag, 5)
    share_of_user = (np.random.default_rng(params.seed).random(n_users) * shares).astype(np.int64)
    share_of_row = share_of_user[np.asarray(owners)]

    def pack(mask: np.ndarray):
        chosen = np.flatnonzero(mask)
        return (
            np.vstack([rows[g] for g in chosen]),
            np.concatenate([labels[g] for g in chosen]),
            [groups[g] for g in chosen],
        )

    bag = params.ranker_bag
    steps = [RANKER_STEPS // bag + (member < RANKER_STEPS % bag) for member in range(bag)]  # the bar's share of each
    members: list[Any] = []
    kept: list[int] = []
    inner_scores: list[float] = []
    judge_of_user = np.full(n_users, -1, np.int64)
    rounds_before, steps_sent = 0, 0
    for member in range(bag):
        left_out = share_of_row == member
        if members and sum(kept) + np.mean(kept) > params.ranker_request_trees:
            break  # the next member would most likely take a request past its budget of trees
        if not left_out.any() or left_out.all():
            continue  # too few users to leave this share out
        x_fit, y_fit, g_fit = pack(~left_out)
        x_val, y_val, g_val = pack(left_out)
        fit_set = lgb.Dataset(x_fit, y_fit, group=g_fit, feature_name=list(FEATURES))
        val_set = lgb.Dataset(x_val, y_val, group=g_val, reference=fit_set)
        callbacks: list[Callable] = (
            [lgb.early_stopping(params.ranker_patience, verbose=False)] if params.ranker_patience else []
        )
        progress = RankerProgress(
            step or (lambda message: None), params.ranker_rounds, params.ranker_patience, steps[member], rounds_before
        )
        callbacks.append(progress)
        booster = lgb.train(
            {**_booster_params(params, member), "num_threads": _ranker_threads(len(y_fit))},
            fit_set,
            num_boost_round=params.ranker_rounds,
            valid_sets=[val_set],
            callbacks=callbacks,
            keep_training_booster=True,  # every tree boosted, not cut to the best: the floor below may need some back
        )
        rounds_before += progress.done
        steps_sent += progress.sent
        best = booster.best_iteration if params.ranker_patience else params.ranker_rounds
        # A small validation set can look perfect after a tree or two; a stump ranks by coarse steps only.
        best = max(best, min(params.ranker_min_rounds, booster.current_iteration()))
        if members:  # the budget of trees per request holds: a later member keeps only what is left of it
            best = min(best, params.ranker_request_trees - sum(kept))
        inner_scores.append(float(booster.best_score.get("valid_0", {}).get("ndcg@10", float("nan"))))
        members.append(lgb.Booster(model_str=booster.model_to_string(num_iteration=best)))  # the kept trees alone
        kept.append(best)
        judge_of_user[share_of_user == member] = len(members) - 1
    if not members:
        say(f"ranker skipped: only {len(groups)} users, too few to leave some out")
        return None, {"ranker_users": float(len(groups))}
    while step is not None and steps_sent < RANKER_STEPS:  # the members not boosted: the bar still reaches the end
        steps_sent += 1
        step(f"ranker round {rounds_before} of about {rounds_before}")
    inner = float(np.nanmean(inner_scores)) if not np.isnan(inner_scores).all() else float("nan")
    say(f"ranker: {len(groups)} users, {len(members)} boosters, {sum(kept)} trees, inner ndcg@10={inner:.4f}")
    return TrainedRanker(RankerBag(members), judge_of_user), {
        "ranker_users": float(len(groups)),
        "ranker_members": float(len(members)),
        "ranker_rounds": [float(rounds) for rounds in kept],
        "ranker_trees": float(sum(kept)),
        "ranker_inner_ndcg": inner,
    }


def _booster_params(params: HybridParams, member: int) -> dict[str, object]:
    """LightGBM's settings for one member of the bag (each its own seed: its own row and feature samples)."""
    return {
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
        "seed": params.seed + member,
    }


def _ranker_threads(rows: int) -> int:
    """LightGBM's threads for this many rows: one for small problems, where OpenMP's spinning threads cost more than
    the work, else all (0)."""
    return 1 if rows < 50_000 else 0


def _choose_blend(folds: list[FoldRows], trained: TrainedRanker | None, tuning: dict[str, object], say: Log) -> str:
    """Keep the ranker only if it beats the best simple blend on inner users it was not trained on (in
    every fold, each user scored by the member that left them out) by more than one standard error of the
    paired per-user difference: a ranker that only ties the best generator adds noise and serving cost, so
    the simpler ranking wins ties."""
    if trained is None or not (trained.judge_of_user >= 0).any():
        return "neighbour"
    members = trained.bag.members
    per_user: dict[str, list[np.ndarray]] = {mode: [] for mode in BLENDS}
    for fold in folds:
        users = np.flatnonzero(np.diff(fold.valid.indptr) > 0)
        users = users[trained.judge_of_user[users] >= 0]
        entry = {user: index for index, user in enumerate(fold.users)}
        for mode in BLENDS:
            lists = np.full((len(users), 10), -1, np.int64)
            for row, user in enumerate(users):
                index = entry.get(int(user))
                if index is None:
                    continue  # no candidates at all: an empty list
                judge = members[trained.judge_of_user[user]]
                scores = blend_scores(mode, judge, fold.features[index])
                top = fold.items[index][np.argsort(-scores, kind="stable")[:10]]
                lists[row, : len(top)] = top
            per_user[mode].append(per_user_metrics(lists, fold.valid, users)["ndcg@10"])
    best, report = pick_blend({mode: np.concatenate(parts) for mode, parts in per_user.items()})
    tuning.update(report)
    say(f"blend chosen on held-out inner users: {best}")  # the figures behind it are in ``tuning``
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


def refit_hybrid(
    fitted: Hybrid,
    matrix: sp.csr_matrix,
    at: sp.csr_matrix,
    items: ItemSide,
    values: sp.csr_matrix | None = None,
    stages: Stages | None = None,
) -> Hybrid:
    """Refit the generators on new data with the tuned settings and the trained ranker kept."""
    tuning = fitted.tuning
    plan = tuning.get("plan")
    chosen = Chosen(
        ease_l2=float(tuning["ease_l2"]),  # type: ignore[arg-type]
        ease_items=int(plan["ease_items"]) if isinstance(plan, dict) else None,
        als=dict(tuning["als"]),  # type: ignore[call-overload]
        half_life=fitted.half_life,
        content=fitted.content,
    )
    parts = _fit_generators(matrix, at, fitted.params, chosen, stages or Stages(), "refit")
    refitted = _assemble(parts, fitted.params, items, values, matrix.shape[1])
    refitted.ranker = fitted.ranker
    refitted.tuning = dict(tuning)
    _note_als_path(refitted)
    _store_rows(refitted, matrix, at, stages or Stages(), "refit.stored_rows")
    return refitted


def update_hybrid(
    fitted: Hybrid,
    matrix: sp.csr_matrix,
    at: sp.csr_matrix,
    items: ItemSide,
    values: sp.csr_matrix | None = None,
    changed: np.ndarray | None = None,
) -> Hybrid:
    """The incremental update between refits: ``matrix`` holds the fitted model's users and items first
    (same positions), new ones after; ``changed``: which users' rows differ from the fit's (None: all).
    Nothing is solved again at catalogue scale: EASE keeps its weights (new items are outside it, like the
    long tail), ALS keeps its item factors and folds in the changed users from their rows and new items
    from their users; content, co-occurrence, sequences and popularity are recounted, which costs
    seconds; the tuned settings and the ranker stay."""
    from dataclasses import replace

    n_users, n_items, known = matrix.shape[0], matrix.shape[1], fitted.n_items
    old = fitted.als
    changed = np.ones(n_users, bool) if changed is None else np.asarray(changed, bool)
    user_factors = np.zeros((n_users, old.factors), np.float32)
    user_factors[: len(old.user_factors)] = old.user_factors[:n_users]
    als = replace(old, item_factors=old.item_factors, user_factors=user_factors, _gram=None)
    rows = np.flatnonzero(changed)
    if n_items > known:
        # Changed users from the items the factors know, new items from those users, then the users again.
        als.item_factors = np.vstack([old.item_factors, np.zeros((n_items - known, old.factors), np.float32)])
        if len(old.item_length):  # a new item counts as one of average signal
            als.item_length = np.concatenate([old.item_length, np.ones(n_items - known)])
        als.user_factors[rows] = als.fold_in(matrix[rows][:, :known])
        als.item_factors[known:] = als.fold_in_items(matrix[:, known:].tocsc(), np.diff(matrix.indptr))
        als._gram = None
        als.index_items(fitted.params.als_index_items)
    als.user_factors[rows] = als.fold_in(matrix[rows])
    als_recent = np.zeros((0, als.factors), np.float32)
    if fitted.half_life is not None:
        als_recent = np.zeros((n_users, old.factors), np.float32)
        kept = min(len(fitted.als_recent_factors), n_users)
        als_recent[:kept] = fitted.als_recent_factors[:kept]
        recent = matrix[rows].multiply(recency_weights(matrix[rows], at[rows], fitted.half_life)).tocsr()
        als_recent[rows] = als.fold_in(recent)
    neighbour = replace(fitted.neighbour, n_items=n_items) if isinstance(fitted.neighbour, Ease) else fitted.neighbour
    coo = at.tocoo()
    item_last = np.zeros(n_items)
    if coo.nnz:
        np.maximum.at(item_last, coo.col, coo.data)
    parts: HybridParts = {
        "neighbour": neighbour,
        "als": als,
        "cooc": CoOccurrence(neighbours=fitted.cooc.neighbours).fit(
            session_baskets(coo.row, coo.col, coo.data, n_items)
        ),
        "sequence": Transitions(window=fitted.sequence.window, neighbours=fitted.sequence.neighbours).fit(at),
        "half_life": fitted.half_life,
        "als_recent_factors": als_recent,
        "popularity": Popularity(half_life_days=fitted.popularity.half_life_days).fit(matrix, at),
        "content": ContentSimilarity(neighbours=fitted.content.neighbours).fit(items.texts),
        "item_last_at": item_last,
        "reference_at": float(coo.data.max()) if coo.nnz else fitted.reference_at,
    }
    updated = _assemble(parts, fitted.params, items, values, n_items)
    updated.neighbour_kind = fitted.neighbour_kind
    updated.ranker = fitted.ranker
    updated.tuning = {**fitted.tuning, "updates": int(fitted.tuning.get("updates", 0)) + 1}  # type: ignore[call-overload]
    _note_als_path(updated)
    _store_rows(updated, matrix, at, Stages(), "update.stored_rows")
    return updated


__all__ = ["FitPlan", "ItemSide", "fit_hybrid", "pick_blend", "refit_hybrid", "update_hybrid"]
