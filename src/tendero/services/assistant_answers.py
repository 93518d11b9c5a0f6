"""The assistant's answers: one function per intent, each getting its figures from one named source.

Every number in a sentence comes from ``data``, and ``data`` from a query on the tenant's order lines (pandas
over ``tendero.data.frames``), from a deployed model (``tendero.registry.service.deployed_models``), or from the
capability's own service: product search (``services.search``), the sales analysis and product suggestions
(``services.insights``) and prices (``services.pricing``), whose sentences and figures are passed on as they
come. The sentence only formats them; ``sources`` names each query, model or service call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from tendero.insights.assistant import wording as w
from tendero.insights.assistant.examples import closest_examples, help_examples
from tendero.insights.assistant.periods import add_months, month_bounds
from tendero.insights.assistant.schema import Understanding
from tendero.insights.assistant.text import fold
from tendero.kinds import CustomersModel, ForecastModel, RecommenderModel
from tendero.registry.service import Served, deployed_models
from tendero.services import Invalid
from tendero.services import insights as insights_service
from tendero.services import pricing as pricing_service
from tendero.services import search as search_service
from tendero.services.items import excluded_items
from tendero.store.tenants import NotFound

DEFAULT_DAYS = 30
TOP_CUSTOMERS_DAYS = 365
DEFAULT_N = 5
INSIGHTS_SHOWN = 3
PRICE_INTERVAL_LEVEL = 0.95  # the pricing model states 95 % intervals (tendero.pricing.optimize)
FORECAST_LEVEL = 80
CANCELLED = frozenset({"cancelled", "canceled", "void", "voided", "refunded", "anulado", "anulada", "cancelado"})


@dataclass
class TenantData:
    """A tenant's sales lines (cancelled orders removed; returns kept, negative) and product names, read once and
    shared by the questions of the next minute."""

    lines: pd.DataFrame
    products: pd.DataFrame
    names: dict[str, str]
    first_day: date | None
    last_day: date | None
    rules_recommender: Any = None
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Context:
    tenant_id: str
    data: TenantData
    today: date
    lang: str
    store: bool = False  # the answer is kept (a conversation): analyses it runs are stored too, with a report
    currency: str = "EUR"  # the tenant's (its settings): every amount of an answer is in it


@dataclass
class Answer:
    """A sentence, the numbers in it, where they came from, whether the question was answered, and the slots the
    answer used (the question's, with the defaults the answer chose)."""

    text: str
    data: dict[str, Any]
    sources: list[dict[str, Any]]
    status: str = "answered"  # answered, unavailable, not_found, need_more, unknown
    slots: dict[str, Any] = field(default_factory=dict)


# --- where the figures come from (one function per source: re-point here) ---


def sales_lines(ctx: Context) -> pd.DataFrame:
    """The tenant's order lines for sales figures (``tendero.data.frames`` via the tenant cache)."""
    return ctx.data.lines


def goods_lines(ctx: Context, lines: pd.DataFrame) -> pd.DataFrame:
    """``lines`` without the tenant's non-products (postage, fees...: its rule, as recommendations apply it): a
    ranking of products names goods, while sales totals keep every line."""
    left_out = excluded_items(ctx.tenant_id)
    return lines[~lines["product_id"].isin(left_out)] if left_out else lines


SURFACES: dict[str, type[Any]] = {"customers": CustomersModel, "recommender": RecommenderModel,
                                  "forecast": ForecastModel}  # fmt: skip


def deployed(tenant_id: str, name: str, kind: str) -> Served[Any]:
    """A deployed model answering as ``kind`` does, from the registry's served-model cache (NotFound, as
    WrongSurface, when the name is another kind's: a question never reaches inside the wrong model)."""
    return deployed_models.get(tenant_id, name, SURFACES[kind])


def models_of_kind(tenant_id: str, kind: str) -> list[dict[str, Any]]:
    """The tenant's models of one kind with their deployed version's parameters, metrics and flags."""
    from tendero.store import registry as registry_rows
    from tendero.store.db import session_scope

    out = []
    with session_scope() as session:
        rows, _ = registry_rows.list_models(session, tenant_id, kind=kind, limit=500)
        for model in rows:
            version = registry_rows.deployed_version(session, tenant_id, model.name)
            if version is None:
                continue
            out.append(
                {
                    "name": model.name,
                    "kind": model.kind,
                    "version": version.version,
                    "params": dict(version.params or {}),
                    "metrics": dict(version.metrics or {}),
                    "trained": (version.created_at.date().isoformat() if version.created_at else None),
                    "flags": dict(model.flags or {}),
                }
            )
    return out


def customer_model(tenant_id: str) -> Served | None:
    """The deployed customer model (named ``customers`` by convention, else the first of that kind)."""
    for name in ["customers", *(m["name"] for m in models_of_kind(tenant_id, "customers"))]:
        try:
            served = deployed(tenant_id, name, "customers")
        except NotFound:
            continue
        if served.kind == "customers":
            return served
    return None


def recommender(ctx: Context) -> tuple[Any, dict[str, Any]]:
    """The deployed recommender, or the rules recommender built from the tenant's data (as the API does)."""
    try:
        served = deployed(ctx.tenant_id, "recommender", "recommender")
        return served.fitted, {"path": "model", "model": served.model, "version": served.version}
    except NotFound:
        pass
    with ctx.data.lock:
        if ctx.data.rules_recommender is None:
            from tendero.data.frames import READERS
            from tendero.recommend.recommender import Recommender

            ctx.data.rules_recommender = Recommender.rules_only(
                READERS["interactions"](ctx.tenant_id), ctx.data.lines, ctx.data.products
            )
    return ctx.data.rules_recommender, {"path": "rules", "model": None, "version": None}


# --- shared pieces ---


def _period(u: Understanding, ctx: Context, days: int = DEFAULT_DAYS) -> tuple[date, date, bool]:
    """The question's period, or the last ``days`` days up to yesterday (or the data's last day when it ends
    earlier); the flag says the default was used."""
    if u.slots.period is not None:
        return u.slots.period.start, u.slots.period.end, False
    end = ctx.today - timedelta(days=1)
    if ctx.data.last_day is not None and ctx.data.last_day < end:
        end = ctx.data.last_day
    return end - timedelta(days=days - 1), end, True


def _product_ids(ctx: Context, product: str) -> list[str]:
    """A product id as given, or every product whose name starts with a family's words."""
    if product in ctx.data.names:
        return [product]
    prefix = fold(product)
    return [pid for pid, name in ctx.data.names.items() if fold(name).startswith(prefix)]


def _select(
    ctx: Context,
    start: date,
    end: date,
    category: str | None = None,
    product: str | None = None,
    customer: str | None = None,
) -> pd.DataFrame:
    lines = sales_lines(ctx)
    day = lines["day"]
    chosen = lines[(day >= pd.Timestamp(start)) & (day <= pd.Timestamp(end))]
    if category is not None:
        chosen = chosen[chosen["category"] == category]
    if product is not None:
        chosen = chosen[chosen["product_id"].isin(_product_ids(ctx, product))]
    if customer is not None:
        chosen = chosen[chosen["customer_id"] == customer]
    return chosen


def measures(lines: pd.DataFrame) -> dict[str, float]:
    """Revenue, units, orders, customers and average ticket of a set of sales lines."""
    revenue = float(lines["revenue"].sum())
    orders = int(lines["order_id"].nunique())
    return {
        "revenue": round(revenue, 2),
        "units": float(lines["quantity"].sum()),
        "orders": orders,
        "customers": int(lines["customer_id"].dropna().nunique()),
        "average_ticket": round(revenue / orders, 2) if orders else 0.0,
    }


def _sales_source(start: date, end: date, what: str, filters: dict[str, Any], rows: int) -> dict[str, Any]:
    where = ", ".join(f"{k} = {v}" for k, v in filters.items() if v is not None)
    return {
        "service": "sales",
        "query": f"{what} of order lines not cancelled, {start}..{end}" + (f", {where}" if where else ""),
        "rows": rows,
    }


def _filters_text(ctx: Context, category: str | None, product: str | None, customer: str | None) -> str:
    text = ""
    if category:
        text += w.say("filter_category", ctx.lang, category=category)
    if product:
        text += w.say("filter_product", ctx.lang, product=_product_label(ctx, product))
    if customer:
        text += w.say("filter_customer", ctx.lang, customer=customer)
    return text


def _product_label(ctx: Context, product: str) -> str:
    if product in ctx.data.names:
        return f"{ctx.data.names[product]} ({product})"
    return product


def _no_sales(ctx: Context, start: date, end: date, filters: str, slots: dict[str, Any]) -> Answer:
    if ctx.data.first_day is None:
        return Answer(w.say("no_data", ctx.lang), {}, [], "unavailable", slots)
    text = w.say(
        "no_sales",
        ctx.lang,
        filters=filters,
        period=w.period_text(start, end, ctx.lang),
        first=ctx.data.first_day.isoformat(),
        last=ctx.data.last_day.isoformat() if ctx.data.last_day else "",
    )
    data = {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "value": 0,
        "data_from": ctx.data.first_day.isoformat(),
        "data_to": ctx.data.last_day.isoformat() if ctx.data.last_day else None,
    }
    return Answer(text, data, [_sales_source(start, end, "count", {}, 0)], "answered", slots)


def _slots(u: Understanding, **defaults: Any) -> dict[str, Any]:
    slots = u.slots.as_json()
    for key, value in defaults.items():
        if value is not None:
            slots.setdefault(key, value)
    return slots


def _default_note(ctx: Context, used_default: bool, start: date, end: date) -> str:
    return w.say("default_period", ctx.lang, period=w.period_text(start, end, ctx.lang)) if used_default else ""


# --- sales (pandas over the order lines) ---


def sales_total(ctx: Context, u: Understanding) -> Answer:
    s = u.slots
    measure = s.measure or "revenue"
    start, end, default = _period(u, ctx)
    slots = _slots(u, measure=measure, period={"start": start.isoformat(), "end": end.isoformat()})
    lines = _select(ctx, start, end, s.category, s.product, s.customer)
    filters = _filters_text(ctx, s.category, s.product, s.customer)
    if lines.empty:
        return _no_sales(ctx, start, end, filters, slots)
    figures = measures(lines)
    value = w.measure_value(measure, figures[measure], ctx.currency, ctx.lang)
    text = w.say(
        "sales_total",
        ctx.lang,
        measure_name=w.capitalised(w.MEASURE_NAMES[measure][ctx.lang]),
        filters=filters,
        period=w.period_text(start, end, ctx.lang),
        value=value,
    )
    if measure in ("revenue", "units"):
        orders = w.count(figures["orders"], "orders", ctx.lang)
        text = (
            text[:-1] + w.say("sales_total_orders", ctx.lang, orders=orders, lines=w.number(len(lines), ctx.lang)) + "."
        )
    text += _default_note(ctx, default, start, end)
    data = {
        "measure": measure,
        "value": figures[measure],
        **figures,
        "lines": len(lines),
        "currency": ctx.currency,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
    }
    filt = {"category": s.category, "product": s.product, "customer": s.customer}
    return Answer(text, data, [_sales_source(start, end, f"{measure} and counts", filt, len(lines))], slots=slots)


def sales_compare(ctx: Context, u: Understanding) -> Answer:
    s = u.slots
    measure = s.measure or "revenue"
    start, end, default = _period(u, ctx)
    if s.compare_to is not None:
        other_start, other_end = s.compare_to.start, s.compare_to.end
    else:
        length = (end - start).days + 1
        other_start, other_end = start - timedelta(days=length), start - timedelta(days=1)
    slots = _slots(
        u,
        measure=measure,
        period={"start": start.isoformat(), "end": end.isoformat()},
        compare_to={"start": other_start.isoformat(), "end": other_end.isoformat()},
    )
    current = _select(ctx, start, end, s.category, s.product, s.customer)
    previous = _select(ctx, other_start, other_end, s.category, s.product, s.customer)
    a = measures(current)[measure] if len(current) else 0.0
    b = measures(previous)[measure] if len(previous) else 0.0
    change = round(a - b, 2)
    pct = round((a - b) / b, 4) if b else None
    filters = _filters_text(ctx, s.category, s.product, s.customer)
    values = {
        "measure_name": w.capitalised(w.MEASURE_NAMES[measure][ctx.lang]),
        "filters": filters,
        "period": w.period_text(start, end, ctx.lang),
        "value": w.measure_value(measure, a, ctx.currency, ctx.lang),
        "other": w.measure_value(measure, b, ctx.currency, ctx.lang),
        "compare": w.period_text(other_start, other_end, ctx.lang),
    }
    if pct is None:
        text = w.say("sales_compare_no_base", ctx.lang, **values)
    else:
        text = w.say(
            "sales_compare",
            ctx.lang,
            **values,
            change=w.signed_measure(measure, change, ctx.currency, ctx.lang),
            pct=w.percent(pct, ctx.lang, signed=True),
        )
    text += _default_note(ctx, default, start, end)
    data = {
        "measure": measure,
        "value": a,
        "compare_value": b,
        "change": change,
        "change_pct": None if pct is None else round(pct * 100, 1),
        "currency": ctx.currency,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "compare_to": {"start": other_start.isoformat(), "end": other_end.isoformat()},
    }
    filt = {"category": s.category, "product": s.product, "customer": s.customer}
    sources = [
        _sales_source(start, end, measure, filt, len(current)),
        _sales_source(other_start, other_end, measure, filt, len(previous)),
    ]
    return Answer(text, data, sources, slots=slots)


def _grain(start: date, end: date) -> str:
    days = (end - start).days + 1
    return "day" if days <= 31 else "week" if days <= 182 else "month"


def sales_trend(ctx: Context, u: Understanding) -> Answer:
    s = u.slots
    measure = s.measure or "revenue"
    start, end, default = (*_period(u, ctx, days=90)[:2], u.slots.period is None)
    slots = _slots(u, measure=measure, period={"start": start.isoformat(), "end": end.isoformat()})
    lines = _select(ctx, start, end, s.category, s.product, s.customer)
    filters = _filters_text(ctx, s.category, s.product, s.customer)
    if lines.empty:
        return _no_sales(ctx, start, end, filters, slots)
    grain = _grain(start, end)
    bucket = {
        "day": lines["day"],
        "week": lines["day"] - pd.to_timedelta(lines["day"].dt.weekday, unit="D"),
        "month": lines["day"].dt.to_period("M").dt.to_timestamp(),
    }[grain]
    grid_start = {
        "day": pd.Timestamp(start),
        "week": pd.Timestamp(start - timedelta(days=start.weekday())),
        "month": pd.Timestamp(start.replace(day=1)),
    }[grain]
    grid = pd.date_range(grid_start, pd.Timestamp(end), freq={"day": "D", "week": "W-MON", "month": "MS"}[grain])
    series = []
    for at in grid:
        part = lines[bucket == at]
        series.append({"start": at.date().isoformat(), "value": measures(part)[measure] if len(part) else 0.0})
    values = np.array([p["value"] for p in series], dtype=float)
    slope_fraction = 0.0
    if len(values) >= 2 and values.mean() != 0:
        slope_fraction = float(np.polyfit(np.arange(len(values)), values, 1)[0] / abs(values.mean()))
    slope_pct = round(slope_fraction * 100, 1)
    peak, low = int(values.argmax()), int(values.argmin())

    def fmt(v: float) -> str:
        return w.measure_value(measure, v, ctx.currency, ctx.lang)

    grain_word = w.say(f"grain.{grain}", ctx.lang)
    text = w.say(
        "sales_trend",
        ctx.lang,
        measure_name=w.capitalised(w.MEASURE_NAMES[measure][ctx.lang]),
        filters=filters,
        grain=grain_word,
        grain_one=grain_word,
        period=w.period_text(start, end, ctx.lang),
        first=fmt(values[0]),
        last=fmt(values[-1]),
        peak=fmt(values[peak]),
        peak_at=series[peak]["start"],
        low=fmt(values[low]),
        low_at=series[low]["start"],
        slope=w.percent(slope_pct / 100, ctx.lang, signed=True),  # the figure of data, rounded once
    )
    text += _default_note(ctx, default, start, end)
    data = {
        "measure": measure,
        "grain": grain,
        "series": series,
        "slope_pct": slope_pct,
        "first": series[0],
        "last": series[-1],
        "peak": series[peak],
        "low": series[low],
        "currency": ctx.currency,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
    }
    filt = {"category": s.category, "product": s.product, "customer": s.customer}
    return Answer(text, data, [_sales_source(start, end, f"{measure} per {grain}", filt, len(lines))], slots=slots)


def _values_by(lines: pd.DataFrame, key: str, measure: str) -> pd.Series:
    grouped = lines.groupby(key)
    if measure == "revenue":
        return grouped["revenue"].sum().round(2)
    if measure == "units":
        return grouped["quantity"].sum()
    if measure == "orders":
        return grouped["order_id"].nunique()
    if measure == "customers":
        return grouped["customer_id"].nunique()
    revenue, orders = grouped["revenue"].sum(), grouped["order_id"].nunique()
    return (revenue / orders).round(2)


def _ranked(values: pd.Series, direction: str, n: int) -> pd.Series:
    frame = values.rename("value").reset_index()
    key = frame.columns[0]
    frame[key] = frame[key].astype(str)
    frame = frame.sort_values(["value", key], ascending=[direction == "bottom", True])
    return frame.head(n).set_index(key)["value"]


@dataclass
class Ranking:
    """A "top N by a measure" answer: the ranked values, how each row of its table and its sentence read, and
    what its wording, data and source add."""

    values: pd.Series  # one value per key (a product, a category, a customer)
    row: Callable[[int, str, float], dict[str, Any]]  # rank, key, value -> the table's row
    label: Callable[[dict[str, Any]], str]  # a row -> what the sentence names ("Café (P1)")
    template: str  # the wording's key
    words: dict[str, str]  # the wording's other fields (direction word, filters); ``count`` is the rows shown
    source: dict[str, Any]
    suffix: Callable[[dict[str, Any]], str] = lambda row: ""  # after the value ("(12,5 %)")
    extra: Callable[[list[dict[str, Any]]], dict[str, Any]] = lambda items: {}  # data beside the items


def _ranking_answer(ctx: Context, u: Understanding, ranking: Ranking, period: tuple[date, date, bool],
                    slots: dict[str, Any]) -> Answer:  # fmt: skip
    """The one shape of the ranking answers: rank the values, list them in the sentence and the table."""
    s = u.slots
    measure, direction = s.measure or "revenue", s.direction or "top"
    start, end, default = period
    n = slots["n"]
    ranked = _ranked(ranking.values, direction, n)
    items = [ranking.row(rank, key, float(value)) for rank, (key, value) in enumerate(ranked.items(), start=1)]
    shown = [
        f"{i + 1}. {ranking.label(it)}: {w.measure_value(measure, it['value'], ctx.currency, ctx.lang)}"
        + ranking.suffix(it)
        for i, it in enumerate(items)
    ]
    text = w.say(
        ranking.template,
        ctx.lang,
        count=w.number(len(items), ctx.lang),
        measure_name=w.MEASURE_NAMES[measure][ctx.lang],
        period=w.period_text(start, end, ctx.lang),
        items=w.listing(shown, ctx.lang),
        **ranking.words,
    )
    text += _default_note(ctx, default, start, end)
    data = {
        "measure": measure,
        "direction": direction,
        "items": items,
        **ranking.extra(items),
        "currency": ctx.currency,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
    }
    return Answer(text, data, [ranking.source], slots=slots)


def top_products(ctx: Context, u: Understanding) -> Answer:
    s = u.slots
    measure, direction, n = s.measure or "revenue", s.direction or "top", s.n or DEFAULT_N
    start, end, default = _period(u, ctx)
    slots = _slots(
        u, measure=measure, direction=direction, n=n, period={"start": start.isoformat(), "end": end.isoformat()}
    )
    lines = goods_lines(ctx, _select(ctx, start, end, s.category))
    filters = _filters_text(ctx, s.category, None, None)
    if lines.empty:
        return _no_sales(ctx, start, end, filters, slots)
    ranking = Ranking(
        values=_values_by(lines, "product_id", measure),
        row=lambda rank, pid, value: {
            "rank": rank,
            "product_id": pid,
            "name": ctx.data.names.get(pid, pid),
            "value": value,
        },
        label=lambda it: f"{it['name']} ({it['product_id']})",
        template="top_products",
        words={"direction_word": w.say(f"direction.{direction}", ctx.lang), "filters": filters},
        extra=lambda items: {"count": len(items)},
        source=_sales_source(start, end, f"{measure} per product", {"category": s.category}, len(lines)),
    )
    return _ranking_answer(ctx, u, ranking, (start, end, default), slots)


def top_categories(ctx: Context, u: Understanding) -> Answer:
    s = u.slots
    measure, direction = s.measure or "revenue", s.direction or "top"
    start, end, default = _period(u, ctx)
    lines = _select(ctx, start, end)
    n = s.n or int(lines["category"].nunique()) or DEFAULT_N
    slots = _slots(
        u, measure=measure, direction=direction, n=n, period={"start": start.isoformat(), "end": end.isoformat()}
    )
    if lines.empty:
        return _no_sales(ctx, start, end, "", slots)
    values = _values_by(lines.assign(category=lines["category"].fillna("—")), "category", measure)
    total = float(values.sum()) if measure in ("revenue", "units") else None

    def row(rank: int, category: str, value: float) -> dict[str, Any]:
        share = round(value / total, 4) if total else None
        return {"rank": rank, "category": category, "value": value,
                "share_pct": None if share is None else round(share * 100, 1)}  # fmt: skip

    ranking = Ranking(
        values=values,
        row=row,
        label=lambda it: str(it["category"]),
        suffix=lambda it: f" ({w.percent(it['share_pct'] / 100, ctx.lang)})" if it["share_pct"] is not None else "",
        template="top_categories",
        words={"direction_word": w.say(f"direction.{direction}_short", ctx.lang)},
        extra=lambda items: {"total": total},
        source=_sales_source(start, end, f"{measure} per category", {}, len(lines)),
    )
    return _ranking_answer(ctx, u, ranking, (start, end, default), slots)


def average_ticket(ctx: Context, u: Understanding) -> Answer:
    s = u.slots
    start, end, default = _period(u, ctx)
    slots = _slots(u, period={"start": start.isoformat(), "end": end.isoformat()})
    lines = _select(ctx, start, end, s.category)
    filters = _filters_text(ctx, s.category, None, None)
    if lines.empty:
        return _no_sales(ctx, start, end, filters, slots)
    figures = measures(lines)
    text = w.say(
        "average_ticket",
        ctx.lang,
        filters=filters,
        period=w.period_text(start, end, ctx.lang),
        value=w.money(figures["average_ticket"], ctx.currency, ctx.lang),
        revenue=w.money(figures["revenue"], ctx.currency, ctx.lang),
        orders=w.count(figures["orders"], "orders", ctx.lang),
    )
    data: dict[str, Any] = {
        "value": figures["average_ticket"],
        "revenue": figures["revenue"],
        "orders": figures["orders"],
        "currency": ctx.currency,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
    }
    sources = [_sales_source(start, end, "revenue / orders", {"category": s.category}, len(lines))]
    if s.compare_to is not None:
        other = _select(ctx, s.compare_to.start, s.compare_to.end, s.category)
        b = measures(other)["average_ticket"] if len(other) else 0.0
        change = round(figures["average_ticket"] - b, 2)
        pct = round(change / b, 4) if b else 0.0
        text = text + w.say(
            "average_ticket_compare",
            ctx.lang,
            other=w.money(b, ctx.currency, ctx.lang),
            compare=w.period_text(s.compare_to.start, s.compare_to.end, ctx.lang),
            change=w.signed_measure("average_ticket", change, ctx.currency, ctx.lang),
            pct=w.percent(pct, ctx.lang, signed=True),
        )
        data.update(compare_value=b, change=change, change_pct=round(pct * 100, 1), compare_to=s.compare_to.as_json())
        sources.append(
            _sales_source(
                s.compare_to.start, s.compare_to.end, "revenue / orders", {"category": s.category}, len(other)
            )
        )
    text += _default_note(ctx, default, start, end)
    return Answer(text, data, sources, slots=slots)


def top_customers(ctx: Context, u: Understanding) -> Answer:
    s = u.slots
    measure, direction, n = s.measure or "revenue", s.direction or "top", s.n or 10
    start, end, default = _period(u, ctx, days=TOP_CUSTOMERS_DAYS)
    slots = _slots(
        u, measure=measure, direction=direction, n=n, period={"start": start.isoformat(), "end": end.isoformat()}
    )
    lines = _select(ctx, start, end, s.category)
    lines = lines[lines["customer_id"].notna()]
    filters = _filters_text(ctx, s.category, None, None)
    if lines.empty:
        return _no_sales(ctx, start, end, filters, slots)
    ranking = Ranking(
        values=_values_by(lines, "customer_id", measure),
        row=lambda rank, cid, value: {"rank": rank, "customer_id": cid, "value": value},
        label=lambda it: str(it["customer_id"]),
        template="top_customers",
        words={"direction_word": w.say(f"direction.{direction}", ctx.lang), "filters": filters},
        source=_sales_source(start, end, f"{measure} per customer", {"category": s.category}, len(lines)),
    )
    return _ranking_answer(ctx, u, ranking, (start, end, default), slots)


# --- forecasts (deployed forecast models) ---


def _forecast_window(u: Understanding, today: date) -> tuple[date, date]:
    """The days asked about: the period when given, else the horizon in calendar units after today (next n days
    from tomorrow; next n Monday-Sunday weeks; next n calendar months); default the next 30 days."""
    if u.slots.period is not None:
        return u.slots.period.start, u.slots.period.end
    horizon = u.slots.horizon
    if horizon is None or horizon.unit == "day":
        n = horizon.n if horizon else DEFAULT_DAYS
        return today + timedelta(days=1), today + timedelta(days=n)
    if horizon.unit == "week":
        monday = today + timedelta(days=7 - today.weekday())
        return monday, monday + timedelta(days=7 * horizon.n - 1)
    first = add_months(today.replace(day=1), 1)
    last = add_months(first, horizon.n - 1)
    return first, month_bounds(last.year, last.month)[1]


_FREQ_DAYS = {"D": 1, "W": 7}


def _buckets(freq: str, ds: pd.Series) -> pd.DataFrame:
    starts = pd.to_datetime(ds)
    month_end = starts + pd.offsets.MonthEnd(0)
    ends = month_end if freq == "M" else starts + pd.to_timedelta(_FREQ_DAYS.get(freq, 1) - 1, unit="D")
    return pd.DataFrame({"start": starts.dt.date, "end": ends.dt.date})


def _forecast_models(ctx: Context, level: str) -> list[dict[str, Any]]:
    models = [m for m in models_of_kind(ctx.tenant_id, "forecast") if m["params"].get("level") == level]
    order = {"M": 0, "W": 1, "D": 2}
    return sorted(models, key=lambda m: (order.get(str(m["params"].get("freq")), 3), m["name"]))


def _forecast_answer(
    ctx: Context, u: Understanding, level: str, ids: list[str], what: str, slots: dict[str, Any]
) -> Answer:
    start, end = _forecast_window(u, ctx.today)
    slots.setdefault("period", {"start": start.isoformat(), "end": end.isoformat()})
    candidates = _forecast_models(ctx, level)
    if level != "total":
        candidates = candidates or []
    else:  # any level's model carries the coherent total
        candidates = candidates + [m for m in _forecast_models(ctx, "category") + _forecast_models(ctx, "product")]
    if not candidates:
        freq = "W" if level == "product" else "M"
        text = w.say("no_forecast_model", ctx.lang, what=w.say(f"level.{level}", ctx.lang), level=level, freq=freq)
        return Answer(
            text,
            {},
            [{"service": "registry", "query": f"deployed forecast models at level {level}"}],
            "unavailable",
            slots,
        )
    outside: tuple[dict[str, Any], date, date] | None = None
    for model in candidates:
        served = deployed(ctx.tenant_id, model["name"], "forecast")
        fitted: Any = served.fitted
        freq = str(fitted.meta["freq"])
        table = fitted.forecast(ids=ids, levels=[FORECAST_LEVEL])
        if table.empty:
            continue
        spans = _buckets(freq, table["ds"])
        days = (pd.to_datetime(spans["end"]) - pd.to_datetime(spans["start"])).dt.days + 1
        overlap_start = pd.to_datetime(spans["start"]).clip(lower=pd.Timestamp(start))
        overlap_end = pd.to_datetime(spans["end"]).clip(upper=pd.Timestamp(end))
        share = ((overlap_end - overlap_start).dt.days + 1).clip(lower=0) / days
        first, last = spans["start"].min(), spans["end"].max()
        if not (share > 0).any() or start < first or end > last:
            outside = outside or (model, first, last)
            continue
        keep = (share > 0).to_numpy()
        chosen, weights = table[keep], share[keep].to_numpy()
        prorated = bool((weights < 1).any())  # a step only partly inside the window counts by its share of days
        covered_start, covered_end = start, end
        # a sum over days adds the expected units (``mean``), not each day's median count
        expected = chosen["mean"] if "mean" in chosen.columns else chosen["yhat"]
        value = round(float((expected.to_numpy() * weights).sum()), 2)
        low = round(float((chosen[f"lo-{FORECAST_LEVEL}"].to_numpy() * weights).sum()), 2)
        high = round(float((chosen[f"hi-{FORECAST_LEVEL}"].to_numpy() * weights).sum()), 2)
        measure = "revenue" if fitted.meta.get("params", {}).get("measure") == "revenue" else "units"

        def fmt(v: float, measure: str = measure) -> str:
            return w.measure_value(measure, v, ctx.currency, ctx.lang)

        note = w.say("forecast_unit_note", ctx.lang) if (u.slots.measure == "revenue" and measure == "units") else ""
        text = w.say(
            "forecast",
            ctx.lang,
            measure_name=w.MEASURE_NAMES[measure][ctx.lang] + note,
            filters=what,
            period=w.period_text(covered_start, covered_end, ctx.lang),
            value=fmt(value),
            level=FORECAST_LEVEL,
            low=fmt(low),
            high=fmt(high),
            model=served.model,
            version=served.version,
        )
        data = {
            "measure": measure,
            "value": value,
            "low": low,
            "high": high,
            "level": FORECAST_LEVEL,
            "steps": len(chosen),
            "freq": freq,
            "currency": ctx.currency,
            "interval": "the step's interval"
            if len(chosen) == 1
            else "sum of the steps' intervals (wider than the interval of the total)",
            "prorated": prorated,
            "period": {"start": covered_start.isoformat(), "end": covered_end.isoformat()},
            "model": {"name": served.model, "version": served.version},
            "series": [
                {
                    "start": r.ds.date().isoformat() if hasattr(r.ds, "date") else str(r.ds),
                    "value": round(float(r.yhat), 2),
                }
                for r in chosen.itertuples()
            ],
        }
        sources = [
            {
                "service": "forecast",
                "model": served.model,
                "version": served.version,
                "query": f"forecast(ids={ids or ['total']}, levels=[{FORECAST_LEVEL}]) steps {covered_start}.."
                f"{covered_end}",
            }
        ]
        return Answer(text, data, sources, slots=slots)
    if outside is not None:
        model, first, last = outside
        text = w.say(
            "forecast_outside",
            ctx.lang,
            model=model["name"],
            version=model["version"],
            first=first.isoformat(),
            last=last.isoformat(),
            period=w.period_text(start, end, ctx.lang),
        )
        data = {
            "forecast_from": first.isoformat(),
            "forecast_to": last.isoformat(),
            "period": {"start": start.isoformat(), "end": end.isoformat()},
            "model": {"name": model["name"], "version": model["version"]},
        }
        return Answer(
            text,
            data,
            [{"service": "forecast", "model": model["name"], "version": model["version"]}],
            "unavailable",
            slots,
        )
    return Answer(w.say("nothing_found", ctx.lang), {}, [], "not_found", slots)


def forecast(ctx: Context, u: Understanding) -> Answer:
    slots = _slots(u)
    if u.slots.category is not None:
        return _forecast_answer(
            ctx, u, "category", [u.slots.category], w.say("filter_category", ctx.lang, category=u.slots.category), slots
        )
    return _forecast_answer(ctx, u, "total", ["total"], "", slots)


def product_demand(ctx: Context, u: Understanding) -> Answer:
    slots = _slots(u)
    if u.slots.product is None:
        return _need_product(ctx, slots)
    ids = _product_ids(ctx, u.slots.product)
    if not ids:
        return Answer(w.say("unknown_product", ctx.lang, product=u.slots.product), {}, [], "not_found", slots)
    return _forecast_answer(
        ctx, u, "product", ids, w.say("filter_product", ctx.lang, product=_product_label(ctx, u.slots.product)), slots
    )


def _need_product(ctx: Context, slots: dict[str, Any]) -> Answer:
    example = next(iter(ctx.data.names), "P0001")
    return Answer(w.say("need_product", ctx.lang, example=example), {"example": example}, [], "need_more", slots)


def _need_customer(ctx: Context, slots: dict[str, Any]) -> Answer:
    ids = sales_lines(ctx)["customer_id"].dropna()
    example = str(ids.iloc[-1]) if len(ids) else "C00001"
    return Answer(w.say("need_customer", ctx.lang, example=example), {"example": example}, [], "need_more", slots)


# --- customers (the deployed customer model) ---


def _no_customer_model(ctx: Context, slots: dict[str, Any]) -> Answer:
    return Answer(
        w.say("no_customer_model", ctx.lang),
        {},
        [{"service": "registry", "query": "deployed customers model"}],
        "unavailable",
        slots,
    )


def _model_source(served: Served, call: str) -> dict[str, Any]:
    return {"service": served.kind, "model": served.model, "version": served.version, "query": call}


def customers_at_risk(ctx: Context, u: Understanding) -> Answer:
    n = u.slots.n or 10
    slots = _slots(u, n=n)
    served = customer_model(ctx.tenant_id)
    if served is None:
        return _no_customer_model(ctx, slots)
    fitted: Any = served.fitted
    rows = fitted.at_risk(0.0, n, ctx.lang)
    if u.slots.segment:
        rows = [r for r in fitted.at_risk(0.0, 10_000, ctx.lang) if r["segment"] == u.slots.segment][:n]
    items = [
        {
            "customer_id": r["customer_id"],
            "value_at_risk": round(float(r["value_at_risk"] or 0), 2),
            "churn_probability": round(float(r["churn_probability"] or 0), 4),
            "segment": r["segment"],
            "reasons": [x["text"] for x in r.get("top_reasons", [])],
        }
        for r in rows
    ]
    shown = [
        w.say(
            "at_risk_item",
            ctx.lang,
            customer=it["customer_id"],
            value=w.money(it["value_at_risk"], ctx.currency, ctx.lang),
            probability=w.percent(it["churn_probability"], ctx.lang),
        )
        for it in items
    ]
    text = w.say("at_risk", ctx.lang, model=served.model, version=served.version, items=w.listing(shown, ctx.lang))
    return Answer(
        text, {"items": items, "currency": ctx.currency}, [_model_source(served, f"at_risk(limit={n})")], slots=slots
    )


def customer_insight(ctx: Context, u: Understanding) -> Answer:
    slots = _slots(u)
    if u.slots.customer is None:
        return _need_customer(ctx, slots)
    served = customer_model(ctx.tenant_id)
    if served is None:
        return _no_customer_model(ctx, slots)
    fitted: Any = served.fitted
    customer = u.slots.customer
    try:
        info = fitted.insights(customer, ctx.lang)
    except KeyError:
        text = w.say("unknown_customer", ctx.lang, customer=customer, as_of=str(pd.Timestamp(fitted.as_of).date()))
        return Answer(text, {"as_of": str(pd.Timestamp(fitted.as_of).date())}, [], "not_found", slots)
    lines = sales_lines(ctx)
    own = lines[lines["customer_id"] == customer]
    figures = measures(own) if len(own) else {"revenue": 0.0, "orders": 0}
    data = {
        "customer_id": customer,
        "segment": info["segment"],
        "segment_name": info["segment_name"],
        "churn_probability": round(float(info["churn_probability"] or 0), 4),
        "clv": round(float(info["clv"] or 0), 2),
        "expected_purchases_90d": round(float(info["expected_purchases_90d"] or 0), 1),
        "expected_days": 90,  # the window the sentence names
        "last_purchase": info["last_purchase"],
        "orders": figures["orders"],
        "spent": figures["revenue"],
        "reasons": [x["text"] for x in info.get("top_reasons", [])],
        "currency": ctx.currency,
    }
    text = w.say(
        "customer_insight",
        ctx.lang,
        customer=customer,
        segment=info["segment_name"],
        orders=w.count(figures["orders"], "orders", ctx.lang),
        spent=w.money(figures["revenue"], ctx.currency, ctx.lang),
        last=info["last_purchase"],
        churn=w.percent(data["churn_probability"], ctx.lang),
        clv=w.money(data["clv"], ctx.currency, ctx.lang),
        expected=w.number(data["expected_purchases_90d"], ctx.lang, 1),
        days=data["expected_days"],
    )
    sources = [
        _model_source(served, f"insights({customer})"),
        _sales_source(
            own["day"].min().date() if len(own) else ctx.today,
            ctx.today,
            "revenue and orders",
            {"customer": customer},
            len(own),
        ),
    ]
    return Answer(text, data, sources, slots=slots)


def likely_buyers(ctx: Context, u: Understanding) -> Answer:
    n = u.slots.n or 10
    horizon = u.slots.horizon
    days = 7 if horizon is None else horizon.n * {"day": 1, "week": 7, "month": 30}[horizon.unit]
    slots = _slots(u, n=n, horizon={"n": days, "unit": "day"} if horizon is None else None)
    served = customer_model(ctx.tenant_id)
    if served is None:
        return _no_customer_model(ctx, slots)
    rows = served.fitted.likely_buyers(days, n, 0.0)
    items = [
        {
            "customer_id": r["customer_id"],
            "p_purchase": round(float(r["p_purchase"] or 0), 4),
            "expected_purchases": round(float(r["expected_purchases_window"] or 0), 2),
        }
        for r in rows
    ]
    shown = [
        w.say("likely_item", ctx.lang, customer=it["customer_id"], probability=w.percent(it["p_purchase"], ctx.lang))
        for it in items
    ]
    text = w.say(
        "likely_buyers",
        ctx.lang,
        days=w.number(days, ctx.lang),
        model=served.model,
        version=served.version,
        items=w.listing(shown, ctx.lang),
    )
    return Answer(
        text,
        {"days": days, "items": items},
        [_model_source(served, f"likely_buyers(days={days}, limit={n})")],
        slots=slots,
    )


def segments(ctx: Context, u: Understanding) -> Answer:
    slots = _slots(u)
    served = customer_model(ctx.tenant_id)
    if served is None:
        return _no_customer_model(ctx, slots)
    fitted: Any = served.fitted
    summary = fitted.segments_summary(ctx.lang)
    rows = [
        {
            "segment": r["segment"],
            "name": r["name"],
            "customers": int(r["customers"]),
            "revenue_share": round(float(r["revenue_share"] or 0), 4),
            "action": r["action"],
        }
        for r in summary
    ]
    if u.slots.segment:
        row = next((r for r in rows if r["segment"] == u.slots.segment), None)
        if row is None or row["customers"] == 0:
            name = row["name"] if row else u.slots.segment
            return Answer(
                w.say("segment_empty", ctx.lang, name=name),
                {"segment": u.slots.segment, "customers": 0},
                [_model_source(served, "segments_summary()")],
                slots=slots,
            )
        n = u.slots.n or 5
        members, total = fitted.segment_members(u.slots.segment, n, 0)
        top = [{"customer_id": m["customer_id"], "clv": round(float(m["clv"] or 0), 2)} for m in members]
        text = w.say(
            "segment_one",
            ctx.lang,
            name=row["name"],
            customers=w.count(row["customers"], "customers", ctx.lang),
            share=w.percent(row["revenue_share"], ctx.lang),
            action=row["action"],
            items=w.listing(
                [f"{m['customer_id']} ({w.money(m['clv'], ctx.currency, ctx.lang)})" for m in top], ctx.lang
            ),
        )
        data = {**row, "members": top, "total_members": total, "currency": ctx.currency}
        return Answer(text, data, [_model_source(served, f"segment_members({u.slots.segment!r}, {n})")], slots=slots)
    shown = [
        w.say(
            "segment_item",
            ctx.lang,
            name=r["name"],
            customers=w.count(r["customers"], "customers", ctx.lang),
            share=w.percent(r["revenue_share"], ctx.lang),
        )
        for r in rows
        if r["customers"]
    ]
    text = w.say("segments", ctx.lang, model=served.model, version=served.version, items=w.listing(shown, ctx.lang))
    return Answer(text, {"segments": rows}, [_model_source(served, "segments_summary()")], slots=slots)


# --- recommendations (the deployed recommender, or rules) ---


def _path_text(ctx: Context, how: dict[str, Any]) -> str:
    return w.say(f"path.{how['path']}", ctx.lang, model=how.get("model"), version=how.get("version"))


def _items_text(ctx: Context, items: list[dict[str, Any]]) -> str:
    return w.listing([f"{it['name']} ({it['product_id']})" for it in items], ctx.lang)


def _rec_items(ctx: Context, recs: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "product_id": r.item_id,
            "name": ctx.data.names.get(r.item_id, r.item_id),
            "score": round(r.score, 4),
            "reason": r.reason,
        }
        for r in recs
    ]


