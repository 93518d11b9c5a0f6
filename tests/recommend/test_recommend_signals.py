"""Signals, splits and ranking metrics: the arithmetic every recommender number rests on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from tendero.recommend.evaluation import per_user_metrics, ranking_metrics, split_pairs, top_k
from tendero.recommend.signals import SignalWeights, signal_events, signal_pairs


def test_ratings_are_weighted_by_value_and_kinds_by_their_weight():
    interactions = pd.DataFrame(
        {
            "user_id": ["a", "a", "a", "b"],
            "item_id": ["x", "y", "z", "x"],
            "kind": ["rating", "favorite", "view", "rating"],
            "value": [4.0, np.nan, np.nan, 1.0],
            "at": pd.to_datetime(["2024-01-01"] * 4),
        }
    )
    weights = SignalWeights(rating=2.0, favorite=5.0, view=0.5)
    events = signal_events(interactions, None, weights)
    assert events["weight"].tolist() == [8.0, 5.0, 0.5, 2.0]


def test_cancelled_and_anonymous_order_lines_give_no_purchase_signal():
    lines = pd.DataFrame(
        {
            "customer_id": ["a", None, "b", "c"],
            "product_id": ["x", "x", "y", "z"],
            "status": ["paid", "paid", "cancelled", "paid"],
            "quantity": [1, 1, 1, -1],
            "ordered_at": pd.to_datetime(["2024-01-01"] * 4),
        }
    )
    events = signal_events(None, lines)
    assert events[["user_id", "item_id"]].values.tolist() == [["a", "x"]]


def test_half_life_halves_the_weight_of_older_events():
    interactions = pd.DataFrame(
        {
            "user_id": ["a", "a"],
            "item_id": ["old", "new"],
            "kind": ["purchase", "purchase"],
            "value": [np.nan, np.nan],
            "at": pd.to_datetime(["2024-01-01", "2024-01-11"]),
        }
    )
    events = signal_events(interactions, None, SignalWeights(purchase=4.0, half_life_days=10))
    assert events.set_index("item_id")["weight"].to_dict() == pytest.approx({"old": 2.0, "new": 4.0})


def test_pairs_sum_repeated_events_and_keep_the_last_time():
    events = pd.DataFrame(
        {"user_id": ["a", "a"], "item_id": ["x", "x"], "weight": [1.0, 2.0], "value": [np.nan, 5.0], "at": [1.0, 9.0]}
    )
    pairs = signal_pairs(events)
    assert pairs.iloc[0][["weight", "value", "at", "count"]].tolist() == [3.0, 5.0, 9.0, 2]


def test_temporal_split_holds_out_each_users_latest_fifth_and_keeps_light_users_whole():
    users = np.array([0] * 10 + [1] * 4)
    at = np.array([*range(10), 0, 1, 2, 3], dtype=float)
    test = split_pairs(users, at, "temporal")
    assert test[:10].tolist() == [False] * 8 + [True, True]
    assert not test[10:].any()


def test_random_split_depends_on_the_seed_but_keeps_the_fraction():
    users = np.repeat(np.arange(20), 10)
    first = split_pairs(users, np.zeros(200), "random", seed=1)
    second = split_pairs(users, np.zeros(200), "random", seed=2)
    assert first.sum() == second.sum() == 40
    assert (first != second).any()


def test_ranking_metrics_match_a_hand_computed_example():
    test = sp.csr_matrix(np.array([[0, 1, 0, 1, 0, 0]], dtype=np.float32))
    recommended = np.array([[1, 2, 3]])  # hits at ranks 1 and 3
    metrics = ranking_metrics(recommended, test, np.array([0]), n_items=6, k=3)
    ndcg = (1 + 1 / np.log2(4)) / (1 + 1 / np.log2(3))
    assert metrics["precision@3"] == pytest.approx(2 / 3)
    assert metrics["recall@3"] == pytest.approx(1.0)
    assert metrics["ndcg@3"] == pytest.approx(ndcg)
    assert metrics["map@3"] == pytest.approx((1 + 2 / 3) / 2)
    assert metrics["coverage"] == pytest.approx(3 / 6)


def test_per_user_metrics_skip_users_without_test_items_and_average_to_the_means():
    test = sp.csr_matrix(np.array([[0, 1, 0, 1, 0, 0], [0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0]], dtype=np.float32))
    recommended = np.array([[1, 2, 3], [0, 1, 2], [4, 5, 0]])
    each = per_user_metrics(recommended, test, np.array([0, 1, 2]), k=3)
    assert each["users"].tolist() == [0, 2]
    assert each["ndcg@3"].tolist() == pytest.approx([(1 + 1 / np.log2(4)) / (1 + 1 / np.log2(3)), 1 / np.log2(4)])
    means = ranking_metrics(recommended, test, np.array([0, 1, 2]), n_items=6, k=3)
    for name in ("precision@3", "recall@3", "ndcg@3", "map@3"):
        assert means[name] == pytest.approx(each[name].mean())


def test_top_k_returns_best_first_and_copes_with_k_beyond_the_row():
    scores = np.array([[0.1, 0.9, 0.5]])
    assert top_k(scores, 2).tolist() == [[1, 2]]
    assert top_k(scores, 10).tolist() == [[1, 2, 0]]
