"""The sales analysis of one period: KPIs against the previous period and last year, movers, anomalies,
concentration, customers and outlook, and the ranked insights that say what they mean.

Pure pandas on the order-lines frame (``tendero.kinds.Frames`` columns) plus what deployed models
answered (``inputs``); no HTTP, no SQL. Everything returned is JSON-ready.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from tendero.catalogue.refusals import refusal_text
from tendero.insights.analysis.anomalies import find_anomalies
from tendero.insights.analysis.concentration import concentration
from tendero.insights.analysis.inputs import CustomerInput, ForecastInput
from tendero.insights.analysis.kpis import compare, first_orders, period_kpis, prepare_lines
from tendero.insights.analysis.movers import contributions, explained_share, top_movers
from tendero.insights.analysis.narrative import write_insights
from tendero.insights.analysis.outlook import outlook, restock
from tendero.insights.analysis.period import Period, PeriodError

HIGH_CHURN = 0.7
LIKELY = 0.5


class NoData(ValueError):
    """The shop has no order lines at all (nothing to analyse yet)."""


@dataclass
class AnalysisSettings:
    currency: str = "EUR"
    top: int = 10
    names: dict[str, str] = field(default_factory=dict)  # product id -> name, for sentences
    categories: dict[str, str] = field(default_factory=dict)  # product id -> category, beside each product listed
    # items left out of the product lists (postage, fees...: the tenant's non-product rule); totals keep them
    exclude_items: frozenset[str] = frozenset()


def analyze(
    order_lines: pd.DataFrame,
    period: Period,
    compare_to: Period | None = None,
    *,
    forecasts: list[ForecastInput] | None = None,
    customers: CustomerInput | None = None,
    settings: AnalysisSettings | None = None,
) -> dict[str, Any]:
    """The whole analysis of ``period`` (against ``compare_to``, default the previous period of its shape)."""
    settings = settings or AnalysisSettings()
    forecasts = forecasts or []
    if order_lines.empty:
        raise NoData(refusal_text("insights.no_order_lines"))
    lines, cancelled = prepare_lines(order_lines)
    if lines.empty:
        raise NoData(refusal_text("insights.all_cancelled"))
    data_start, data_end = lines["day"].min().date(), lines["day"].max().date()
    covered = period.clip(data_start, data_end)
    if covered is None or not period.mask(lines["ordered_at"]).any():
        text = refusal_text("insights.no_sales_in_period", start=period.start, end=period.end, first=data_start,
                            last=data_end)  # fmt: skip
        raise PeriodError(text, "period")
    partial = covered != period
    previous_full = compare_to or period.previous()
    last_year_full = period.last_year()
    current = covered
    previous = _same_days(previous_full, period, covered)
    last_year = _same_days(last_year_full, period, covered)
    first = first_orders(lines)
    kpi_now = period_kpis(lines, current, first)
    kpi_before = period_kpis(lines, previous, first) if _has_data(previous, data_start, data_end) else None
    kpi_last_year = period_kpis(lines, last_year, first) if _has_data(last_year, data_start, data_end) else None
    kpis = compare(kpi_now, kpi_before, kpi_last_year, settings.currency)

    names = settings.names
    # product lists and product counts are about goods: the tenant's non-products (postage, fees...) are left out
    # of them, while the totals above keep every line
    goods = lines[~lines["product_id"].isin(settings.exclude_items)] if settings.exclude_items else lines
    products = contributions(goods, current, previous, "product_id")
    categorised = lines[lines["category"].notna()] if "category" in lines else lines.iloc[0:0]
    categories = contributions(categorised, current, previous, "category") if len(categorised) else None
    category_note = None if categories is not None and len(categories) else "no_categories"
    movers = {
        "total_change": kpis["revenue"]["change"],
        "basis": "revenue",
        "products": top_movers(products, "product_id", settings.top, names),
        "products_explain": explained_share(products, settings.top),
        "categories": top_movers(categories, "category", settings.top) if categories is not None else [],
        "categories_explain": explained_share(categories, settings.top) if categories is not None else None,
        "note": category_note,
    }
    for row in movers["products"]:
        row["category"] = settings.categories.get(row["id"])
    total_forecast = next((f for f in forecasts if f.level == "total" and f.freq in ("D", "W")), None)
    anomalies = find_anomalies(lines, current, data_start, total_forecast, settings.top, settings.exclude_items)
    for item in anomalies["items"]:
        for product in item["top_products"]:
            product["name"] = names.get(product["id"]) or product["id"]
    concentrated = {
        "products": _named(concentration(goods, current, "product_id"), names),
        "customers": concentration(lines, current, "customer_id"),
    }
    customer_section = _customers(customers, kpi_now)
    next_outlook = outlook(lines, current, period.next(), forecasts)
    next_restock = restock(goods, current, period.next(), forecasts, settings.top)
    if next_restock is not None:
        for item in next_restock["items"]:
            item["name"] = names.get(item["id"]) or item["id"]
    returns_by_product = (
        goods[current.mask(goods["ordered_at"]) & ~goods["sold"]].groupby("product_id")["revenue"].sum().sort_values()
    )
    analysis: dict[str, Any] = {
        "period": {
            **period.as_dict(),
            "label": {"es": period.label("es"), "en": period.label("en")},
            "partial": partial,
            "covered": covered.as_dict(),
        },
        "compare_to": _describe(previous_full, previous, data_start, data_end),
        "last_year": _describe(last_year_full, last_year, data_start, data_end),
        "data": {
            "first_day": data_start.isoformat(),
            "last_day": data_end.isoformat(),
            "cancelled_lines_left_out": cancelled,
        },
        "currency": settings.currency,
        "kpis": kpis,
        "movers": movers,
        "anomalies": anomalies,
        "concentration": concentrated,
        "customers": customer_section,
        "outlook": {
            "total": next_outlook,
            "restock": next_restock,
            "note": None if forecasts else "no_forecast_deployed",
        },
        "returns": {
            "lines": kpi_now["return_lines"],
            "value": kpi_now["returns_value"],
            "top_products": [
                {"id": str(i), "name": names.get(str(i)) or str(i), "value": float(-v)}
                for i, v in returns_by_product.head(3).items()
            ],
        },
        "sources": _sources(forecasts, customers, current, previous, last_year),
    }
    analysis["insights"] = write_insights(analysis)
    return analysis


def _same_days(reference: Period, period: Period, covered: Period) -> Period:
    """The days of ``reference`` that match the covered part of a partial ``period`` (all of it otherwise)."""
    if covered == period:
        return reference
    start = reference.start + (covered.start - period.start)
    end = min(reference.start + (covered.end - period.start), reference.end)
    return Period(start, max(start, end))


def _has_data(period: Period, first: date, last: date) -> bool:
    return period.end >= first and period.start <= last


def _describe(full: Period, used: Period, first: date, last: date) -> dict[str, Any]:
    return {
        **full.as_dict(),
        "label": {"es": full.label("es"), "en": full.label("en")},
        "used": used.as_dict(),
        "available": _has_data(used, first, last),
        "partial_data": used.start < first,
    }


def _named(section: dict[str, Any] | None, names: dict[str, str]) -> dict[str, Any] | None:
    if section is not None:
        section["largest"]["name"] = names.get(section["largest"]["id"]) or section["largest"]["id"]
    return section


def _customers(model: CustomerInput | None, kpi_now: dict[str, float]) -> dict[str, Any] | None:
    """Value at risk and likely buyers, from the customer model's own scores."""
    if model is None:
        return None
    members = model.members
    at_risk = members.sort_values("value_at_risk", ascending=False)
    high = members[members["churn_probability"] >= HIGH_CHURN]
    likely = model.buyers[model.buyers["p_purchase"] >= LIKELY].sort_values("p_purchase", ascending=False)
    ticket = kpi_now["average_ticket"]
    purchases = float(likely["expected_purchases"].sum())
    return {
        "model": model.name,
        "model_version": model.version,
        "as_of": model.as_of.isoformat() if model.as_of else None,
        "customers": len(members),
        "value_at_risk": float(members["value_at_risk"].sum()),
        "high_risk": len(high),
        "high_risk_value": float(high["value_at_risk"].sum()),
        "top_at_risk": [
            {
                "id": str(r.customer_id),
                "value_at_risk": float(r.value_at_risk),
                "churn_probability": float(r.churn_probability),
            }
            for r in at_risk.head(5).itertuples()
        ],
        "likely_buyers": {
            "days": model.days,
            "count": len(likely),
            "expected_purchases": purchases,
            "expected_revenue": purchases * ticket if pd.notna(ticket) else None,
            "top": [{"id": str(r.customer_id), "p_purchase": float(r.p_purchase)} for r in likely.head(5).itertuples()],
        },
    }


def _sources(forecasts: list[ForecastInput], customers: CustomerInput | None, *periods: Period) -> list[dict[str, Any]]:
    """Where every number came from: the order-lines query per period, and each model with its version."""
    out: list[dict[str, Any]] = [{"kind": "query", "name": "order_lines", "period": p.as_dict()} for p in periods]
    out += [
        {"kind": "model", "name": f.name, "version": f.version, "level": f.level, "freq": f.freq, "measure": f.measure}
        for f in forecasts
    ]
    if customers is not None:
        out.append({"kind": "model", "name": customers.name, "version": customers.version})
    return out