def recommend_for_customer(ctx: Context, u: Understanding) -> Answer:
    n = u.slots.n or DEFAULT_N
    slots = _slots(u, n=n)
    if u.slots.customer is None:
        return _need_customer(ctx, slots)
    from tendero.recommend.recommender import Filters

    model, how = recommender(ctx)
    filters = Filters(categories=[u.slots.category]) if u.slots.category else Filters()
    items = _rec_items(ctx, model.recommend(u.slots.customer, n, filters, language=ctx.lang))
    if not items:
        return Answer(w.say("nothing_found", ctx.lang), {"items": []}, [], "not_found", slots)
    text = w.say(
        "recommend", ctx.lang, customer=u.slots.customer, path=_path_text(ctx, how), items=_items_text(ctx, items)
    )
    source = {"service": "recommendations", **how, "query": f"recommend({u.slots.customer!r}, k={n})"}
    return Answer(text, {"customer_id": u.slots.customer, "items": items, "path": how["path"]}, [source], slots=slots)


def _one_product(ctx: Context, product: str) -> tuple[str | None, str]:
    """A product id for a product or a family (its best seller), and a note when a family was narrowed."""
    ids = _product_ids(ctx, product)
    if not ids:
        return None, ""
    if len(ids) == 1:
        return ids[0], ""
    best = next(pid for pid in ctx.data.names if pid in set(ids))
    return best, w.say("family_note", ctx.lang, count=len(ids), family=product)


