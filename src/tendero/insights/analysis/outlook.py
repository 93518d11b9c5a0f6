"""What the deployed forecasts say about the next period: the total with its range, and the products
whose forecast outruns what they sold (restock).

A forecast period that straddles the next period's edge counts in proportion to its days inside. When
the forecast's periods match the next period exactly, its interval is the forecast's own; when several
are added up (days into a month), the range is the sum of their bounds, wider than the true interval of
the sum, and says so (``interval: "sum_of_bounds"``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from tendero.insights.analysis.inputs import ForecastInput
from tendero.insights.analysis.period import Period

MIN_COVERAGE = 0.8  # share of the next period's days a forecast must cover to speak for it
RESTOCK_GAIN = 0.2  # forecast at least 20 % above what sold
RESTOCK_MIN_UNITS = 5.0


def overlap_weights(forecast: ForecastInput, period: Period) -> pd.Series:
    """Per forecast row, the share of its days that fall in ``period`` (0 to 1)."""
    start = pd.to_datetime(forecast.frame["ds"])
    days = forecast.period_days
    end = start + pd.to_timedelta(days - 1, unit="D")
    first, last = pd.Timestamp(period.start), pd.Timestamp(period.end)
    inside = (end.clip(upper=last) - start.clip(lower=first)).dt.days + 1
    return (inside.clip(lower=0) / days).astype(float)


def forecast_over(forecast: ForecastInput, period: Period, unique_id: str = "total") -> dict[str, Any] | None:
    """The forecast of ``unique_id`` summed over ``period``, or None when it covers under 80 % of its days."""
    weights = overlap_weights(forecast, period)
    chosen = (forecast.frame["unique_id"] == unique_id) & (weights > 0)
    if not chosen.any():
        return None
    rows, share = forecast.frame[chosen], weights[chosen]
    coverage = float((share * forecast.period_days[chosen]).sum()) / period.days
    if coverage < MIN_COVERAGE:
        return None
    scale = 1.0 / coverage  # a little of the period beyond the horizon: scaled, and said
    level = forecast.interval_level
    exact = len(rows) == 1 and float(share.iloc[0]) == 1.0 and coverage == 1.0
    return {
        "point": float((_expected(rows) * share).sum()) * scale,
        "low": float((rows[f"lo-{level}"] * share).sum()) * scale,
        "high": float((rows[f"hi-{level}"] * share).sum()) * scale,
        "level": level,
        "coverage": coverage,
        "interval": "model" if exact else "sum_of_bounds",
        "measure": forecast.measure,
        "model": forecast.name,
        "model_version": forecast.version,
    }


def outlook(
    lines: pd.DataFrame, period: Period, upcoming: Period, forecasts: list[ForecastInput]
) -> dict[str, Any] | None:
    """The ``upcoming`` period's total from the best-fitting deployed forecast, against ``period``'s actual."""
    ranked = sorted(forecasts, key=lambda f: (_fit(f.freq, upcoming), f.measure != "revenue", f.name))
    part = lines[period.mask(lines["ordered_at"])]
    sold = part[part["sold"]]
    price = float(sold["revenue"].sum()) / float(sold["quantity"].sum()) if sold["quantity"].sum() > 0 else None
    for forecast in ranked:
        total = forecast_over(forecast, upcoming)
        if total is None:
            continue
        actual = float(part["revenue"].sum()) if forecast.measure == "revenue" else float(part["quantity"].sum())
        # compare like with like: this period's actual per day, over the next period's days
        actual_scaled = actual / period.days * upcoming.days
        to_money = 1.0 if forecast.measure == "revenue" else (price or 0.0)
        return {
            **total,
            "next": upcoming.as_dict(),
            "actual": actual,
            "actual_scaled": actual_scaled,
            "change_pct": total["point"] / actual_scaled - 1 if actual_scaled > 0 else None,
            "price_per_unit": None if forecast.measure == "revenue" else price,
            "impact": (total["point"] - actual_scaled) * to_money,
        }
    return None


def restock(
    lines: pd.DataFrame, period: Period, upcoming: Period, forecasts: list[ForecastInput], top: int
) -> dict[str, Any] | None:
    """Products whose forecast for ``upcoming`` beats what they sold in ``period`` (per day, scaled to the
    upcoming period's length) by at least 20 %, largest money gap first."""
    product_models = [f for f in forecasts if f.level == "product" and f.measure == "quantity"]
    part = lines[period.mask(lines["ordered_at"])]
    sold_units = part.groupby("product_id")["quantity"].sum()
    sold_lines = part[part["sold"]]
    prices = sold_lines.groupby("product_id")["revenue"].sum() / sold_lines.groupby("product_id")["quantity"].sum()
    for forecast in sorted(product_models, key=lambda f: (_fit(f.freq, upcoming), f.name)):
        weights = overlap_weights(forecast, upcoming)
        frame = forecast.frame.assign(weight=weights, days=forecast.period_days)
        frame = frame[frame["weight"] > 0]
        if frame.empty:
            continue
        coverage = (
            frame.groupby("unique_id").apply(lambda g: float((g["weight"] * g["days"]).sum()), include_groups=False)
            / upcoming.days
        )
        point = (_expected(frame) * frame["weight"]).groupby(frame["unique_id"]).sum() / coverage
        point = point[coverage >= MIN_COVERAGE]
        table = pd.DataFrame({"forecast": point})
        table["sold"] = sold_units.reindex(table.index).fillna(0.0)
        table["sold_scaled"] = table["sold"] / period.days * upcoming.days
        table["price"] = prices.reindex(table.index)
        table = table[(table["sold_scaled"] > 0) & (table["forecast"] >= RESTOCK_MIN_UNITS)]
        table["gain"] = table["forecast"] / table["sold_scaled"] - 1
        table = table[table["gain"] >= RESTOCK_GAIN]
        table["impact"] = (table["forecast"] - table["sold_scaled"]) * table["price"].fillna(0.0)
        table = table.sort_values(["impact", "gain"], ascending=False).head(top)
        items = [
            {
                "id": str(pid),
                "forecast": float(r.forecast),
                "sold": float(r.sold),
                "sold_scaled": float(r.sold_scaled),
                "gain": float(r.gain),
                "impact": float(r.impact),
            }
            for pid, r in table.iterrows()
        ]
        return {"model": forecast.name, "model_version": forecast.version, "next": upcoming.as_dict(), "items": items}
    return None


def _fit(freq: str, period: Period) -> int:
    """Lower is better: a model whose periods match the next period's shape first."""
    wanted = {"month": "M", "quarter": "M", "year": "M", "week": "W"}.get(period.shape, "D")
    return 0 if freq == wanted else 1 if freq == "D" else 2


def _expected(frame: pd.DataFrame) -> pd.Series:
    """What a sum over periods adds: the forecast's ``mean`` where its point is a count's median (a slow
    mover's daily median is often 0, its expected units are not), else the point."""
    return frame["mean"] if "mean" in frame.columns else frame["yhat"]
