"""Behaviour features per customer at a cutoff date, for the supervised churn and purchase models.

Everything is computed from history up to and including the cutoff day, so a model trained at an
earlier cutoff and scored at a later one sees features built the same way (no leakage).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tendero.customers import btyd
from tendero.customers.transactions import DAY, TransactionLog, btyd_args, purchase_days

FEATURE_NAMES = (
    "recency_days",
    "frequency",
    "tenure_days",
    "revenue",
    "mean_spend",
    "max_spend",
    "last_spend",
    "mean_gap_days",
    "std_gap_days",
    "last_gap_days",
    "overdue_ratio",
    "purchases_90d",
    "purchases_prev_90d",
    "trend_90d",
    "spend_trend",
    "units_per_order",
    "zero_value_share",
    "returns",
    "returned_share",
    "categories",
    "top_category_share",
)


def behaviour_features(log: TransactionLog, cutoff: pd.Timestamp | str) -> pd.DataFrame:
    """One row per customer with a purchase on or before ``cutoff``; columns ``FEATURE_NAMES``."""
    end = pd.Timestamp(cutoff).normalize()
    upto = end + pd.Timedelta(days=1)
    orders = log.orders[log.orders["ordered_at"] < upto]
    days = purchase_days(orders)
    if days.empty:
        return pd.DataFrame(columns=list(FEATURE_NAMES))
    days = days.sort_values(["customer_id", "day"])
    group = days.groupby("customer_id", sort=True)
    gap = group["day"].diff() / DAY
    days = days.assign(gap=gap, age=(end - days["day"]) / DAY)
    group = days.groupby("customer_id", sort=True)
    first = group["day"].min()
    last = group["day"].max()
    frame = pd.DataFrame(index=first.index)
    frame["recency_days"] = (end - last) / DAY
    frame["frequency"] = group.size().astype(float)
    frame["tenure_days"] = (end - first) / DAY
    frame["revenue"] = group["revenue"].sum()
    frame["mean_spend"] = group["revenue"].mean()
    frame["max_spend"] = group["revenue"].max()
    frame["last_spend"] = group["revenue"].last()
    frame["mean_gap_days"] = group["gap"].mean()
    frame["std_gap_days"] = group["gap"].std()
    frame["last_gap_days"] = group["gap"].last()
    frame["overdue_ratio"] = frame["recency_days"] / frame["mean_gap_days"]
    recent = days[days["age"] < 90].groupby("customer_id").size()
    previous = days[(days["age"] >= 90) & (days["age"] < 180)].groupby("customer_id").size()
    frame["purchases_90d"] = recent.reindex(frame.index).fillna(0.0)
    frame["purchases_prev_90d"] = previous.reindex(frame.index).fillna(0.0)
    frame["trend_90d"] = (frame["purchases_90d"] - frame["purchases_prev_90d"]) / np.maximum(
        1.0, frame["purchases_90d"] + frame["purchases_prev_90d"]
    )
    frame["spend_trend"] = frame["last_spend"] / frame["mean_spend"].where(frame["mean_spend"] > 0)
    per_order = orders.groupby("customer_id")
    frame["units_per_order"] = (per_order["quantity"].sum() / per_order.size()).reindex(frame.index)
    frame["zero_value_share"] = (
        orders.assign(zero=orders["revenue"] == 0).groupby("customer_id")["zero"].mean().reindex(frame.index)
    )
    returns = log.returns[log.returns["ordered_at"] < upto]
    returned = returns.groupby("customer_id")["revenue"].agg(["size", "sum"])
    frame["returns"] = returned["size"].reindex(frame.index).fillna(0.0)
    frame["returned_share"] = (-returned["sum"]).reindex(frame.index).fillna(0.0) / frame["revenue"].where(
        frame["revenue"] > 0
    )
    lines = log.category_lines
    if len(lines):
        lines = lines[lines["ordered_at"] < upto]
        mix = lines.groupby(["customer_id", "category"])["revenue"].sum()
        per_customer = mix.groupby(level="customer_id")
        total = per_customer.sum().reindex(frame.index)
        frame["categories"] = per_customer.size().reindex(frame.index).fillna(0.0)
        frame["top_category_share"] = per_customer.max().reindex(frame.index) / total.where(total > 0)
    else:
        frame["categories"] = np.nan
        frame["top_category_share"] = np.nan
    return frame[list(FEATURE_NAMES)].astype(float)


def with_btyd_features(
    features: pd.DataFrame, model: btyd._CountModel, summary: pd.DataFrame, window_weeks: float
) -> pd.DataFrame:
    """The behaviour features plus the BTYD model's view of each customer over the window:
    ``p_alive``, ``expected_rate`` (purchases per week) and ``p_quiet`` (no purchase in it)."""
    args = btyd_args(summary.loc[features.index])
    out = features.copy()
    out["p_alive"] = model.p_alive(*args)
    out["expected_rate"] = model.expected_purchases(window_weeks, *args) / window_weeks
    out["p_quiet"] = model.p_no_purchase(window_weeks, *args)
    return out