def _neighbours(ctx: Context, u: Understanding, method: str, key: str) -> Answer:
    n = u.slots.n or DEFAULT_N
    slots = _slots(u, n=n)
    if u.slots.product is None:
        return _need_product(ctx, slots)
    product_id, note = _one_product(ctx, u.slots.product)
    model, how = recommender(ctx)
    if product_id is None or model.catalogue.items.get(product_id) is None:
        return Answer(w.say("unknown_product", ctx.lang, product=u.slots.product), {}, [], "not_found", slots)
    items = _rec_items(ctx, getattr(model, method)(product_id, n, ctx.lang))
    if not items:
        return Answer(w.say("nothing_found", ctx.lang), {"items": []}, [], "not_found", slots)
    text = w.say(key, ctx.lang, product=_product_label(ctx, product_id) + note, items=_items_text(ctx, items))
    source = {"service": "recommendations", **how, "query": f"{method}({product_id!r}, k={n})"}
    return Answer(text, {"product_id": product_id, "items": items, "path": how["path"]}, [source], slots=slots)


def similar_products(ctx: Context, u: Understanding) -> Answer:
    return _neighbours(ctx, u, "similar", "similar")


def bought_together(ctx: Context, u: Understanding) -> Answer:
    """Neighbours of one product from the recommender; without a product, the shop's significant bundles."""
    if u.slots.product is None:
        n = u.slots.n or DEFAULT_N
        return _suggestions(ctx, u, "bundles", n, _slots(u, n=n))
    return _neighbours(ctx, u, "bought_together", "together")


