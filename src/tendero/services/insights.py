"""Sales analysis and product suggestions as a service: the faces, the jobs and the assistant call these.

Every function takes the caller's tenant; frames are read for that tenant only and every stored
analysis is found by (tenant, id), so another tenant's analysis is a ``NotFound`` like a missing one.
Numbers come from the tenant's order lines (pandas) and from its deployed models, which each answer
names in ``sources``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from tendero.catalogue.refusals import refusal_text
from tendero.config import get_settings
from tendero.data.frames import tenant_frames
from tendero.errors import Invalid, NotFound
from tendero.insights.analysis.period import Period, PeriodError, parse_period
from tendero.insights.analysis.report import render_html as render_html
from tendero.insights.analysis.report import render_markdown as render_markdown
from tendero.insights.analysis.sales import AnalysisSettings, NoData, analyze
from tendero.jobs.runner import get_runner
from tendero.services import insight_models as models
from tendero.services.items import excluded_items
from tendero.services.tenant_settings import currency_of
from tendero.store import insights as rows
from tendero.store import jobs as job_rows
from tendero.store.db import session_scope
from tendero.store.insight_tables import InsightAnalysis
from tendero.store.tables import Job

Language = Literal["es", "en"]
SuggestionType = Literal["all", "bundles", "trends", "slow_movers", "cross_sell", "seasonal"]
SUGGESTION_TYPES: tuple[str, ...] = ("bundles", "trends", "slow_movers", "cross_sell", "seasonal")


class PeriodIn(BaseModel):
    """Days ``start`` to ``end``, both included (ISO dates)."""

    model_config = ConfigDict(extra="forbid")

    start: str = Field(description="first day, YYYY-MM-DD")
    end: str = Field(description="last day, YYYY-MM-DD (included)")


class SalesAnalysisRequest(BaseModel):
    """``POST /v1/insights/sales``: the period, what to compare it with (default: the previous period of the
    same shape), the language of the stored sentences' headline order, and the currency of the shop."""

    model_config = ConfigDict(extra="forbid")

    period: PeriodIn | str = Field(description='{"start", "end"}, or 2011-11, 2011-Q4, 2011-W45, 2011, A..B')
    compare_to: PeriodIn | str | None = Field(None, description="default: the previous period of the same shape")
    language: Language | None = Field(None, description="es or en; default: the caller's Accept-Language")
    currency: str | None = Field(
        None, pattern=r"^[A-Z]{3}$", description="ISO 4217 code of the shop's prices; default: the tenant's currency"
    )
    top: int = Field(10, ge=1, le=50, description="movers and items listed per section")


class SuggestionsRequest(BaseModel):
    """``POST /v1/suggestions/products``: one type of suggestion or all of them, as of a day."""

    model_config = ConfigDict(extra="forbid")

    type: SuggestionType = "all"
    as_of: str | None = Field(None, description="YYYY-MM-DD; default: the last day with sales")
    limit: int = Field(10, ge=1, le=100, description="suggestions per type")
    language: Language | None = None
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="default: the tenant's currency")


def _period(value: PeriodIn | str, field: str) -> Period:
    """A request's period, or ``Invalid`` naming the field (``body.period.end``...)."""
    raw: str | dict[str, object] = value.model_dump() if isinstance(value, PeriodIn) else value
    try:
        return parse_period(raw, field)
    except PeriodError as error:
        where = error.field if error.field.startswith(field) else f"{field}.{error.field}"
        raise Invalid(str(error), [{"field": f"body.{where}", "message": str(error)}]) from error


def resolve_periods(request: SalesAnalysisRequest) -> tuple[Period, Period | None]:
    """The request's period and comparison period, checked (bad input is ``Invalid`` before any work)."""
    period = _period(request.period, "period")
    compare_to = _period(request.compare_to, "compare_to") if request.compare_to is not None else None
    for name, chosen in (("period", period), ("compare_to", compare_to)):
        try:  # the analysis compares with the period before and the year before: both must be dates
            if chosen is not None:
                chosen.previous(), chosen.last_year()
        except (ValueError, OverflowError) as error:
            message = refusal_text("period.too_early", field=name)
            raise Invalid(message, [{"field": f"body.{name}", "message": message}]) from error
    return period, compare_to


def _names(products: Any) -> dict[str, str]:
    named = products[products["name"].notna()] if len(products) else products
    return dict(zip(named["product_id"].astype(str), named["name"].astype(str), strict=True)) if len(named) else {}


def _categories(products: Any) -> dict[str, str]:
    named = products[products["category"].notna()] if len(products) else products
    return dict(zip(named["product_id"].astype(str), named["category"].astype(str), strict=True)) if len(named) else {}


