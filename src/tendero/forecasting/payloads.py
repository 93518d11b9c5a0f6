"""Answers in the shapes the original apps used: the SmartSales365 dashboard and 3T's demand forecast.

Pure functions from history and forecast frames to JSON-ready dicts; the API only serialises them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

MONTHS = {
    "es": ["Ene", "Feb", "Mar", "Abr", "May", "Jun", "Jul", "Ago", "Sep", "Oct", "Nov", "Dic"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}
CONFIDENCE_WORDS = {"es": ("Alta", "Media", "Baja"), "en": ("High", "Medium", "Low")}


def period_label(ds: pd.Timestamp, lang: str = "es") -> str:
    return f"{MONTHS.get(lang, MONTHS['es'])[ds.month - 1]} {ds.year}"


def confidence_word(backtest_wape: float, lang: str = "es") -> str:
    """Confidence in words from the backtest's weighted error: under 15 % high, under 30 % medium."""
    high, medium, low = CONFIDENCE_WORDS.get(lang, CONFIDENCE_WORDS["es"])
    if not np.isfinite(backtest_wape):
        return low
    return high if backtest_wape < 0.15 else medium if backtest_wape < 0.30 else low


def sales_dashboard(
    history: pd.DataFrame,
    forecast: pd.DataFrame,
    model_info: dict[str, Any],
    *,
    historic_months: int = 12,
    prediction_months: int = 3,
    lang: str = "es",
) -> dict[str, Any]:
    """The SmartSales365 dashboard payload from monthly category history and forecast.

    ``history``: ``unique_id`` (category), ``ds`` (month start), ``y``; ``forecast``: ``unique_id, ds,
    yhat`` and ``lo-80/hi-80/lo-95/hi-95``. ``model_info`` carries version, trained_at and the backtest
    metrics (``backtest_wape``, ``backtest_mase``). Quantities are rounded per category first, so every
    total is exactly the sum of the category figures shown.
    """
    if not 1 <= prediction_months <= 12:
        raise ValueError(f"prediction_months: must be between 1 and 12; got {prediction_months}")
    if not 1 <= historic_months <= 60:
        raise ValueError(f"historic_months: must be between 1 and 60; got {historic_months}")
    wape = float(model_info.get("backtest_wape", float("nan")))
    confidence = confidence_word(wape, lang)
    hist = history.copy()
    hist["ds"] = pd.to_datetime(hist["ds"])
    months = sorted(hist["ds"].unique())[-historic_months:]
    hist = hist[hist["ds"].isin(months)]
    hist["qty"] = hist["y"].round().astype(int)
    historical = [
        {
            "period": period_label(pd.Timestamp(ds), lang),
            "year": pd.Timestamp(ds).year,
            "month": pd.Timestamp(ds).month,
            "total": int(part["qty"].sum()),
            "by_category": {str(k): int(v) for k, v in zip(part["unique_id"], part["qty"], strict=True)},
        }
        for ds, part in hist.groupby("ds", sort=True)
    ]
    fc = forecast.copy()
    fc["ds"] = pd.to_datetime(fc["ds"])
    future = sorted(fc["ds"].unique())[:prediction_months]
    fc = fc[fc["ds"].isin(future)].sort_values(["ds", "unique_id"])
    fc = fc.rename(columns={c: c.replace("-", "_") for c in fc.columns if c.startswith(("lo-", "hi-"))})
    interval_cols = [c for c in fc.columns if c.startswith(("lo_", "hi_"))]
    predictions = []
    by_category: dict[str, list[dict[str, Any]]] = {}
    per_period_total: dict[pd.Timestamp, int] = {}
    for row in fc.itertuples(index=False):
        values = row._asdict()
        ds = pd.Timestamp(values["ds"])
        quantity = round(float(values["yhat"]))
        label = period_label(ds, lang)
        bounds = {c: round(float(values[c])) for c in interval_cols}
        record = {
            "año": ds.year,
            "mes": ds.month,
            "periodo": label,
            "categoria": str(values["unique_id"]),
            "cantidad_predicha": quantity,
            **{k.replace("lo_", "lower_").replace("hi_", "upper_"): v for k, v in bounds.items()},
            "confianza": confidence,
        }
        predictions.append(record)
        by_category.setdefault(str(values["unique_id"]), []).append(
            {
                "periodo": label,
                "cantidad": quantity,
                **{k: v for k, v in record.items() if k.startswith(("lower_", "upper_"))},
            }
        )
        per_period_total[ds] = per_period_total.get(ds, 0) + quantity
    total_predicted = int(sum(per_period_total.values()))
    last_actual = historical[-1]["total"] if historical else 0
    first_predicted = per_period_total[future[0]] if future else 0
    trend = (first_predicted - last_actual) / last_actual * 100 if last_actual else None
    return {
        "model_info": {
            "version": model_info.get("version"),
            "trained_at": model_info.get("trained_at"),
            "algorithm": model_info.get("algorithm"),
            "accuracy": None if not np.isfinite(wape) else round(1 - wape, 4),
            "backtest_wape": None if not np.isfinite(wape) else round(wape, 4),
            "backtest_mase": model_info.get("backtest_mase"),
        },
        "key_metrics": {
            "total_predicted": total_predicted,
            "average_monthly": round(total_predicted / max(len(future), 1), 1),
            "trend_percentage": None if trend is None else round(trend, 1),
            "confidence": confidence,
        },
        "historical_data": historical,
        "predictions": predictions,
        "predictions_by_category": by_category,
        "predicted_totals": [
            {"periodo": period_label(ds, lang), "año": ds.year, "mes": ds.month, "total": total}
            for ds, total in sorted(per_period_total.items())
        ],
    }