# --- search, sales analysis, product suggestions and prices (their own services answer) ---


def product_search(ctx: Context, u: Understanding) -> Answer:
    """``tendero.services.search.search``: the tenant's product index (BM25 and embeddings)."""
    n = u.slots.n or DEFAULT_N
    slots = _slots(u, n=n)
    terms = u.terms or ""
    found = search_service.search(ctx.tenant_id, terms, limit=n, category=u.slots.category)
    source = {"service": "search", "query": f"search({terms!r}, limit={n}"
              + (f", category={u.slots.category!r})" if u.slots.category else ")"),
              "index_version": found.index.get("version")}  # fmt: skip
    items = [
        {"product_id": it.product_id, "name": it.name, "score": round(float(it.score), 4)}
        | ({"price": round(float(it.price), 2), "currency": ctx.currency} if it.price is not None else {})
        for it in found.items
    ]
    if not items:
        return Answer(w.say("nothing_found", ctx.lang), {"terms": terms, "items": []}, [source], "not_found", slots)
    text = w.say("search", ctx.lang, terms=terms, items=_items_text(ctx, items))
    return Answer(text, {"terms": terms, "items": items, "total": found.total}, [source], slots=slots)


def _localised(texts: dict[str, str], lang: str) -> str:
    return texts.get(lang) or texts.get("en") or next(iter(texts.values()), "")


