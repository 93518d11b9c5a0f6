"""All product suggestions of a shop as of one day, each with its numbers, a money impact, a sentence in
Spanish and English and a recommendation: pure pandas on the order lines and the catalogue."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from tendero.catalogue.refusals import refusal_text
from tendero.insights.analysis.inputs import ForecastInput
from tendero.insights.analysis.kpis import prepare_lines
from tendero.insights.analysis.phrases import LANGUAGES, day, number, p_value, percent, say
from tendero.insights.suggestions.baskets import build_baskets, recent
from tendero.insights.suggestions.bundles import BundleRules, find_bundles
from tendero.insights.suggestions.cross_sell import find_cross_sell
from tendero.insights.suggestions.seasonal import find_seasonal
from tendero.insights.suggestions.slow_movers import find_slow_movers
from tendero.insights.suggestions.trends import find_trends

TYPES = ("bundles", "trends", "slow_movers", "cross_sell", "seasonal")
BASKET_DAYS = 365


class NoSales(ValueError):
    """Nothing sold yet (or nothing up to the day asked): no suggestion can be made."""


def _texts(key: str, values: Callable[[str], dict[str, Any]]) -> dict[str, str]:
    return {lang: say(key, lang, **values(lang)) for lang in LANGUAGES}


def suggest(
    order_lines: pd.DataFrame,
    products: pd.DataFrame,
    types: Iterable[str],
    *,
    as_of: pd.Timestamp | None = None,
    forecast: ForecastInput | None = None,
    limit: int = 10,
    currency: str = "EUR",
    exclude_items: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The chosen suggestion types (``TYPES``) as of ``as_of`` (default: the last day with sales). Every
    suggestion is about goods: the lines of ``exclude_items`` (the tenant's non-products: postage, fees...) are
    left out, so no bundle, trend or cross-sell names them."""
    lines, _ = prepare_lines(order_lines) if len(order_lines) else (order_lines, 0)
    if exclude_items and len(lines):
        lines = lines[~lines["product_id"].isin(exclude_items)]
    if lines.empty or not (lines["quantity"] > 0).any():
        raise NoSales(refusal_text("insights.no_sales"))
    last_day = lines["day"].max()
    as_of = pd.Timestamp(as_of).normalize() if as_of is not None else last_day
    lines = lines[lines["day"] <= as_of]
    if lines.empty:
        raise NoSales(refusal_text("insights.no_sales_before", day=as_of.date(), first=order_lines["ordered_at"].min()))
    names = _names(products)
    sold = lines[lines["quantity"] > 0]
    prices = sold.groupby("product_id")["revenue"].sum() / sold.groupby("product_id")["quantity"].sum()
    out: dict[str, Any] = {"as_of": as_of.date().isoformat(), "currency": currency, "types": list(types)}
    window = recent(lines, as_of, BASKET_DAYS)
    for kind in types:
        if kind == "bundles":
            section = find_bundles(build_baskets(window, "product_id"), prices, BundleRules(), limit)
            section["window"] = {"days": BASKET_DAYS}
            section["items"] = [_bundle(item, names) for item in section["items"]]
        elif kind == "trends":
            section = find_trends(lines, as_of, prices, forecast, limit)
            for direction in ("rising", "falling"):
                section[direction] = [_trend(item, names, section["window_days"]) for item in section[direction]]
        elif kind == "slow_movers":
            section = find_slow_movers(lines, products, as_of, prices, limit)
            section["items"] = [_slow(item, names) for item in section["items"]]
        elif kind == "cross_sell":
            section = find_cross_sell(window, limit)
            section["items"] = [_cross(item, names) for item in section["items"]]
        else:
            section = find_seasonal(lines, as_of, prices, limit)
            section["items"] = [_seasonal(item, names, section) for item in section["items"]]
        out[kind] = section
    out["sources"] = [{"kind": "query", "name": "order_lines", "until": as_of.date().isoformat()}]
    if forecast is not None and "trends" in types:
        out["sources"].append({"kind": "model", "name": forecast.name, "version": forecast.version})
    return out


