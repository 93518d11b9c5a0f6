"""Order lines become a clean purchase history: returns, zero-value orders, late starters, same-day orders."""

from __future__ import annotations

import pandas as pd
import pytest

from tendero.customers.transactions import (
    holdout_counts,
    late_customers,
    read_transactions_csv,
    summarise,
    transaction_log,
    with_integer_ids,
)


def _lines() -> pd.DataFrame:
    rows = [
        # order, customer, time, status, revenue
        ("o1", "a", "2024-01-01 10:00", "completed", 50.0),
        ("o1", "a", "2024-01-01 10:00", "completed", 10.0),
        ("o2", "a", "2024-01-01 18:00", "completed", 40.0),  # same day as o1: one transaction
        ("o3", "a", "2024-01-15", "completed", 30.0),
        ("o4", "a", "2024-01-20", "completed", -30.0),  # return
        ("o5", "b", "2024-01-03", "completed", 20.0),  # single purchase
        ("o6", "c", "2024-01-05", "completed", 0.0),  # zero-value order (free sample)
        ("o7", "c", "2024-01-10", "completed", 25.0),
        ("o8", "d", "2024-01-10", "cancelled", 99.0),  # cancelled: ignored
        ("o9", None, "2024-01-11", "completed", 15.0),  # no customer
        ("o10", "e", "2024-03-01", "completed", 12.0),  # first purchase after calibration end
    ]
    frame = pd.DataFrame(rows, columns=["order_id", "customer_id", "ordered_at", "status", "revenue"])
    frame["ordered_at"] = pd.to_datetime(frame["ordered_at"], format="ISO8601")
    return frame


def test_returns_cancellations_and_anonymous_lines_are_set_aside_and_counted():
    log = transaction_log(_lines())
    assert set(log.returns["order_id"]) == {"o4"}
    assert "o8" not in set(log.orders["order_id"]) and "o9" not in set(log.orders["order_id"])
    assert log.dropped["lines_without_customer"] == 1
    assert log.dropped["cancelled_lines"] == 1
    assert log.dropped["return_orders"] == 1
    assert log.dropped["zero_value_orders"] == 1
    assert log.orders.set_index("order_id").loc["o1", "revenue"] == 60.0


def test_summary_counts_purchase_days_and_keeps_zero_value_orders_out_of_spend():
    log = transaction_log(_lines())
    summary = summarise(log.orders, "2024-01-31", unit_days=7)
    a, b, c = summary.loc["a"], summary.loc["b"], summary.loc["c"]
    assert a["frequency"] == 1  # Jan 1 (two orders) and Jan 15
    assert a["recency"] == pytest.approx(2.0)
    assert a["monetary_value"] == 30.0
    assert (b["frequency"], b["recency"], b["monetary_value"]) == (0, 0, 0)
    # the free sample started c's history; the paid order is the repeat purchase
    assert c["frequency"] == 1 and c["monetary_value"] == 25.0
    assert "e" not in summary.index
    assert list(late_customers(log.orders, "2024-01-31")) == ["e"]
    assert holdout_counts(log.orders, "2024-01-31").loc["e", "purchases"] == 1


def test_missing_columns_are_named_in_the_error():
    with pytest.raises(ValueError, match="customer_id"):
        transaction_log(pd.DataFrame({"ordered_at": [pd.Timestamp("2024-01-01")], "revenue": [1.0]}))


def test_revenue_is_computed_from_quantity_and_price_when_absent():
    lines = _lines().drop(columns="revenue").assign(quantity=2.0, unit_price=5.0, discount=1.0)
    log = transaction_log(lines)
    assert log.orders.set_index("order_id").loc["o3", "revenue"] == 9.0


def test_online_retail_style_csv_reads_with_returns_and_blank_customers(tmp_path):
    path = tmp_path / "retail.csv"
    path.write_text(
        "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n"
        "1,A,Mug,2,2010-01-01 10:00,3.0,12345.0,UK\n"
        "C2,A,Mug,-1,2010-01-05 10:00,3.0,12345.0,UK\n"
        "3,B,Box,1,2010-01-06 10:00,4.0,,UK\n"
    )
    log = transaction_log(read_transactions_csv(path))
    assert list(log.orders["customer_id"]) == ["12345"]
    assert list(log.returns["revenue"]) == [-3.0]
    assert log.dropped["lines_without_customer"] == 1


def test_integer_ids_keep_the_order_of_the_customer_ids_and_map_back_to_them():
    lines = _lines().assign(category=["cd", "cd", "book", "cd", "cd", "book", "cd", "cd", "cd", "cd", "book"])
    log = transaction_log(lines)
    coded, ids = with_integer_ids(log)
    assert list(ids) == sorted(ids) and ids.name == "customer_id"
    for plain, numbered in ((log.orders, coded.orders), (log.returns, coded.returns)):
        assert numbered["customer_id"].dtype.kind == "i"
        assert list(ids[numbered["customer_id"]]) == list(plain["customer_id"])
    assert list(ids[coded.category_lines["customer_id"]]) == list(log.category_lines["customer_id"])
    by_id = summarise(log.orders, "2024-01-31")
    by_code = summarise(coded.orders, "2024-01-31")
    assert list(ids[by_code.index]) == list(by_id.index)
    pd.testing.assert_frame_equal(by_code.reset_index(drop=True), by_id.reset_index(drop=True))