def insights(ctx: Context, u: Understanding) -> Answer:
    """``tendero.services.insights.analyze_sales`` for the question's period (default: the last 30 days), its
    best-ranked insights said in the question's language; stored, with its report, when the conversation is."""
    start, end, used_default = _period(u, ctx)
    slots = _slots(u, period={"start": start.isoformat(), "end": end.isoformat()})
    compare = u.slots.compare_to.as_json() if u.slots.compare_to is not None else None
    request = insights_service.SalesAnalysisRequest(
        period=insights_service.PeriodIn(start=start.isoformat(), end=end.isoformat()),
        compare_to=insights_service.PeriodIn(**compare) if compare else None,
        language="en" if ctx.lang == "en" else "es",
        currency=ctx.currency,
        top=DEFAULT_N,
    )
    try:
        analysis = insights_service.analyze_sales(ctx.tenant_id, request, request.language or "es", store=ctx.store)
    except (Invalid, NotFound):
        return _no_sales(ctx, start, end, "", slots)
    ranked = [i for i in analysis["insights"] if i["type"] != "partial_period"]
    partial = [i for i in analysis["insights"] if i["type"] == "partial_period"]
    # what happened to revenue first (the question is about sales), then the largest money impacts
    headline = [i for i in ranked if i["type"] == "revenue_change"][:1]
    shown = headline + [i for i in ranked if i not in headline][: INSIGHTS_SHOWN - len(headline)]
    sentences = [_localised(i["text"], ctx.lang) for i in partial + shown]
    advice = [_localised(r, ctx.lang) for i in shown for r in i.get("recommendations", [])[:1]]
    used = analysis["compare_to"].get("used") or analysis["compare_to"]
    note = w.say("default_days", ctx.lang, days=(end - start).days + 1) if used_default else ""
    lead = w.say("analysis_lead", ctx.lang, start=start.isoformat(), end=end.isoformat(), note=note,
                 compare_start=used["start"], compare_end=used["end"])  # fmt: skip
    text = lead + " " + " ".join(sentences)
    if advice:
        text += " " + w.say("advice", ctx.lang, items=" ".join(advice))
    if u.slots.category:
        text += " " + w.say("whole_shop", ctx.lang)
    data: dict[str, Any] = {
        "period": analysis["period"],
        "compare_to": analysis["compare_to"],
        "currency": analysis.get("currency", ctx.currency),
        "kpis": analysis["kpis"],
        "movers": {k: analysis["movers"][k] for k in ("basis", "total_change", "products", "categories")},
        "insights": [
            {k: i[k] for k in ("type", "key", "numbers", "impact", "text", "recommendations", "sources") if k in i}
            for i in partial + shown
        ],
        "more": max(0, len(ranked) - len(shown)),
    }
    if analysis.get("id"):
        data["analysis_id"] = analysis["id"]
        data["report"] = f"/v1/insights/{analysis['id']}/report?format=md"
    query = f"analyze_sales(period={start}..{end}" + (f", compare_to={compare['start']}..{compare['end']})"
                                                     if compare else ")")  # fmt: skip
    sources = [{"service": "insights", "query": query, "analysis_id": analysis.get("id")}]
    sources += [{"service": "insights", "insight": i["type"], "from": i["sources"]} for i in partial + shown]
    return Answer(text.strip(), data, sources, slots=slots)


