"""Products to discount: stock is unknown, so "slow" means a low sales velocity against the products of
its own category, and days since its last sale. New products (first sold in the window) are left alone."""

from __future__ import annotations

from typing import Any

import pandas as pd

WINDOW_DAYS = 90
SLOW_SHARE = 0.25
MIN_DAYS_SINCE = 30
HORIZON_DAYS = 30


def find_slow_movers(
    lines: pd.DataFrame, products: pd.DataFrame, as_of: pd.Timestamp, prices: pd.Series, limit: int
) -> dict[str, Any]:
    """Slowest products for their category, with the revenue a month at the category's pace would bring."""
    end = as_of.normalize()
    start = end - pd.Timedelta(days=WINDOW_DAYS - 1)
    sold = lines[(lines["quantity"] > 0) & (lines["day"] <= end)]
    first = sold.groupby("product_id")["day"].min()
    last = sold.groupby("product_id")["day"].max()
    window = sold[sold["day"] >= start]
    units = window.groupby("product_id")["quantity"].sum()
    known = pd.Index(first.index)
    if len(products):
        active = products[products["active"].astype(bool)]["product_id"].astype(str)
        known = known.intersection(pd.Index(active)).union(pd.Index(active).intersection(first.index))
    table = pd.DataFrame(index=known)
    category = lines.drop_duplicates("product_id").set_index("product_id")["category"]
    table["category"] = category.reindex(table.index)
    table["velocity"] = units.reindex(table.index).fillna(0.0) / WINDOW_DAYS
    table["days_since"] = (end - last.reindex(table.index)).dt.days
    table["first_sold"] = first.reindex(table.index)
    table = table[table["first_sold"] < start]  # new products are not slow, just new
    group = table["category"].fillna("")
    table["category_velocity"] = table.groupby(group)["velocity"].transform("median")
    slow = table[
        (table["velocity"] < SLOW_SHARE * table["category_velocity"]) & (table["days_since"] >= MIN_DAYS_SINCE)
    ]
    slow = slow.assign(price=prices.reindex(slow.index).fillna(0.0))
    slow = slow.assign(impact=(slow["category_velocity"] - slow["velocity"]) * HORIZON_DAYS * slow["price"])
    slow = slow.sort_values(["impact", "days_since"], ascending=False).head(limit)
    items = [
        {
            "id": str(pid),
            "category": None if pd.isna(r.category) else str(r.category),
            "velocity": float(r.velocity),
            "category_velocity": float(r.category_velocity),
            "days_since_last_sale": int(r.days_since),
            "impact": float(r.impact),
        }
        for pid, r in slow.iterrows()
    ]
    return {"window_days": WINDOW_DAYS, "as_of": end.date().isoformat(), "items": items, "checked": len(table)}
