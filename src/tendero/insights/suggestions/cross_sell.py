"""Cross-sell per category: for each category, the other category its buyers add to the same order more
than chance (lift, BH-corrected Fisher test), and the product of that category most bought alongside."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tendero.insights.suggestions.baskets import benjamini_hochberg, build_baskets, fisher_greater, pair_counts

MIN_ORDERS = 5
ALPHA = 0.05


def find_cross_sell(lines: pd.DataFrame, limit: int) -> dict[str, Any]:
    """One suggestion per source category (best lift among the significant ones), largest first."""
    if lines["category"].dropna().nunique() < 2:
        return {"items": [], "note": "needs_two_categories"}
    baskets = build_baskets(lines, "category")
    n, counts = baskets.n_orders, baskets.counts()
    a, b, both = pair_counts(baskets)
    q = benjamini_hochberg(fisher_greater(both, counts[a], counts[b], n))
    lift = both * n / (counts[a] * counts[b])
    found: dict[int, tuple[float, int, int, float]] = {}
    for i in np.flatnonzero((both >= MIN_ORDERS) & (q < ALPHA) & (lift > 1)):
        for source, target in ((a[i], b[i]), (b[i], a[i])):
            if source not in found or lift[i] > found[source][0]:
                found[source] = (float(lift[i]), int(target), int(both[i]), float(q[i]))
    sold = lines[(lines["quantity"] > 0) & lines["category"].notna()]
    items = []
    for source, (lift_value, target, together, q_value) in found.items():
        source_name, target_name = str(baskets.keys[source]), str(baskets.keys[target])
        orders_with_source = sold.loc[sold["category"] == source_name, "order_id"].unique()
        alongside = sold[(sold["category"] == target_name) & sold["order_id"].isin(orders_with_source)]
        best = alongside.groupby("product_id")["order_id"].nunique().sort_values(ascending=False, kind="stable")
        revenue = float(alongside["revenue"].sum())
        items.append(
            {
                "source": source_name,
                "target": target_name,
                "orders": together,
                "share": together / counts[source],
                "lift": lift_value,
                "q_value": q_value,
                "product": str(best.index[0]) if len(best) else None,
                "impact": revenue * (1 - 1 / lift_value),
            }
        )
    items.sort(key=lambda x: -x["impact"])
    return {"orders": n, "items": items[:limit], "note": None}