# The domain's topics (``Understanding.topic``) as the suggestions service's types.
SUGGESTION_TYPE_OF_TOPIC = {"bundles": "bundles", "cross_sell": "cross_sell", "seasonal": "seasonal",
                            "slow_movers": "slow_movers", "rising": "trends", "falling": "trends"}  # fmt: skip
SUGGESTIONS_PER_TYPE = 3


def _categories_of(ctx: Context, item: dict[str, Any]) -> set[str]:
    """The categories a suggestion is about: its own (slow movers), a cross-sell's two, its products' ones."""
    products = ctx.data.products
    category_of = dict(zip(products["product_id"].astype(str), products["category"], strict=False))
    named = {item.get("category"), item.get("source"), item.get("target")}
    ids = [item.get("id"), item.get("product"), *(item.get("items") or [])]
    named |= {category_of.get(str(pid)) for pid in ids if pid is not None}
    return {str(c) for c in named if c is not None and c == c}


def _suggestion_items(
    ctx: Context, result: dict[str, Any], kind: str, topic: str | None, category: str | None
) -> list[dict[str, Any]]:
    section = result.get(kind) or {}
    if kind == "trends":
        directions = [topic] if topic in ("rising", "falling") else ["rising", "falling"]
        items = [item for d in directions for item in section.get(d, [])]
    else:
        items = list(section.get("items", []))
    if category is not None:
        items = [item for item in items if category in _categories_of(ctx, item)]
    return items


