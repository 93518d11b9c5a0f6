"""Products coming into season: those that, in the same weeks last year, sold well above their yearly pace
and are not selling at that pace yet. Needs a year of history."""

from __future__ import annotations

from typing import Any

import pandas as pd

WINDOW_DAYS = 28
MIN_INDEX = 1.5
MIN_UNITS = 10.0


def find_seasonal(lines: pd.DataFrame, as_of: pd.Timestamp, prices: pd.Series, limit: int) -> dict[str, Any]:
    """Products whose next four weeks last year ran at ≥ 1.5 times their yearly pace, largest gain first."""
    end = as_of.normalize()
    year_ago = end - pd.DateOffset(years=1)
    if lines["day"].min() > year_ago - pd.Timedelta(days=1):
        return {"items": [], "note": "needs_a_year_of_history", "window": None}
    window_start, window_end = year_ago + pd.Timedelta(days=1), year_ago + pd.Timedelta(days=WINDOW_DAYS)
    sold = lines[lines["quantity"] > 0]
    year = sold[(sold["day"] > end - pd.DateOffset(years=1)) & (sold["day"] <= end)]
    last_year_window = sold[(sold["day"] >= window_start) & (sold["day"] <= window_end)]
    now = sold[sold["day"] > end - pd.Timedelta(days=WINDOW_DAYS)]
    table = pd.DataFrame(
        {
            "window_units": last_year_window.groupby("product_id")["quantity"].sum(),
            "year_units": year.groupby("product_id")["quantity"].sum(),
            "recent_units": now.groupby("product_id")["quantity"].sum(),
        }
    ).fillna(0.0)
    # the year up to today holds last year's window: the baseline is that year's pace per 28 days
    table["baseline"] = table["year_units"] * WINDOW_DAYS / 365
    table = table[(table["window_units"] >= MIN_UNITS) & (table["baseline"] > 0)]
    table["season_index"] = table["window_units"] / table["baseline"]
    table = table[(table["season_index"] >= MIN_INDEX) & (table["recent_units"] < table["window_units"])]
    table["impact"] = (table["window_units"] - table["recent_units"]) * prices.reindex(table.index).fillna(0.0)
    table = table.sort_values("impact", ascending=False).head(limit)
    items = [
        {
            "id": str(pid),
            "last_year_units": float(r.window_units),
            "baseline_units": float(r.baseline),
            "recent_units": float(r.recent_units),
            "season_index": float(r.season_index),
            "impact": float(r.impact),
        }
        for pid, r in table.iterrows()
    ]
    window = {
        "start": (end + pd.Timedelta(days=1)).date().isoformat(),
        "end": (end + pd.Timedelta(days=WINDOW_DAYS)).date().isoformat(),
    }
    return {
        "items": items,
        "note": None,
        "window": window,
        "last_year_window": {"start": window_start.date().isoformat(), "end": window_end.date().isoformat()},
    }
