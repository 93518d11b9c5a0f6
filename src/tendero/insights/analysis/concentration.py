"""How much of a period's revenue comes from its top 10 % of products and of customers."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from tendero.insights.analysis.period import Period

TOP_FRACTION = 0.10


def concentration(lines: pd.DataFrame, period: Period, key: str) -> dict[str, Any] | None:
    """Share of the revenue sold (before returns) that the top ``ceil(10 %)`` of ``key`` make, among those
    that sold anything; None when nothing sold (or, for customers, no known customer bought)."""
    part = lines[period.mask(lines["ordered_at"]) & lines["sold"]]
    if key == "customer_id":
        part = part[part["customer_id"].notna()]
    revenue = part.groupby(key)["revenue"].sum()
    revenue = revenue[revenue > 0].sort_values(ascending=False, kind="stable")
    if revenue.empty:
        return None
    total = float(revenue.sum())
    n_top = max(1, math.ceil(TOP_FRACTION * len(revenue)))
    return {
        "total": len(revenue),
        "top_n": n_top,
        "top_share": float(revenue.head(n_top).sum()) / total,
        "top_revenue": float(revenue.head(n_top).sum()),
        "revenue": total,
        "largest": {
            "id": str(revenue.index[0]),
            "revenue": float(revenue.iloc[0]),
            "share": float(revenue.iloc[0]) / total,
        },
    }
