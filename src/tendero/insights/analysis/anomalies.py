"""Days (or weeks, for periods longer than a quarter) whose sales fall outside what was expected.

Where a deployed total forecast covers a day, "expected" is its interval; elsewhere it is a robust
seasonal baseline: the median of the same weekday over the weeks before (weekly periods: the weeks
before), with the MAD as its spread (Iglewicz and Hoaglin's modified z-score, flagged at 3.5). Days
with no sales count as zero, so a day the shop was unexpectedly closed is found too; a difference
smaller than a tenth of an average day's sales is never flagged, however unusual.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from tendero.insights.analysis.inputs import ForecastInput
from tendero.insights.analysis.period import Period

THRESHOLD = 3.5
BASELINE_WEEKS = 8
MIN_BASELINE = 4
MATERIAL_SHARE = 0.10
MAD_TO_SD = 1.4826


def find_anomalies(
    lines: pd.DataFrame,
    period: Period,
    data_start: date,
    forecast: ForecastInput | None,
    top: int = 10,
    exclude_items: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Flagged days or weeks of ``period``, largest money impact first, and how each was judged; each names the
    products that drove it (``exclude_items``, the non-products, are judged in the totals but never named)."""
    granularity = "day" if period.days <= 92 else "week"
    step = 1 if granularity == "day" else 7
    first = max(data_start, period.start - timedelta(days=7 * BASELINE_WEEKS + step))
    grid_start = pd.Timestamp(first) if granularity == "day" else _monday(pd.Timestamp(first))
    grid_end = pd.Timestamp(period.end) if granularity == "day" else _monday(pd.Timestamp(period.end))
    window = lines[(lines["ordered_at"] >= grid_start) & (lines["day"] <= pd.Timestamp(period.end))]
    key = window["day"] if granularity == "day" else _monday_series(window["day"])
    revenue = window.groupby(key)["revenue"].sum()
    units = window.groupby(key)["quantity"].sum()
    grid = pd.date_range(grid_start, grid_end, freq="D" if granularity == "day" else "W-MON")
    revenue, units = revenue.reindex(grid, fill_value=0.0), units.reindex(grid, fill_value=0.0)
    in_period = (grid >= pd.Timestamp(period.start) - pd.Timedelta(days=step - 1)) & (grid <= pd.Timestamp(period.end))
    scale_floor = MATERIAL_SHARE * float(revenue[in_period].mean()) if in_period.any() else 0.0
    lag = 7 if granularity == "day" else 1
    lags = np.column_stack([revenue.shift(lag * k).to_numpy() for k in range(1, BASELINE_WEEKS + 1)])
    valid = np.column_stack(
        [(grid - pd.Timedelta(days=lag * k * step)) >= pd.Timestamp(data_start) for k in range(1, BASELINE_WEEKS + 1)]
    )
    lags = np.where(valid, lags, np.nan)
    price = _price_per_unit(window, period)
    covered = _forecast_rows(forecast, granularity)
    items: list[dict[str, Any]] = []
    for index in np.flatnonzero(in_period):
        when = grid[index]
        actual = float(revenue.iloc[index])
        judged = _by_forecast(covered, when, actual, float(units.iloc[index]), price, forecast)
        if judged is None:
            judged = _by_baseline(lags[index], actual, scale_floor)
        if judged is None or not judged.pop("flag"):
            continue
        day_lines = window[(key == when) & ~window["product_id"].isin(exclude_items)]
        drivers = day_lines.groupby("product_id")["revenue"].sum().sort_values(ascending=False).head(3)
        items.append(
            {
                "date": when.date().isoformat(),
                "granularity": granularity,
                "actual": actual,
                **judged,
                "top_products": [{"id": str(i), "revenue": float(v)} for i, v in drivers.items()],
            }
        )
    items.sort(key=lambda item: -abs(item["impact"]))
    forecast_days = int(sum(1 for i in np.flatnonzero(in_period) if grid[i] in covered.index)) if len(covered) else 0
    return {
        "granularity": granularity,
        "checked": int(in_period.sum()),
        "judged_by_forecast": forecast_days,
        "method": "forecast" if forecast_days else "robust",
        "threshold_z": THRESHOLD,
        "baseline_weeks": BASELINE_WEEKS,
        "items": items[:top],
        "total": len(items),
    }


def _by_baseline(history: np.ndarray, actual: float, floor: float) -> dict[str, Any] | None:
    values = history[np.isfinite(history)]
    if len(values) < MIN_BASELINE:
        return None
    median = float(np.median(values))
    spread = max(MAD_TO_SD * float(np.median(np.abs(values - median))), floor / 2, 1e-9)
    z = (actual - median) / spread
    flag = abs(z) >= THRESHOLD and abs(actual - median) >= floor
    return {
        "expected": median,
        "low": median - THRESHOLD * spread,
        "high": median + THRESHOLD * spread,
        "z": float(z),
        "direction": "high" if actual > median else "low",
        "impact": actual - median,
        "method": "robust",
        "baseline_n": len(values),
        "flag": flag,
    }


def _by_forecast(
    covered: pd.DataFrame,
    when: pd.Timestamp,
    revenue: float,
    units: float,
    price: float | None,
    forecast: ForecastInput | None,
) -> dict[str, Any] | None:
    if forecast is None or when not in covered.index:
        return None
    row = covered.loc[when]
    level = forecast.interval_level
    low, high, point = float(row[f"lo-{level}"]), float(row[f"hi-{level}"]), float(row["yhat"])
    actual = revenue if forecast.measure == "revenue" else units
    to_money = 1.0 if forecast.measure == "revenue" else (price or 0.0)
    return {
        "expected": point,
        "low": low,
        "high": high,
        "measure": forecast.measure,
        "actual_measure": actual,
        "direction": "high" if actual > point else "low",
        "impact": (actual - point) * to_money,
        "method": "forecast",
        "model": forecast.name,
        "model_version": forecast.version,
        "flag": not low <= actual <= high,
    }


def _forecast_rows(forecast: ForecastInput | None, granularity: str) -> pd.DataFrame:
    wanted = "D" if granularity == "day" else "W"
    if forecast is None or forecast.freq != wanted:
        return pd.DataFrame()
    frame = forecast.frame[forecast.frame["unique_id"] == "total"]
    return frame.set_index(pd.to_datetime(frame["ds"]))


def _price_per_unit(window: pd.DataFrame, period: Period) -> float | None:
    part = window[period.mask(window["ordered_at"]) & window["sold"]]
    units = float(part["quantity"].sum())
    return float(part["revenue"].sum()) / units if units > 0 else None


def _monday(day: pd.Timestamp) -> pd.Timestamp:
    return day.normalize() - pd.Timedelta(days=day.weekday())


def _monday_series(days: pd.Series) -> pd.Series:
    return days - pd.to_timedelta(days.dt.weekday, unit="D")
