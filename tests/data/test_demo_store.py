"""The generated demo store: deterministic by seed, consistent, and shaped like a real shop's sales."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tendero.data.demo import generate_store


@pytest.fixture(scope="module")
def store():
    return generate_store(seed=7, end=date(2026, 11, 30))


def _monthly_units(store) -> pd.Series:
    lines = store.orders.merge(store.order_items, on="order_id")
    return lines.groupby(pd.to_datetime(lines["ordered_at"]).dt.to_period("M"))["quantity"].sum()


def test_the_same_seed_gives_the_same_store(store):
    again = generate_store(seed=7, end=date(2026, 11, 30))
    pd.testing.assert_frame_equal(store.order_items, again.order_items)
    pd.testing.assert_frame_equal(store.customers, again.customers)


def test_every_reference_is_known(store):
    assert set(store.order_items["order_id"]) <= set(store.orders["order_id"])
    assert set(store.order_items["product_id"]) <= set(store.products["product_id"])
    assert set(store.orders["customer_id"]) <= set(store.customers["customer_id"])


def test_sales_neither_ramp_up_from_nothing_nor_fade_away_at_the_end(store):
    """Customers arrive all along (from before the data starts): the first month already has regulars
    and the last months are not emptied by customers leaving with nobody joining."""
    months = _monthly_units(store)
    typical = months.median()
    assert months.iloc[0] >= 0.6 * typical
    assert (months.iloc[-3:] >= 0.9 * typical).all()
    last_year, year_before = months.iloc[-12:].sum(), months.iloc[-24:-12].sum()
    assert last_year > year_before  # the trend is up
    before = months.rolling(2).mean().shift(1)  # October and November
    decembers = [m for m in months.index if m.month == 12 and pd.notna(before[m])]
    assert decembers and all(months[m] > 1.05 * before[m] for m in decembers)  # the December peak


def test_new_customers_keep_arriving(store):
    first_order = store.orders.groupby("customer_id")["ordered_at"].min()
    last_quarter = pd.to_datetime(first_order) >= pd.Timestamp("2026-09-01")
    assert last_quarter.sum() >= 50
