"""Recency and sequence: the order of a user's events changes what comes next, and the model learns it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from tendero.kinds import Frames, RecordingProgress
from tendero.recommend.generators import Ease, Transitions
from tendero.recommend.hybrid import HybridParams
from tendero.recommend.kind import FittedRecommender, RecommenderKind, RecommenderParams
from tendero.recommend.recency import recency_of, recency_weights
from tendero.recommend.tuning import inner_split, tune_half_life

CHAINS, CHAIN_LENGTH = 4, 16


def _walks(n_users: int = 240, steps: int = 8, seed: int = 0) -> pd.DataFrame:
    """Each user walks a few consecutive items of one chain, always forwards, one item a day."""
    rng = np.random.default_rng(seed)
    rows = []
    for user in range(n_users):
        chain = user % CHAINS
        start = int(rng.integers(0, CHAIN_LENGTH - steps + 1))
        first_day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 30)))
        for step in range(steps):
            rows.append(
                {
                    "user_id": f"u{user}",
                    "item_id": f"c{chain}-{start + step}",
                    "kind": "purchase",
                    "value": np.nan,
                    "at": first_day + pd.Timedelta(days=step),
                }
            )
    return pd.DataFrame(rows)


def _chain_matrices(n_users: int = 120, steps: int = 8, seed: int = 0):
    """The same walks as users×items matrices: weights (all 1) and event times (the step number)."""
    rng = np.random.default_rng(seed)
    rows, cols, times = [], [], []
    for user in range(n_users):
        chain = user % CHAINS
        start = int(rng.integers(0, CHAIN_LENGTH - steps + 1))
        for step in range(steps):
            rows.append(user)
            cols.append(chain * CHAIN_LENGTH + start + step)
            times.append(float(step))
    shape = (n_users, CHAINS * CHAIN_LENGTH)
    weight = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=shape)
    at = sp.csr_matrix((np.asarray(times) + 1.0, (rows, cols)), shape=shape)  # +1: no stored zero times
    return weight, at


@pytest.fixture(scope="module")
def sequential():
    params = RecommenderParams(
        hybrid=HybridParams(
            split="temporal",
            als_trials=2,
            candidates=20,
            ranker_rounds=60,
            ranker_min_users=20,
            ranker_folds=2,
        )
    )
    return RecommenderKind().fit(Frames.of(interactions=_walks()), params, RecordingProgress())


def test_recency_weights_halve_per_newer_event_and_ties_share_their_weight():
    history = sp.csr_matrix(np.array([[1, 1, 1, 1, 0], [0, 2, 0, 0, 3]], dtype=np.float32))
    at = sp.csr_matrix(np.array([[10, 40, 20, 40, 0], [0, 5, 0, 0, 7]], dtype=np.float64))
    weights = recency_weights(history, at, half_life=1.0).toarray()
    # Row 0: items 1 and 3 are the newest (tie), item 2 has two newer events, item 0 three.
    assert weights[0].tolist() == [0.125, 1.0, 0.25, 1.0, 0.0]
    assert weights[1].tolist() == [0.0, 0.5, 0.0, 0.0, 1.0]
    assert recency_weights(history, at, None).toarray().tolist() == (history.toarray() > 0).astype(float).tolist()


def test_one_users_recency_matches_the_batch_recency():
    times = np.array([3.0, 9.0, 9.0, 1.0, 5.0])
    history = sp.csr_matrix((np.ones(5), ([0] * 5, range(5))), shape=(1, 5))
    at = sp.csr_matrix((times, ([0] * 5, range(5))), shape=(1, 5))
    assert np.allclose(recency_of(times, 2.0), recency_weights(history, at, 2.0).toarray()[0])


def test_recency_weights_read_times_whose_sparse_pattern_differs_from_the_history():
    history = sp.csr_matrix(np.array([[1, 0, 1]], dtype=np.float32))
    at = sp.csr_matrix(np.array([[5, 9, 1]], dtype=np.float64))  # an extra entry the history lacks
    assert recency_weights(history, at, half_life=1.0).toarray().tolist() == [[1.0, 0.0, 0.5]]


def test_transitions_learn_which_item_comes_next():
    _, at = _chain_matrices()
    transitions = Transitions(window=3, neighbours=5).fit(at)
    assert int(transitions.similarity[5].toarray().argmax()) == 6
    # A user whose latest item is 5 (item 3 long ago) is offered 6 before 4 or 2.
    history = sp.csr_matrix(([1.0, 1.0], ([0, 0], [3, 5])), shape=(1, at.shape[1]))
    times = sp.csr_matrix(([1.0, 9.0], ([0, 0], [3, 5])), shape=(1, at.shape[1]))
    scores = transitions.scores(recency_weights(history, times, half_life=1.0))[0]
    scores[[3, 5]] = -np.inf
    assert int(np.argmax(scores)) == 6


def test_rolling_folds_validate_on_older_blocks_and_never_train_on_the_future():
    weight, at = _chain_matrices(steps=10)
    newest_train, newest_valid, _ = inner_split(weight, at, "temporal", seed=0)
    older_train, older_valid, older_at = inner_split(weight, at, "temporal", seed=0, fold=1)
    times = at.toarray()
    for user in range(weight.shape[0]):
        newest = newest_valid[user].indices
        older = older_valid[user].indices
        assert len(newest) == 2 and len(older) == 2 and not set(newest) & set(older)
        assert times[user, older].max() < times[user, newest].min()
        # The fold's training part holds only events older than its validation block.
        assert times[user, older_train[user].indices].max() < times[user, older].min()
        assert set(older_at[user].indices) == set(older_train[user].indices)
    assert newest_train.nnz + newest_valid.nnz == weight.nnz
    assert older_train.nnz + older_valid.nnz == weight.nnz - newest_valid.nnz


def test_random_folds_hold_out_different_items():
    weight, at = _chain_matrices(steps=10)
    _, first, _ = inner_split(weight, at, "random", seed=0)
    _, second, _ = inner_split(weight, at, "random", seed=0, fold=1)
    assert first.nnz == second.nnz and (first != second).nnz > 0


def test_half_life_tuning_prefers_recent_events_when_order_predicts_the_next_item():
    weight, at = _chain_matrices()
    train, valid, train_at = inner_split(weight, at, "temporal", seed=0)
    ease = Ease(l2=1.0).fit(train)
    tuned = tune_half_life(ease, train, valid, train_at, grid=(None, 2.0))
    assert tuned.params["half_life"] == 2.0
    assert tuned.trials[1]["ndcg@10"] > tuned.trials[0]["ndcg@10"]


def test_a_time_split_model_weights_recent_events_and_recommends_what_follows(sequential):
    assert sequential.hybrid is not None and sequential.hybrid.half_life is not None
    # The same steps on two chains, in either order: what follows the newer steps comes first.
    chain_0, chain_1 = ["c0-5", "c0-6"], ["c1-3", "c1-4"]
    zero_last = sequential.recommend(None, 1, history=chain_1 + chain_0)
    one_last = sequential.recommend(None, 1, history=chain_0 + chain_1)
    assert {r.source for r in zero_last} == {"fold_in"}
    assert zero_last[0].item_id == "c0-7"
    assert one_last[0].item_id == "c1-5"


def test_a_known_users_next_items_follow_their_latest_one(sequential):
    walks = _walks()
    hits = 0
    users = [f"u{u}" for u in range(0, 40)]
    for user in users:
        walk = walks[walks.user_id == user].sort_values("at")["item_id"].tolist()
        chain, last = walk[-1].split("-")
        if int(last) == CHAIN_LENGTH - 1:
            continue
        hits += sequential.recommend(user, 1)[0].item_id == f"{chain}-{int(last) + 1}"
    assert hits >= 0.8 * sum(not w.endswith(f"-{CHAIN_LENGTH - 1}") for w in _last_items(walks, users))


def _last_items(walks: pd.DataFrame, users: list[str]) -> list[str]:
    return [walks[walks.user_id == u].sort_values("at")["item_id"].iloc[-1] for u in users]


def test_save_and_load_keep_the_recency_model(tmp_path, sequential):
    sequential.save(tmp_path)
    loaded = FittedRecommender.load(tmp_path)
    assert loaded.hybrid is not None and loaded.hybrid.half_life == sequential.hybrid.half_life
    assert loaded.recommend("u7", 5) == sequential.recommend("u7", 5)
    history = ["c1-2", "c1-3"]
    assert loaded.recommend(None, 5, history=history) == sequential.recommend(None, 5, history=history)


@pytest.mark.parametrize("model", ["sequential", "fitted"])
def test_serving_one_user_scores_like_the_batch_path(model, request):
    recommender = request.getfixturevalue(model)
    hybrid = recommender.hybrid
    users = np.arange(6)
    batch = hybrid.generator_scores(recommender.history[users], at=recommender.history_at[users])
    for row, user in enumerate(users):
        single = hybrid.generator_scores(recommender.history[[user]], at=recommender.history_at[[user]])
        assert set(single) == set(batch)
        for name, values in single.items():
            assert values.shape == (1, hybrid.n_items)
            assert np.allclose(np.asarray(values)[0], batch[name][row], rtol=1e-4, atol=1e-5), name


def test_events_at_the_same_time_are_not_a_sequence():
    _, at = _chain_matrices()
    flat = at.copy()
    flat.data[:] = 1.0  # no time information: every event at once
    assert Transitions(window=3).fit(flat).similarity.nnz == 0
    assert Transitions(window=3).fit(at).similarity.nnz > 0
