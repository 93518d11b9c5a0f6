"""What the Forecast, Customers and Recommendations pages show, read from the deployed models through the same
services as their API routes (``tendero.services.forecasts``, ``customers``, ``recommendations``); nothing is
re-computed here but the shaping of their answers for a page."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd

from tendero.errors import NotFound
from tendero.kinds import ForecastModel
from tendero.services import models, summaries
from tendero.services.forecasts import LEVELS, model_name
from tendero.services.models import Served
from tendero.services.recommendations import require_item, serving_recommender
from tendero.services.recommendations import who_asked as _who_asked

PAGE_LEVELS = ("total", "category", "product")
FREQS = ("D", "W", "M")
DEFAULT_HORIZON = {"D": 30, "W": 8, "M": 3}
HISTORY_SHOWN = {"D": 120, "W": 52, "M": 24}
MAX_SERIES = 40
S = TypeVar("S")
CUSTOMER_MODEL = "customers"
RECOMMENDER_MODEL = "recommender"


def deployed(tenant_id: str, name: str, surface: type[S]) -> Served[S] | None:
    """The deployed version of ``name``, loaded and answering as ``surface``; None when nothing is deployed under
    that name (or it is of another kind)."""
    try:
        return models.deployed(tenant_id, name, surface)
    except NotFound:
        return None


def deployed_forecasts(tenant_id: str) -> list[tuple[str, str]]:
    """(level, freq) of every deployed ``forecast-{level}-{freq}`` model of the tenant."""
    found = []
    for model in models.list_models(tenant_id, kind="forecast", limit=200).items:
        if not model.name.startswith("forecast-"):
            continue
        level, _, freq = model.name.removeprefix("forecast-").rpartition("-")
        if level in LEVELS and freq in FREQS and model.deployed_version is not None:
            found.append((level, freq))
    return found


def _column(values: pd.Series) -> list[Any]:
    out = []
    for value in values.tolist():
        if hasattr(value, "isoformat"):
            value = value.date().isoformat() if hasattr(value, "date") else value.isoformat()
        elif isinstance(value, float):
            value = None if not math.isfinite(value) else round(value, 3)
        out.append(value)
    return out


def _names(tenant_id: str, level: str) -> dict[str, str]:
    if level != "product":
        return {}
    frame = summaries.products(tenant_id)
    return {str(k): str(v) for k, v in zip(frame["product_id"], frame["name"], strict=True) if isinstance(v, str) and v}


@dataclass(frozen=True)
class ForecastView:
    model: str
    version: str
    level: str
    freq: str
    horizon: int
    max_horizon: int
    series: str
    options: list[tuple[str, str]]  # (series id, label), biggest first; "total" first
    history: dict[str, list[Any]]
    forecast: dict[str, list[Any]]
    rows: list[dict[str, Any]]  # the forecast table
    measure: str
    metrics: dict[str, float]
    series_accuracy: dict[str, Any] | None  # this series' backtest MAE/MASE and chosen engine
    choice: dict[str, str]  # engine chosen per group of series
    engines: list[dict[str, Any]]  # per series: label, group, chosen, backtest MASE/MAE


def forecast_view(
    tenant_id: str, level: str, freq: str, horizon: int | None, series: str | None
) -> ForecastView | None:
    """The page's forecast for one series of a deployed model; None when that model is not deployed."""
    served = deployed(tenant_id, model_name(level, freq), ForecastModel)
    if served is None:
        return None
    fitted = served.fitted
    max_horizon = int(fitted.horizon or DEFAULT_HORIZON[freq])
    horizon = max(1, min(horizon or max_horizon, max_horizon))
    history = fitted.series_history()
    names = _names(tenant_id, level)
    options = [("total", "total")]
    if level != "total":
        volume = history.groupby("unique_id")["y"].sum().sort_values(ascending=False).head(MAX_SERIES)
        options += [(str(uid), names.get(str(uid), str(uid))) for uid in volume.index]
    chosen: str = series if series is not None and series in set(history["unique_id"].astype(str)) else "total"
    if chosen not in dict(options):
        options.append((chosen, names.get(chosen, chosen)))
    past = fitted.total_history() if chosen == "total" else history[history["unique_id"] == chosen]
    past = past.tail(HISTORY_SHOWN[freq])
    frame = fitted.forecast(ids=[chosen], levels=[80, 95], horizon=horizon)
    per_series = fitted.series_table()
    label = dict(options)
    row = per_series[per_series["unique_id"] == chosen]
    series_accuracy = None
    if len(row):
        first = row.iloc[0]
        series_accuracy = {"mae": float(first["backtest_mae"]), "mase": float(first["backtest_mase"]),
                           "chosen": str(first["chosen"]), "group": str(first["group"])}  # fmt: skip
    shown = per_series[per_series["unique_id"].isin([o[0] for o in options])].copy()
    shown["order"] = shown["unique_id"].map({o[0]: i for i, o in enumerate(options)})
    engines = [
        {"series": str(r.unique_id), "label": label.get(str(r.unique_id), str(r.unique_id)), "group": str(r.group),
         "chosen": str(r.chosen), "mase": float(r.backtest_mase), "mae": float(r.backtest_mae)}
        for r in shown.sort_values("order").head(15).itertuples()
    ]  # fmt: skip
    forecast = {column: _column(frame[column]) for column in frame.columns if column != "unique_id"}
    return ForecastView(
        model=served.model, version=served.version, level=level, freq=freq, horizon=horizon, max_horizon=max_horizon,
        series=chosen, options=options,
        history={"ds": _column(past["ds"]), "y": _column(past["y"])},
        forecast=forecast,
        rows=[
            {**dict(zip(forecast, values, strict=True)), "ds": str(values[0])[:7] if freq == "M" else values[0]}
            for values in zip(*forecast.values(), strict=True)
        ],
        measure=fitted.measure,
        metrics={k: float(v) for k, v in fitted.metrics.items() if isinstance(v, int | float)},
        series_accuracy=series_accuracy,
        choice={str(k): str(v) for k, v in fitted.choice().items()},
        engines=engines,
    )  # fmt: skip