def _names(products: pd.DataFrame) -> dict[str, str]:
    if products.empty:
        return {}
    named = products[products["name"].notna()]
    return dict(zip(named["product_id"].astype(str), named["name"].astype(str), strict=True))


def _name(names: dict[str, str], pid: str) -> str:
    return names.get(pid) or pid


def _join(parts: list[str], lang: str) -> str:
    if len(parts) < 2:
        return "".join(parts)
    return ", ".join(parts[:-1]) + (" y " if lang == "es" else " and ") + parts[-1]


def _bundle(item: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    labels = [_name(names, pid) for pid in item["items"]]
    item["names"] = labels

    def values(lang: str) -> dict[str, Any]:
        return {
            "items": _join(labels, lang),
            "orders": number(item["orders"], lang),
            "customers": number(item["customers"], lang),
            "lift": number(item["lift"], lang, 1),
            "confidence": percent(item["confidence"], lang),
            "q": p_value(item["q_value"], lang),
            "antecedent": _join(labels[:-1], lang),
            "consequent": labels[-1],
        }

    return {**item, "text": _texts("bundle", values), "recommendations": [_texts("bundle.rec", values)]}


def _trend(item: dict[str, Any], names: dict[str, str], days: int) -> dict[str, Any]:
    label = _name(names, item["id"])

    def values(lang: str) -> dict[str, Any]:
        basis = (
            say("trend.basis.forecast", lang, model=item["model"])
            if item["basis"] == "forecast"
            else say("trend.basis.history", lang, days=days)
        )
        return {
            "name": label,
            "recent": number(item["recent_units"], lang),
            "days": days,
            "expected": number(item["expected_units"], lang),
            "basis": basis,
            "pct": percent(item["change_pct"], lang, signed=True),
        }

    key = "trend." + item["direction"]
    rec = "trend.rec_" + item["direction"]
    return {**item, "name": label, "text": _texts(key, values), "recommendations": [_texts(rec, values)]}


def _slow(item: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    label = _name(names, item["id"])

    def values(lang: str) -> dict[str, Any]:
        return {
            "name": label,
            "velocity": number(item["velocity"], lang, 2),
            "category_velocity": number(item["category_velocity"], lang, 2),
            "category": item["category"] or say("uncategorised", lang),
            "days_since": number(item["days_since_last_sale"], lang),
        }

    return {
        **item,
        "name": label,
        "text": _texts("slow_mover", values),
        "recommendations": [_texts("slow_mover.rec", values)],
    }


def _cross(item: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    product = _name(names, item["product"]) if item["product"] else "—"

    def values(lang: str) -> dict[str, Any]:
        return {
            "source": item["source"],
            "target": item["target"],
            "share": percent(item["share"], lang),
            "lift": number(item["lift"], lang, 1),
            "product": product,
        }

    return {
        **item,
        "product_name": product,
        "text": _texts("cross_sell", values),
        "recommendations": [_texts("cross_sell.rec", values)],
    }


def _seasonal(item: dict[str, Any], names: dict[str, str], section: dict[str, Any]) -> dict[str, Any]:
    label = _name(names, item["id"])

    def values(lang: str) -> dict[str, Any]:
        window = f"{day(section['window']['start'], lang)} – {day(section['window']['end'], lang)}"
        before = section["last_year_window"]
        return {
            "name": label,
            "last_year": number(item["last_year_units"], lang),
            "window": window,
            "last_year_window": f"{day(before['start'], lang)} – {day(before['end'], lang)}",
            "baseline": number(item["baseline_units"], lang, 1),
            "index": number(item["season_index"], lang, 1),
        }

    return {
        **item,
        "name": label,
        "text": _texts("seasonal", values),
        "recommendations": [_texts("seasonal.rec", values)],
    }
