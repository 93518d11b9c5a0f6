"""The workflows schedules run (3T's n8n flows, inside tendero): each reads a deployed model and returns the
event payload its channels render — the numbers, and the words in both languages where the model has them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd

from tendero.catalogue.refusals import refusal_text
from tendero.jobs.execute import JobFailed
from tendero.registry.service import Served, deployed_models
from tendero.services.tenant_settings import currency_of
from tendero.store.tenants import NotFound


def _customer_model(tenant_id: str, name: str) -> Served:
    try:
        served = deployed_models.get(tenant_id, name)
    except NotFound as error:
        raise JobFailed(refusal_text("workflow.no_customers_model", name=name)) from error
    if served.kind != "customers":
        raise JobFailed(refusal_text("workflow.not_customers_model", name=name, kind=served.kind))
    return served


def _segment_names(key: str) -> dict[str, str]:
    from tendero.customers.rfm import SEGMENTS

    names = SEGMENTS.get(key, {})
    return {"es": names.get("es", key), "en": names.get("en", key)}


def churn_risk(tenant_id: str, params: Any) -> dict[str, Any]:
    """Customers whose churn probability and value at risk both pass the thresholds, most at stake first,
    and their total value at risk (all of them, not only the ``limit`` listed)."""
    served = _customer_model(tenant_id, params.model)
    model: Any = served.fitted
    everyone = model.at_risk(min_value=params.min_value, limit=10**9, language="es")
    chosen = [row for row in everyone if (row["churn_probability"] or 0.0) >= params.min_probability]
    listed = chosen[: params.limit]
    english = model.reasons_many([row["customer_id"] for row in listed], "en") if listed else []
    customers = []
    for row, reasons_en in zip(listed, english, strict=True):
        reasons_es = row.get("top_reasons") or []
        customers.append(
            {
                "customer_id": row["customer_id"],
                "churn_probability": row["churn_probability"],
                "value_at_risk": row["value_at_risk"],
                "clv": row["clv"],
                "segment": row["segment"],
                "segment_name": _segment_names(row["segment"]),
                "last_purchase": row["last_purchase"],
                "reason_text": {
                    "es": reasons_es[0]["text"] if reasons_es else "",
                    "en": reasons_en[0]["text"] if reasons_en else "",
                },
            }
        )
    total = float(sum(row["value_at_risk"] or 0.0 for row in chosen))
    return {
        "workflow": "churn_risk",
        "model": served.model,
        "version": served.version,
        "as_of": str(model.as_of.date()),
        "window_days": float(model.settings["churn_window_days"]),
        "min_probability": params.min_probability,
        "min_value": params.min_value,
        "currency": params.currency or currency_of(tenant_id),
        "customers_at_risk": len(chosen),
        "total_value_at_risk": round(total, 2),
        "customers": customers,
        "summary": f"{len(chosen)} customers at risk, {total:,.2f} {params.currency or currency_of(tenant_id)} at risk",
    }


def likely_buyers(tenant_id: str, params: Any) -> dict[str, Any]:
    """Customers most likely to buy at least once in the next ``days``, with the purchases expected."""
    served = _customer_model(tenant_id, params.model)
    model: Any = served.fitted
    rows = model.likely_buyers(days=params.days, limit=params.limit, min_probability=params.min_probability)
    customers = [
        {
            "customer_id": row["customer_id"],
            "p_purchase": row["p_purchase"],
            "expected_purchases_window": row["expected_purchases_window"],
            "clv": row["clv"],
            "segment": row["segment"],
            "segment_name": _segment_names(row["segment"]),
            "last_purchase": row["last_purchase"],
        }
        for row in rows
    ]
    expected = sum(float(row["expected_purchases_window"] or 0.0) for row in customers)
    return {
        "workflow": "likely_buyers",
        "model": served.model,
        "version": served.version,
        "as_of": str(model.as_of.date()),
        "days": params.days,
        "min_probability": params.min_probability,
        "currency": params.currency or currency_of(tenant_id),
        "customers": customers,
        "summary": f"{len(customers)} likely buyers in {params.days} days, {expected:.1f} purchases expected",
    }


def last_complete_period(last_day: date, shape: str) -> tuple[date, date]:
    """The newest whole day, ISO week, month or quarter that ends on or before ``last_day``."""
    following = last_day + timedelta(days=1)
    if shape == "day":
        return last_day, last_day
    if shape == "week":
        end = last_day - timedelta(days=(last_day.weekday() + 1) % 7)  # the newest Sunday, today if Sunday
        return end - timedelta(days=6), end
    months = 3 if shape == "quarter" else 1
    end = date(following.year, (following.month - 1) // months * months + 1, 1) - timedelta(days=1)
    return date(end.year, (end.month - 1) // months * months + 1, 1), end


def sales_analysis(tenant_id: str, params: Any, job_id: str | None = None) -> dict[str, Any]:
    """The insights issue's sales analysis of the last complete period with sales (day, week, month or quarter),
    against the one before it, stored like one asked for by hand; the event carries its headline and findings."""
    from tendero.data.frames import tenant_frames
    from tendero.services import Invalid
    from tendero.services import insights as insight_service

    lines = tenant_frames(tenant_id, ("order_lines",))["order_lines"]
    if lines.empty:
        raise JobFailed(refusal_text("insights.no_order_lines_job"))
    last_day = pd.Timestamp(lines["ordered_at"].max()).date()
    start, end = last_complete_period(last_day, params.period)
    request = insight_service.SalesAnalysisRequest(
        period=insight_service.PeriodIn(start=start.isoformat(), end=end.isoformat()),
        language=params.language, currency=params.currency or currency_of(tenant_id), top=params.top,
    )  # fmt: skip
    try:
        analysis = insight_service.analyze_sales(tenant_id, request, params.language, job_id=job_id)
    except (Invalid, NotFound) as error:
        raise JobFailed(str(error)) from error
    revenue = analysis["kpis"].get("revenue", {})
    findings = [
        {"type": item["type"], "text": item["text"], "impact": item["impact"]["amount"],
         "recommendation": item["recommendations"][0] if item["recommendations"] else {}}
        for item in analysis["insights"][: params.top]
    ]  # fmt: skip
    return {
        "workflow": "sales_analysis",
        "analysis_id": analysis["id"],
        "report": f"/v1/insights/{analysis['id']}/report?format=md",
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "period_label": analysis["period"]["label"],
        "compare_label": analysis["compare_to"]["label"],
        "currency": params.currency or currency_of(tenant_id),
        "revenue": {"current": revenue.get("current"), "previous": revenue.get("previous")},
        "insights": findings,
        "summary": f"sales {start.isoformat()}..{end.isoformat()}: {len(findings)} findings",
    }


def drift_check(tenant_id: str) -> dict[str, Any]:
    """Every deployed forecast against the actuals; flags, alerts and drift retrains follow from the registry."""
    from tendero.registry.drift import check_forecast_drift

    reports = check_forecast_drift(tenant_id)
    drifted = [r["model"] for r in reports if r.get("drifted")]
    return {
        "workflow": "drift_check",
        "models": reports,
        "drifted": drifted,
        "summary": f"{len(reports)} forecasts checked, {len(drifted)} drifted"
        + (f": {', '.join(drifted)}" if drifted else ""),
    }
