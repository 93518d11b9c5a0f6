"""Frames: what was imported comes back out with the same totals, in the shapes the domains use."""

from __future__ import annotations

import pandas as pd
import pytest

from support import load_demo
from tendero.data import frames


def test_round_trip_and_ready_views(tenant, demo_store):
    load_demo(tenant.id, demo_store)
    lines = frames.READERS["order_lines"](tenant.id)
    items = demo_store.order_items
    assert len(lines) == len(items)
    expected_revenue = (items["quantity"] * items["unit_price"] - items["discount"]).sum()
    assert lines["revenue"].sum() == pytest.approx(expected_revenue)
    assert lines["quantity"].sum() == items["quantity"].sum()
    series = frames.sales_series(tenant.id, level="category", freq="W", history_months=12).frame
    assert list(series.columns[:3]) == ["unique_id", "ds", "y"]
    per_week = series.groupby("unique_id")["ds"].apply(lambda d: d.sort_values().diff().dropna().dt.days.unique())
    assert all(set(gaps) <= {7} for gaps in per_week)  # zero-filled: no missing weeks
    completed = lines[lines["status"] != "cancelled"]
    in_range = completed[completed["ordered_at"] >= series["ds"].min()]
    in_range = in_range[in_range["ordered_at"] < series["ds"].max() + pd.Timedelta(days=7)]
    assert series["y"].sum() == pytest.approx(in_range["quantity"].sum())
    log = frames.transactions(tenant.id)
    assert log.orders["customer_id"].nunique() <= demo_store.customers.shape[0]
    matrix, users, catalogue = frames.interaction_matrix(tenant.id)
    assert matrix.shape == (len(users), len(catalogue)) and matrix.nnz > 0
    assert len(frames.catalogue(tenant.id)) == len(demo_store.products)
