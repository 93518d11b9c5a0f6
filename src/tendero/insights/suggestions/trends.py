"""Products rising or falling: the next weeks' forecast against the last weeks' sales where a product
forecast is deployed, otherwise the last weeks against the weeks before, with an exact binomial test on
the number of orders (orders, not units, so one bulk order is not a trend) and Benjamini–Hochberg."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from tendero.insights.analysis.inputs import ForecastInput
from tendero.insights.analysis.outlook import forecast_over
from tendero.insights.analysis.period import Period
from tendero.insights.suggestions.baskets import benjamini_hochberg

WINDOW_DAYS = 28
MIN_CHANGE = 0.3
MIN_ORDERS = 5
ALPHA = 0.05


def find_trends(
    lines: pd.DataFrame, as_of: pd.Timestamp, prices: pd.Series, forecast: ForecastInput | None, limit: int
) -> dict[str, Any]:
    """Rising and falling products, largest money change first."""
    end = as_of.normalize()
    recent_start = end - pd.Timedelta(days=WINDOW_DAYS - 1)
    before_start = recent_start - pd.Timedelta(days=WINDOW_DAYS)
    sold = lines[lines["quantity"] > 0]
    recent = sold[(sold["day"] >= recent_start) & (sold["day"] <= end)]
    before = sold[(sold["day"] >= before_start) & (sold["day"] < recent_start)]
    table = pd.DataFrame(
        {
            "recent_units": recent.groupby("product_id")["quantity"].sum(),
            "before_units": before.groupby("product_id")["quantity"].sum(),
            "recent_orders": recent.groupby("product_id")["order_id"].nunique(),
            "before_orders": before.groupby("product_id")["order_id"].nunique(),
        }
    ).fillna(0.0)
    table["price"] = prices.reindex(table.index).fillna(0.0)
    items: list[dict[str, Any]] = []
    forecast_ids: set[str] = set()
    if forecast is not None:
        upcoming = Period(
            end.date() + pd.Timedelta(days=1).to_pytimedelta(),
            end.date() + pd.Timedelta(days=WINDOW_DAYS).to_pytimedelta(),
        )
        for pid in table.index:
            ahead = forecast_over(forecast, upcoming, str(pid))
            if ahead is None:
                continue
            forecast_ids.add(str(pid))
            units = float(table.at[pid, "recent_units"])
            if max(units, ahead["point"]) < MIN_ORDERS or units <= 0:
                continue
            change = ahead["point"] / units - 1
            if abs(change) >= MIN_CHANGE:
                items.append(
                    _item(pid, "forecast", units, ahead["point"], change, None, table.at[pid, "price"], forecast.name)
                )
    rest = table[~table.index.isin(forecast_ids)]
    rest = rest[np.maximum(rest["recent_orders"], rest["before_orders"]) >= MIN_ORDERS]
    p_values = np.array(
        [binomtest(int(r.recent_orders), int(r.recent_orders + r.before_orders), 0.5).pvalue for r in rest.itertuples()]
    )
    q_values = benjamini_hochberg(p_values)
    for (pid, row), q in zip(rest.iterrows(), q_values, strict=True):
        if row["before_units"] <= 0 or q >= ALPHA:
            continue
        change = row["recent_units"] / row["before_units"] - 1
        if abs(change) >= MIN_CHANGE:
            items.append(
                _item(pid, "history", row["recent_units"], row["before_units"], change, float(q), row["price"], None)
            )
    items.sort(key=lambda x: -abs(x["impact"]))
    rising = [i for i in items if i["direction"] == "rising"][:limit]
    falling = [i for i in items if i["direction"] == "falling"][:limit]
    return {
        "window_days": WINDOW_DAYS,
        "as_of": end.date().isoformat(),
        "rising": rising,
        "falling": falling,
        "tested": len(rest) + len(forecast_ids),
        "forecast_model": forecast.name if forecast else None,
    }


def _item(
    pid: object,
    basis: str,
    recent: float,
    other: float,
    change: float,
    q: float | None,
    price: float,
    model: str | None,
) -> dict[str, Any]:
    rising = change > 0
    # history: other = the weeks before; forecast: other = the next weeks' forecast (and recent the last weeks)
    gap = (recent - other) if basis == "history" else (other - recent)
    return {
        "id": str(pid),
        "basis": basis,
        "recent_units": float(recent),
        "expected_units": float(other),
        "change_pct": float(change),
        "q_value": q,
        "direction": "rising" if rising else "falling",
        "impact": float(gap * price),
        "model": model,
    }
