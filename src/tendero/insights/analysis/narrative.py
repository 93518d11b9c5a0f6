"""Turn the analysis' sections into insights: a type, the numbers it rests on, a money impact that ranks it,
a sentence in Spanish and English, and the recommendations that follow from those numbers.

Insights are ranked by the size of their money impact; a partial-period notice always comes first,
because it changes how every other figure reads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tendero.insights.analysis.period import parse_period
from tendero.insights.analysis.phrases import LANGUAGES, change, day, money, number, percent, say

INSIGHT_TYPES = (
    "partial_period",
    "revenue_change",
    "average_ticket",
    "customer_mix",
    "returns",
    "product_mover",
    "category_mover",
    "anomaly",
    "concentration_products",
    "concentration_customers",
    "customers_at_risk",
    "likely_buyers",
    "outlook",
    "restock",
)
MOVER_INSIGHTS = 3
ANOMALY_INSIGHTS = 3
RESTOCK_INSIGHTS = 3


def _texts(key: str, values: Callable[[str], dict[str, Any]]) -> dict[str, str]:
    return {lang: say(key, lang, **values(lang)) for lang in LANGUAGES}


def _insight(
    kind: str,
    key: str,
    numbers: dict[str, Any],
    impact: float | None,
    currency: str,
    text: dict[str, str],
    recommendations: list[dict[str, str]],
    sources: list[str],
) -> dict[str, Any]:
    return {
        "type": kind,
        "key": key,
        "numbers": numbers,
        "impact": {"amount": float(impact or 0.0), "currency": currency},
        "text": text,
        "recommendations": recommendations,
        "sources": sources,
    }


def write_insights(analysis: dict[str, Any]) -> list[dict[str, Any]]:
    """Every insight the sections support, ranked (see the module docstring)."""
    cur = analysis["currency"]
    kpis = analysis["kpis"]
    period = analysis["period"]["label"]
    previous = analysis["compare_to"]["label"]

    def cash(value: float | None, lang: str) -> str:
        return money(value, cur, lang)

    out: list[dict[str, Any]] = []
    if analysis["period"]["partial"]:
        covered = analysis["period"]["covered"]
        numbers = {
            "data_end": analysis["data"]["last_day"],
            "covered_days": covered["days"],
            "days": analysis["period"]["days"],
        }
        out.append(
            _insight(
                "partial_period",
                "partial",
                numbers,
                0.0,
                cur,
                _texts(
                    "partial_period",
                    lambda lang: {
                        "data_end": day(numbers["data_end"], lang),
                        "covered": number(numbers["covered_days"], lang),
                        "days": number(numbers["days"], lang),
                    },
                ),
                [_texts("partial_period.rec", lambda lang: {})],
                ["query:order_lines"],
            )
        )

    revenue = kpis["revenue"]
    movers = analysis["movers"]["products"]
    if revenue["previous"] is None:
        text = _texts(
            "revenue_change.no_previous",
            lambda lang: {
                "period": period[lang],
                "revenue": cash(revenue["current"], lang),
                "previous_label": previous[lang],
            },
        )
        out.append(
            _insight("revenue_change", "revenue", revenue, revenue["current"], cur, text, [], ["query:order_lines"])
        )
    else:

        def revenue_values(lang: str) -> dict[str, Any]:
            last = ""
            if revenue["last_year"] is not None:
                last = say(
                    "revenue_change.last_year",
                    lang,
                    value=cash(revenue["last_year"], lang),
                    change=change(revenue["current"], revenue["last_year"], lang),
                )
            return {
                "period": period[lang],
                "revenue": cash(revenue["current"], lang),
                "change": change(revenue["current"], revenue["previous"], lang),
                "previous_label": previous[lang],
                "previous": cash(revenue["previous"], lang),
                "last_year": last,
            }

        recs = []
        total = revenue["change"] or 0.0
        driver = next((m for m in movers if (m["change"] or 0) * total > 0), None)
        if driver is not None and total:
            rec_key = "revenue_change.rec_up" if total > 0 else "revenue_change.rec_down"
            recs.append(
                _texts(
                    rec_key,
                    lambda lang: {
                        "name": driver["name"],
                        "share": percent(driver["change"] / total, lang),
                        "change": cash(driver["change"], lang),
                    },
                )
            )
        out.append(
            _insight(
                "revenue_change",
                "revenue",
                revenue,
                revenue["change"],
                cur,
                _texts("revenue_change", revenue_values),
                recs,
                ["query:order_lines"],
            )
        )

    ticket, orders = kpis["average_ticket"], kpis["orders"]
    if ticket["current"] is not None and ticket["previous"] is not None:
        units_now = kpis["units"]["current"] / orders["current"] if orders["current"] else None
        units_before = kpis["units"]["previous"] / orders["previous"] if orders["previous"] else None
        numbers = {
            **ticket,
            "orders": orders["current"],
            "units_per_order": units_now,
            "units_per_order_previous": units_before,
        }
        rec_key = "average_ticket.rec_down" if (ticket["change"] or 0) < 0 else "average_ticket.rec_up"
        rec = _texts(
            rec_key,
            lambda lang: {
                "previous": cash(ticket["previous"], lang),
                "units_per_order": number(units_now, lang, 1),
                "units_per_order_prev": number(units_before, lang, 1),
            },
        )
        impact = (ticket["change"] or 0.0) * (orders["current"] or 0)
        out.append(
            _insight(
                "average_ticket",
                "average_ticket",
                numbers,
                impact,
                cur,
                _texts(
                    "average_ticket",
                    lambda lang: {
                        "value": cash(ticket["current"], lang),
                        "orders": number(orders["current"], lang),
                        "change": change(ticket["current"], ticket["previous"], lang),
                        "previous_label": previous[lang],
                        "previous": cash(ticket["previous"], lang),
                    },
                ),
                [rec],
                ["query:order_lines"],
            )
        )

    new, returning = kpis["new_customers"], kpis["returning_customers"]
    buyers = kpis["customers"]
    if buyers["current"]:
        share_now = new["current"] / buyers["current"]
        share_before = new["previous"] / buyers["previous"] if buyers["previous"] else None
        numbers = {
            "customers": buyers["current"],
            "new": new["current"],
            "returning": returning["current"],
            "new_previous": new["previous"],
            "returning_previous": returning["previous"],
            "new_share": share_now,
            "new_share_previous": share_before,
        }
        recs = []
        if returning["previous"] and returning["current"] < returning["previous"]:
            recs.append(
                _texts(
                    "customer_mix.rec_returning_down",
                    lambda lang: {
                        "returning": number(returning["current"], lang),
                        "returning_prev": number(returning["previous"], lang),
                    },
                )
            )
        if new["previous"] and new["current"] < new["previous"]:
            recs.append(
                _texts(
                    "customer_mix.rec_new_down",
                    lambda lang: {"new": number(new["current"], lang), "new_prev": number(new["previous"], lang)},
                )
            )
        if not recs and new["current"]:
            recs.append(_texts("customer_mix.rec_welcome", lambda lang: {"new": number(new["current"], lang)}))
        ticket_now = ticket["current"] or 0.0
        impact = (
            (returning["current"] - (returning["previous"] or 0)) * ticket_now
            if returning["previous"] is not None
            else 0.0
        )
        out.append(
            _insight(
                "customer_mix",
                "customers",
                numbers,
                impact,
                cur,
                _texts(
                    "customer_mix",
                    lambda lang: {
                        "customers": number(buyers["current"], lang),
                        "new": number(new["current"], lang),
                        "returning": number(returning["current"], lang),
                        "new_share": percent(share_now, lang),
                        "new_share_prev": percent(share_before, lang),
                        "previous_label": previous[lang],
                    },
                ),
                recs,
                ["query:order_lines"],
            )
        )

    returns = analysis["returns"]
    if returns["lines"]:
        gross = kpis["gross_revenue"]["current"] or 0.0
        share = returns["value"] / gross if gross else None
        numbers = {
            "lines": returns["lines"],
            "value": returns["value"],
            "share_of_gross": share,
            "gross_revenue": gross,
            "top_products": returns["top_products"],
        }
        recs = []
        if returns["top_products"] and returns["value"] > 0:
            worst = returns["top_products"][0]
            recs.append(
                _texts(
                    "returns.rec",
                    lambda lang: {
                        "name": worst["name"],
                        "share": percent(worst["value"] / returns["value"], lang),
                        "value": cash(worst["value"], lang),
                    },
                )
            )
        out.append(
            _insight(
                "returns",
                "returns",
                numbers,
                returns["value"],
                cur,
                _texts(
                    "returns",
                    lambda lang: {
                        "lines": number(returns["lines"], lang),
                        "value": cash(returns["value"], lang),
                        "share": percent(share, lang),
                        "gross": cash(gross, lang),
                    },
                ),
                recs,
                ["query:order_lines"],
            )
        )

    if revenue["previous"] is not None:
        for kind, rows in (("product_mover", movers), ("category_mover", analysis["movers"]["categories"])):
            for mover in rows[:MOVER_INSIGHTS]:
                out.append(_mover(kind, mover, cur, previous, revenue["change"] or 0.0))

    for item in analysis["anomalies"]["items"][:ANOMALY_INSIGHTS]:
        out.append(_anomaly(item, cur, analysis["anomalies"]["baseline_weeks"]))

    for kind, key in (("concentration_products", "products"), ("concentration_customers", "customers")):
        section = analysis["concentration"][key]
        if section is None:
            continue
        largest = section["largest"]
        top_name = largest.get("name") or largest["id"]

        def fields(lang: str, s: dict[str, Any] = section, n: str = top_name) -> dict[str, Any]:
            return {
                "n": number(s["top_n"], lang),
                "total": number(s["total"], lang),
                "share": percent(s["top_share"], lang),
                "top": n,
                "top_share": percent(s["largest"]["share"], lang),
            }

        def recommendation(lang: str, s: dict[str, Any] = section) -> dict[str, Any]:
            return {"n": number(s["top_n"], lang)}

        out.append(
            _insight(
                kind,
                key,
                section,
                largest["revenue"],
                cur,
                _texts(kind, fields),
                [_texts(kind + ".rec", recommendation)],
                ["query:order_lines"],
            )
        )

    customers = analysis["customers"]
    if customers is not None:
        out += _customer_insights(customers, cur)

    total = analysis["outlook"]["total"]
    if total is not None:
        out.append(_outlook(total, cur, period))
    restock = analysis["outlook"]["restock"]
    if restock is not None:
        for item in restock["items"][:RESTOCK_INSIGHTS]:
            out.append(_restock(item, restock, cur, period))

    pinned = [i for i in out if i["type"] == "partial_period"]
    ranked = sorted((i for i in out if i["type"] != "partial_period"), key=lambda i: -abs(i["impact"]["amount"]))
    return pinned + ranked


def _mover(kind: str, mover: dict[str, Any], cur: str, previous: dict[str, str], total: float) -> dict[str, Any]:
    up = (mover["change"] or 0) >= 0
    share = mover["share_of_change"]

    def values(lang: str) -> dict[str, Any]:
        pct = (
            percent(mover["change_pct"], lang, signed=True)
            if mover["change_pct"] is not None
            else say("mover.new", lang)
        )
        return {
            "name": mover["name"],
            "verb": say("mover.up" if up else "mover.down", lang),
            "change_abs": money(abs(mover["change"]), cur, lang),
            "pct": pct,
            "previous": money(mover["revenue_previous"], cur, lang),
            "current": money(mover["revenue_current"], cur, lang),
            "share": say("mover.share_with", lang, share=percent(share, lang))
            if share is not None and share >= 0
            else say("mover.share_against", lang, total=money(total, cur, lang)),
        }

    rec = _texts(
        "mover.rec_up" if up else "mover.rec_down",
        lambda lang: {
            "name": mover["name"],
            "units": number(mover["units_current"], lang),
            "units_prev": number(mover["units_previous"], lang),
            "previous_label": previous[lang],
        },
    )
    source = "query:order_lines by product" if kind == "product_mover" else "query:order_lines by category"
    return _insight(kind, mover["id"], mover, mover["change"], cur, _texts(kind, values), [rec], [source])


def _anomaly(item: dict[str, Any], cur: str, weeks: int) -> dict[str, Any]:
    by_forecast = item["method"] == "forecast"
    units = by_forecast and item.get("measure") == "quantity"

    def amount(value: float, lang: str) -> str:
        return f"{number(value, lang)} {'unidades' if lang == 'es' else 'units'}" if units else money(value, cur, lang)

    def values(lang: str) -> dict[str, Any]:
        when = day(item["date"], lang)
        if item["granularity"] == "week":
            when = say("anomaly.week", lang, day=when)
        method = (
            say("anomaly.method.forecast", lang, model=item.get("model", ""))
            if by_forecast
            else say("anomaly.method.robust", lang, n=weeks)
        )
        actual = item["actual_measure"] if units else item["actual"]
        return {
            "when": when,
            "actual": amount(actual, lang),
            "direction": say(f"anomaly.{item['direction']}", lang),
            "expected": amount(item["expected"], lang),
            "low": amount(max(item["low"], 0.0), lang),
            "high": amount(item["high"], lang),
            "method": method,
        }

    names = ", ".join(p["name"] for p in item["top_products"]) or "—"
    rec_key = "anomaly.rec_high" if item["direction"] == "high" else "anomaly.rec_low"
    rec = _texts(rec_key, lambda lang: {"top": names})
    source = f"model:{item['model']}" if by_forecast else "query:order_lines by day"
    return _insight("anomaly", item["date"], item, item["impact"], cur, _texts("anomaly", values), [rec], [source])


def _customer_insights(section: dict[str, Any], cur: str) -> list[dict[str, Any]]:
    out = []
    source = f"model:{section['model']}"
    top = section["top_at_risk"][0] if section["top_at_risk"] else None
    recs = []
    if top is not None and top["value_at_risk"] > 0:
        recs.append(
            _texts(
                "customers_at_risk.rec",
                lambda lang: {
                    "top": top["id"],
                    "value": money(top["value_at_risk"], cur, lang),
                    "probability": percent(top["churn_probability"], lang),
                },
            )
        )
    numbers = {
        k: section[k]
        for k in (
            "customers",
            "value_at_risk",
            "high_risk",
            "high_risk_value",
            "top_at_risk",
            "as_of",
            "model",
            "model_version",
        )
    }
    out.append(
        _insight(
            "customers_at_risk",
            "at_risk",
            numbers,
            section["value_at_risk"],
            cur,
            _texts(
                "customers_at_risk",
                lambda lang: {
                    "high": number(section["high_risk"], lang),
                    "value": money(section["value_at_risk"], cur, lang),
                    "model": section["model"],
                    "as_of": day(section["as_of"] or "—", lang),
                },
            ),
            recs,
            [source],
        )
    )
    likely = section["likely_buyers"]
    if likely["count"]:
        first = likely["top"][0]
        out.append(
            _insight(
                "likely_buyers",
                "likely_buyers",
                {**likely, "model": section["model"], "model_version": section["model_version"]},
                likely["expected_revenue"],
                cur,
                _texts(
                    "likely_buyers",
                    lambda lang: {
                        "n": number(likely["count"], lang),
                        "days": number(likely["days"], lang),
                        "purchases": number(likely["expected_purchases"], lang, 1),
                        "value": money(likely["expected_revenue"], cur, lang),
                        "model": section["model"],
                    },
                ),
                [
                    _texts(
                        "likely_buyers.rec",
                        lambda lang: {
                            "n": number(likely["count"], lang),
                            "top": first["id"],
                            "probability": percent(first["p_purchase"], lang),
                        },
                    )
                ],
                [source],
            )
        )
    return out


def _outlook(total: dict[str, Any], cur: str, period: dict[str, str]) -> dict[str, Any]:
    units = total["measure"] == "quantity"

    def amount(value: float, lang: str) -> str:
        return f"{number(value, lang)} {'unidades' if lang == 'es' else 'units'}" if units else money(value, cur, lang)

    upcoming = parse_period(total["next"])
    up = (total["change_pct"] or 0) >= 0
    rec = _texts(
        "outlook.rec_up" if up else "outlook.rec_down",
        lambda lang: {"pct": percent(abs(total["change_pct"] or 0), lang), "next": upcoming.label(lang)},
    )
    text = _texts(
        "outlook",
        lambda lang: {
            "next": upcoming.label(lang),
            "point": amount(total["point"], lang),
            "low": amount(total["low"], lang),
            "high": amount(total["high"], lang),
            "level": total["level"],
            "period": period[lang],
            "change": percent(total["change_pct"], lang, signed=True),
            "actual": amount(total["actual"], lang),
            "model": total["model"],
        },
    )
    return _insight("outlook", "outlook", total, total["impact"], cur, text, [rec], [f"model:{total['model']}"])


def _restock(item: dict[str, Any], section: dict[str, Any], cur: str, period: dict[str, str]) -> dict[str, Any]:
    upcoming = parse_period(section["next"])

    def values(lang: str) -> dict[str, Any]:
        return {
            "name": item["name"],
            "next": upcoming.label(lang),
            "forecast": number(item["forecast"], lang),
            "sold": number(item["sold_scaled"], lang),
            "period": period[lang],
            "pct": percent(item["gain"], lang, decimals=0),
        }

    numbers = {**item, "model": section["model"], "model_version": section["model_version"]}
    return _insight(
        "restock",
        item["id"],
        numbers,
        item["impact"],
        cur,
        _texts("restock", values),
        [_texts("restock.rec", values)],
        [f"model:{section['model']}"],
    )