def product_suggestions(ctx: Context, u: Understanding) -> Answer:
    """``tendero.services.insights.suggest_products`` (bundles, trends, slow movers, cross-sell, seasonal), or
    ``tendero.services.pricing.suggest_price`` when the question asks for a product's price."""
    if u.topic == "price":
        return price_suggestion(ctx, u)
    n = u.slots.n or SUGGESTIONS_PER_TYPE
    slots = _slots(u, n=n)
    kind = SUGGESTION_TYPE_OF_TOPIC.get(u.topic or "", "all")
    return _suggestions(ctx, u, kind, n, slots)


def _suggestions(ctx: Context, u: Understanding, kind: str, n: int, slots: dict[str, Any]) -> Answer:
    as_of = ctx.today - timedelta(days=1)
    if ctx.data.last_day is None:
        return Answer(w.say("no_data", ctx.lang), {}, [], "unavailable", slots)
    as_of = min(as_of, ctx.data.last_day)
    request = insights_service.SuggestionsRequest.model_validate(
        {"type": kind, "as_of": as_of.isoformat(), "limit": 100 if u.slots.category else n, "currency": ctx.currency}
    )
    try:
        result = insights_service.suggest_products(ctx.tenant_id, request, "en" if ctx.lang == "en" else "es")
    except (Invalid, NotFound):
        return _no_sales(ctx, as_of, as_of, "", slots)
    kinds = list(insights_service.SUGGESTION_TYPES) if kind == "all" else [kind]
    sections: dict[str, list[dict[str, Any]]] = {}
    for name in kinds:
        items = _suggestion_items(ctx, result, name, u.topic, u.slots.category)[:n]
        if items:
            sections[name] = items
    query = f"suggest_products(type={kind!r}, as_of={as_of}, limit={request.limit})"
    sources = [{"service": "insights", "query": query, "from": result.get("sources", [])}]
    data: dict[str, Any] = {"as_of": as_of.isoformat(), "currency": ctx.currency, "type": kind, "suggestions": sections}
    if not sections:
        key = "no_suggestions_category" if u.slots.category else "no_suggestions"
        return Answer(w.say(key, ctx.lang, category=u.slots.category), data, sources, "not_found", slots)
    parts = []
    for name, items in sections.items():
        said = " ".join(_localised(i["text"], ctx.lang) for i in items)
        parts.append(w.say("suggestion_section", ctx.lang, section=w.say(f"suggestions.{name}", ctx.lang),
                           items=said))  # fmt: skip
    return Answer(" ".join(parts), data, sources, slots=slots)