def analyze_sales(tenant_id: str, request: SalesAnalysisRequest, language: Language = "es",
                  store: bool = True, job_id: str | None = None) -> dict[str, Any]:  # fmt: skip
    """Run the analysis on the tenant's order lines and deployed models; stored (with an ``id``) unless
    ``store`` is False. Raises ``Invalid`` for a period that cannot be analysed, ``NotFound`` for a tenant
    without order lines."""
    period, compare_to = resolve_periods(request)
    frames = tenant_frames(tenant_id, ("order_lines", "products"))
    lines = frames["order_lines"]
    if lines.empty:
        raise NotFound(refusal_text("insights.no_order_lines_api"))
    currency = request.currency or currency_of(tenant_id)
    products = frames["products"]
    settings = AnalysisSettings(currency=currency, top=request.top, names=_names(products),
                                categories=_categories(products), exclude_items=excluded_items(tenant_id))  # fmt: skip
    try:
        analysis = analyze(lines, period, compare_to, forecasts=models.forecasts(tenant_id),
                           customers=models.customers(tenant_id, period.next().days), settings=settings)  # fmt: skip
    except PeriodError as error:
        raise Invalid(str(error), [{"field": f"body.{error.field}", "message": str(error)}]) from error
    except NoData as error:
        raise NotFound(str(error)) from error
    analysis["language"] = request.language or language
    analysis["created_at"] = datetime.now(UTC).isoformat()
    analysis["id"] = None
    if store:
        used = analysis["compare_to"]
        fields = {"kind": "sales", "period_start": period.start.isoformat(), "period_end": period.end.isoformat(),
                  "compare_start": used["start"], "compare_end": used["end"], "language": analysis["language"],
                  "currency": currency, "job_id": job_id}  # fmt: skip
        with session_scope() as session:
            row = rows.save_analysis(session, tenant_id, fields, analysis)
            analysis["id"] = row.id
            row.result = {**analysis}
    return analysis


def get_analysis(tenant_id: str, analysis_id: str) -> dict[str, Any]:
    """A stored analysis of this tenant (``NotFound`` otherwise)."""
    with session_scope() as session:
        return dict(rows.get_analysis(session, tenant_id, analysis_id).result)


def _summary(row: InsightAnalysis) -> dict[str, Any]:
    result = row.result
    first = next((i for i in result.get("insights", []) if i["type"] != "partial_period"), None)
    return {"id": row.id, "kind": row.kind, "period": result["period"], "compare_to": result["compare_to"],
            "currency": row.currency, "language": row.language, "created_at": row.created_at,
            "insights": len(result.get("insights", [])), "revenue": result["kpis"]["revenue"],
            "headline": first["text"] if first else None, "job_id": row.job_id}  # fmt: skip


def list_analyses(tenant_id: str, limit: int = 50, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Stored analyses, newest first: their id, periods and headline (no full content)."""
    with session_scope() as session:
        found, total = rows.list_analyses(session, tenant_id, limit, offset)
        return [_summary(row) for row in found], total


def report(tenant_id: str, analysis_id: str, fmt: Literal["md", "html"], language: Language) -> str:
    """The stored analysis as Markdown or as one self-contained, escaped HTML page."""
    analysis = get_analysis(tenant_id, analysis_id)
    return render_markdown(analysis, language) if fmt == "md" else render_html(analysis, language)


def submit_analysis(session: Session, tenant_id: str, request: SalesAnalysisRequest, language: Language) -> Job:
    """Queue the analysis as an ``insights`` job in the caller's transaction (checked first, so bad input fails
    now, not in the job); call ``start`` once it is committed. The job's result names the stored analysis."""
    resolve_periods(request)
    params = {"request": request.model_dump(mode="json"), "language": request.language or language}
    job, _ = job_rows.submit_job(session, tenant_id, "insights", params, max_attempts=get_settings().job_attempts)
    return job


def start(job: Job) -> None:
    """Tell the runner about a committed job."""
    get_runner().notify(job.id)


def run_analysis_job(ctx: Any) -> dict[str, Any]:
    """The ``insights`` job: run and store the analysis; its result links to it."""
    from tendero.jobs.execute import JobFailed

    request = SalesAnalysisRequest.model_validate(ctx.params["request"])
    ctx.progress.update(0, 2, message="analysing")
    try:
        analysis = analyze_sales(ctx.tenant_id, request, ctx.params.get("language", "es"), job_id=ctx.job_id)
    except (Invalid, NotFound) as error:
        raise JobFailed(str(error)) from error
    ctx.progress.update(2, 2, message=f"{len(analysis['insights'])} insights")
    return {"insight_id": analysis["id"], "url": f"/v1/insights/{analysis['id']}",
            "report": f"/v1/insights/{analysis['id']}/report?format=md", "insights": len(analysis["insights"]),
            "period": analysis["period"]}  # fmt: skip


def suggest_products(tenant_id: str, request: SuggestionsRequest, language: Language = "es") -> dict[str, Any]:
    """Bundles, rising and falling products, slow movers, cross-sell per category and seasonal products."""
    from tendero.insights.suggestions.products import NoSales, suggest

    as_of = None
    if request.as_of is not None:
        try:
            as_of = pd.Timestamp(date.fromisoformat(request.as_of))
        except ValueError as error:
            message = f"as_of: {request.as_of[:40]!r} is not an ISO date (YYYY-MM-DD)"
            raise Invalid(message, [{"field": "body.as_of", "message": message}]) from error
    frames = tenant_frames(tenant_id, ("order_lines", "products"))
    if frames["order_lines"].empty:
        raise NotFound(refusal_text("insights.no_order_lines_api"))
    types = SUGGESTION_TYPES if request.type == "all" else (request.type,)
    product_forecast = next((f for f in models.forecasts(tenant_id, ("product",)) if f.measure == "quantity"), None)
    try:
        answer = suggest(frames["order_lines"], frames["products"], types, as_of=as_of, forecast=product_forecast,
                         limit=request.limit, currency=request.currency or currency_of(tenant_id),
                         exclude_items=excluded_items(tenant_id))  # fmt: skip
    except NoSales as error:
        raise Invalid(str(error), [{"field": "body.as_of", "message": str(error)}]) from error
    answer["language"] = request.language or language
    return answer