def demand_forecast(forecast: pd.DataFrame, days_ahead: int, *, level: int = 95) -> dict[str, Any]:
    """3T's ``/predict/demand/{days_ahead}`` answer: daily total demand with its interval.

    ``forecast`` is a daily total (``ds, yhat, lo-L, hi-L``); Prophet's names (``yhat_lower``,
    ``yhat_upper``) are kept because 3T's client reads them.
    """
    if not 1 <= days_ahead <= 365:
        raise ValueError(f"days_ahead: must be between 1 and 365; got {days_ahead}")
    if len(forecast) < days_ahead:
        raise ValueError(f"days_ahead: the model forecasts {len(forecast)} days; asked for {days_ahead}")
    lo, hi = f"lo-{level}", f"hi-{level}"
    if lo not in forecast.columns:
        raise ValueError(f"level: no {level} % interval in this forecast")
    fc = forecast.sort_values("ds").head(days_ahead).rename(columns={lo: "lo", hi: "hi"})
    days = [
        {
            "date": pd.Timestamp(r.ds).date().isoformat(),
            "yhat": round(float(r.yhat), 2),
            "yhat_lower": round(float(r.lo), 2),
            "yhat_upper": round(float(r.hi), 2),
        }
        for r in fc.itertuples(index=False)
    ]
    peak = max(days, key=lambda d: d["yhat"])
    return {
        "days_ahead": days_ahead,
        "interval_level": level,
        "forecast": days,
        "summary": {
            "total": round(sum(d["yhat"] for d in days), 2),
            "daily_average": round(sum(d["yhat"] for d in days) / days_ahead, 2),
            "peak_date": peak["date"],
        },
    }


@dataclass
class DriftReport:
    mae: float
    backtest_mae: float
    ratio: float
    points: int
    drifted: bool
    threshold: float


def check_drift(
    actuals: pd.DataFrame, forecast: pd.DataFrame, backtest_mae: float, threshold: float = 1.5
) -> DriftReport:
    """Compare actuals with what was forecast: drifted when MAE exceeds ``threshold`` x backtest MAE."""
    merged = actuals[["unique_id", "ds", "y"]].merge(forecast[["unique_id", "ds", "yhat"]], on=["unique_id", "ds"])
    if merged.empty:
        return DriftReport(float("nan"), backtest_mae, float("nan"), 0, False, threshold)
    mae = float((merged["y"] - merged["yhat"]).abs().mean())
    ratio = mae / backtest_mae if backtest_mae > 0 else float("inf")
    return DriftReport(mae, backtest_mae, ratio, len(merged), bool(ratio > threshold), threshold)
