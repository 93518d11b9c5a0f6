"""RFM scores, the ten named segments in two languages, and clusters described in words."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tendero.customers.rfm import (
    SEGMENTS,
    assign_clusters,
    fit_clusters,
    rfm_segments,
    rfm_table,
    score,
    segment_for,
    segment_summary,
)


def test_every_cell_of_the_r_by_f_grid_has_one_of_the_ten_segments_and_all_ten_are_used():
    used = {segment_for(r, f) for r in range(1, 6) for f in range(1, 6)}
    assert used == set(SEGMENTS)
    assert segment_for(5, 5) == "champions"
    assert segment_for(1, 1) == "lost"
    assert segment_for(1, 5) == "cant_lose"
    assert segment_for(5, 1) == "new"


def test_tied_frequencies_share_the_lowest_score():
    frequency = pd.Series([1, 1, 1, 1, 1, 1, 2, 2, 3, 9], dtype=float)
    scores = score(frequency)
    assert set(scores[:6]) == {1}
    assert scores.iloc[-1] == 5
    assert list(score(pd.Series([10.0, 1.0]), higher_is_better=False)) == [1, 3]


def _orders(n: int = 200, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n):
        for k in range(int(rng.integers(1, 8))):
            day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 365)))
            rows.append((f"o{c}-{k}", f"c{c}", day, float(rng.gamma(2.0, 20.0))))
    return pd.DataFrame(rows, columns=["order_id", "customer_id", "ordered_at", "revenue"])


def test_segment_summary_lists_all_ten_segments_with_shares_that_add_up():
    table = rfm_segments(rfm_table(_orders()))
    summary = segment_summary(table)
    assert list(summary.index) == list(SEGMENTS)
    assert summary["customers"].sum() == len(table)
    assert summary["revenue_share"].sum() == pytest.approx(1.0)
    assert summary.loc["champions", "name_es"] == "Campeones"
    busy = summary[summary["customers"] > 0]
    assert ((busy["repeat_rate"] >= 0) & (busy["repeat_rate"] <= 1)).all()
    # champions bought more recently and more often than the lost
    assert summary.loc["champions", "mean_frequency"] > summary.loc["lost", "mean_frequency"]
    assert summary.loc["champions", "mean_recency_days"] < summary.loc["lost", "mean_recency_days"]


def test_returns_reduce_monetary_value_but_never_below_zero():
    orders = _orders(5)
    returns = pd.DataFrame(
        {"order_id": ["r1"], "customer_id": ["c0"], "ordered_at": [pd.Timestamp("2024-06-01")], "revenue": [-1e9]}
    )
    table = rfm_table(orders, returns, as_of="2024-12-31")
    assert table.loc["c0", "monetary"] == 0.0
    assert table.loc["c1", "monetary"] == pytest.approx(orders[orders.customer_id == "c1"].revenue.sum())


def test_clusters_are_ordered_by_value_described_in_both_languages_and_reassignable():
    table = rfm_table(_orders(300))
    clusters = fit_clusters(table, k=4)
    assert set(clusters.labels) == {0, 1, 2, 3}
    best, worst = clusters.centers.loc[0], clusters.centers.loc[3]
    assert best["monetary"] > worst["monetary"]
    assert clusters.descriptions[0]["en"].startswith("Customers who")
    assert clusters.descriptions[0]["es"].startswith("Clientes que")
    assert (assign_clusters(table, clusters) == clusters.labels).mean() > 0.99