def price_suggestion(ctx: Context, u: Understanding) -> Answer:
    """The deployed pricing model's suggestion for one product (``tendero.services.pricing``)."""
    slots = _slots(u)
    if u.slots.product is None:
        return _need_product(ctx, slots)
    product_id, note = _one_product(ctx, u.slots.product)
    if product_id is None:
        return Answer(w.say("unknown_product", ctx.lang, product=u.slots.product), {}, [], "not_found", slots)
    try:
        served = pricing_service.served_model(ctx.tenant_id)
    except NotFound:
        return Answer(w.say("no_pricing_model", ctx.lang), {}, [], "unavailable", slots)
    try:
        result = pricing_service.suggest_price(
            ctx.tenant_id, pricing_service.PriceRequest(product_id=product_id), ctx.lang
        )
    except NotFound:
        return Answer(w.say("price_unknown_product", ctx.lang, product=_product_label(ctx, product_id)),
                      {"product_id": product_id}, [_model_source(served, "suggest")], "not_found", slots)  # fmt: skip
    source = _model_source(served, f"suggest({product_id!r})")
    data = {k: v for k, v in result.items() if k not in ("model", "message")}
    data["name"] = ctx.data.names.get(product_id, product_id)
    data["interval_level"] = PRICE_INTERVAL_LEVEL
    text = w.say("price", ctx.lang, product=_product_label(ctx, product_id) + note, message=result["message"])
    status = "answered" if result.get("status") == "estimated" else "unavailable"
    return Answer(text, data, [source], status, slots)


# --- the models themselves ---

KEY_METRICS = {
    "forecast": ("backtest_wape", "WAPE"),
    "customers": ("churn_auc", "AUC"),
    "recommender": ("ndcg@10", "NDCG@10"),
    "pricing": ("backtest_wape", "WAPE"),
}


def model_health(ctx: Context, u: Understanding) -> Answer:
    slots = _slots(u)
    models = []
    for kind in ("forecast", "customers", "recommender", "pricing", "tabular", "baseline"):
        models.extend(models_of_kind(ctx.tenant_id, kind))
    if not models:
        return Answer(
            w.say("no_models", ctx.lang),
            {"models": []},
            [{"service": "registry", "query": "list_models"}],
            "unavailable",
            slots,
        )
    items, shown = [], []
    for m in models:
        key, label = KEY_METRICS.get(m["kind"], ("", ""))
        value = m["metrics"].get(key)
        metric = None if not isinstance(value, int | float) else round(float(value), 3)
        drift = bool(m["flags"].get("drift"))
        items.append(
            {
                "name": m["name"],
                "kind": m["kind"],
                "version": m["version"],
                "trained": m["trained"],
                "metric": label or None,
                "value": metric,
                "drift": drift,
            }
        )
        metric_text = (
            w.say("metric", ctx.lang, name=label, value=w.number(metric, ctx.lang, 3)) if metric is not None else ""
        )
        shown.append(
            w.say(
                "model_item",
                ctx.lang,
                name=m["name"],
                version=m["version"],
                kind=m["kind"],
                trained=m["trained"],
                metric=metric_text,
                drift=w.say("drift", ctx.lang) if drift else "",
            )
        )
    text = w.say("models", ctx.lang, items=w.listing(shown, ctx.lang))
    return Answer(
        text, {"models": items}, [{"service": "registry", "query": "deployed versions, metrics and flags"}], slots=slots
    )


# --- help and not understood ---


def _with_tenant_ids(ctx: Context, examples: list[str]) -> list[str]:
    product = next(iter(ctx.data.names), None)
    customers = sales_lines(ctx)["customer_id"].dropna()
    customer = str(customers.iloc[0]) if len(customers) else None
    out = []
    for text in examples:
        if product:
            text = text.replace("P0001", product)
        if customer:
            text = text.replace("C00001", customer)
        out.append(text)
    return out


def help_answer(ctx: Context, u: Understanding) -> Answer:
    examples = _with_tenant_ids(ctx, help_examples(ctx.lang))
    text = w.say("help", ctx.lang, examples=" · ".join(examples))
    return Answer(text, {"examples": examples}, [], slots={})


def unknown(ctx: Context, u: Understanding, query: str = "") -> Answer:
    examples = _with_tenant_ids(ctx, closest_examples(query, ctx.lang))
    text = w.say("unknown", ctx.lang, examples=" · ".join(examples))
    return Answer(text, {"examples": examples}, [], "unknown", {})


HANDLERS: dict[str, Callable[[Context, Understanding], Answer]] = {
    "sales_total": sales_total,
    "sales_compare": sales_compare,
    "sales_trend": sales_trend,
    "top_products": top_products,
    "top_categories": top_categories,
    "average_ticket": average_ticket,
    "forecast": forecast,
    "product_demand": product_demand,
    "customers_at_risk": customers_at_risk,
    "customer_insight": customer_insight,
    "likely_buyers": likely_buyers,
    "segments": segments,
    "top_customers": top_customers,
    "recommend_for_customer": recommend_for_customer,
    "similar_products": similar_products,
    "bought_together": bought_together,
    "product_search": product_search,
    "insights": insights,
    "product_suggestions": product_suggestions,
    "model_health": model_health,
    "help": help_answer,
}


def answer(ctx: Context, u: Understanding, query: str) -> Answer:
    if u.intent == "unknown":
        return unknown(ctx, u, query)
    return HANDLERS[u.intent](ctx, u)