def next_period(tenant_id: str) -> dict[str, Any] | None:
    """The Overview's line: next month's total and top categories from ``forecast-category-M``."""
    served = deployed(tenant_id, model_name("category", "M"), ForecastModel)
    if served is None:
        return None
    fitted = served.fitted
    frame = fitted.forecast(levels=[80], horizon=1)
    total = frame[frame["unique_id"] == "total"]
    if total.empty:
        return None
    first = total.iloc[0]
    parts = frame[frame["unique_id"] != "total"].sort_values("yhat", ascending=False).head(5)
    return {
        "version": served.version,
        "period": pd.Timestamp(first["ds"]).strftime("%Y-%m"),
        "yhat": float(first["yhat"]), "lo": float(first["lo-80"]), "hi": float(first["hi-80"]),
        "measure": fitted.measure,
        "wape": fitted.metrics.get("backtest_wape"),
        "categories": [(str(r.unique_id), float(r.yhat)) for r in parts.itertuples()],
    }  # fmt: skip


# --- customers --------------------------------------------------------------------------------------


def customer_monthly_spend(tenant_id: str, customer_id: str, months: int = 24) -> dict[str, list[Any]]:
    lines = summaries.order_lines(tenant_id)
    mine = lines[(lines["customer_id"] == customer_id) & (lines["status"].fillna("completed") != "cancelled")]
    if mine.empty:
        return {"month": [], "revenue": []}
    spend = mine.groupby(mine["ordered_at"].dt.to_period("M"))["revenue"].sum().tail(months)
    return {"month": [str(p) for p in spend.index], "revenue": [round(float(v), 2) for v in spend.to_numpy()]}


def customer_names(tenant_id: str) -> dict[str, str]:
    """Customer id → name, for lists that would otherwise show bare ids."""
    frame = summaries.customers(tenant_id)
    return {
        str(k): str(v) for k, v in zip(frame["customer_id"], frame["name"], strict=True) if isinstance(v, str) and v
    }


# --- recommendations --------------------------------------------------------------------------------


def recommender(tenant_id: str) -> tuple[Any, dict[str, Any]]:
    """The deployed recommender or the rules fallback, exactly as ``/v1/recommendations`` serves."""
    return serving_recommender(tenant_id, RECOMMENDER_MODEL)


def who_asked(recommender: Any, user_id: str, language: str) -> dict[str, Any]:
    """Whether the recommender knows the customer, and the fallback that answered when it does not (as the API)."""
    return _who_asked(recommender, user_id, None, [], language)


def known_item(served: Any, item_id: str) -> None:
    """NotFound (a 404 page) for an item outside the catalogue, as the API answers."""
    require_item(served, item_id)


def active_customers(tenant_id: str, limit: int = 12) -> list[tuple[str, int]]:
    """The customers with the most orders: the page's quick picks."""
    lines = summaries.order_lines(tenant_id)
    lines = lines[lines["customer_id"].notna()]
    orders = lines.groupby("customer_id")["order_id"].nunique().sort_values(ascending=False).head(limit)
    return [(str(c), int(n)) for c, n in orders.items()]


def purchase_history(tenant_id: str, customer_id: str, limit: int = 15) -> tuple[list[dict[str, Any]], int]:
    """The customer's latest order lines with product names (and how many lines they have in all)."""
    lines = summaries.order_lines(tenant_id)
    mine = lines[lines["customer_id"] == customer_id].sort_values("ordered_at", ascending=False)
    names = product_names(tenant_id)
    rows = [
        {"day": r.ordered_at.date().isoformat(), "product_id": str(r.product_id),
         "name": names.get(str(r.product_id), str(r.product_id)), "category": r.category or "—",
         "quantity": float(r.quantity), "revenue": float(r.revenue)}
        for r in mine.head(limit).itertuples()
    ]  # fmt: skip
    return rows, len(mine)


def _by_product(tenant_id: str, column: str, missing: str | None) -> dict[str, str]:
    frame = summaries.products(tenant_id)
    pairs = zip(frame["product_id"].astype(str), frame[column], strict=True)
    return {k: (str(v) if isinstance(v, str) and v else (missing or k)) for k, v in pairs}


def product_names(tenant_id: str) -> dict[str, str]:
    return _by_product(tenant_id, "name", None)


def product_categories(tenant_id: str) -> dict[str, str]:
    return _by_product(tenant_id, "category", "—")
