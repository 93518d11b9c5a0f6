"""Sales analysis and product suggestions over HTTP. Thin: every route calls ``tendero.services.insights``
with the caller's tenant; an analysis of another tenant is a 404 like one that does not exist."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from tendero.api.audit import record_call
from tendero.api.deps import PageDep, PredictorDep, ReaderDep, SessionDep, language_of
from tendero.api.errors import ProblemError
from tendero.errors import Invalid
from tendero.services import insights as service
from tendero.services.jobs import job_out

router = APIRouter(tags=["insights"])


def _invalid(error: Invalid) -> ProblemError:
    return ProblemError(422, str(error), error.errors)


@router.post("/v1/insights/sales", response_model=None)
def sales_analysis(
    body: service.SalesAnalysisRequest,
    request: Request,
    principal: ReaderDep,
    session: SessionDep,
    run_async: Annotated[bool, Query(alias="async", description="run as a job; its result links the analysis")] = False,
) -> dict[str, Any] | JSONResponse:
    """KPIs against the previous period and last year, movers, anomalies, concentration, customers and outlook,
    ranked insights with recommendations (es and en); stored, so ``/v1/insights/{id}`` and its report work."""
    started = time.perf_counter()
    lang = body.language or language_of(request)
    try:
        if run_async:
            job = service.submit_analysis(session, principal.tenant_id, body, lang)
            session.commit()
            service.start(job)
            record_call(request, principal, "predict", started, 202, model="insights")
            return JSONResponse(job_out(job).model_dump(mode="json"), status_code=202)
        analysis = service.analyze_sales(principal.tenant_id, body, lang)
    except Invalid as error:
        raise _invalid(error) from error
    record_call(request, principal, "predict", started, 200, model="insights")
    return analysis


@router.get("/v1/insights")
def list_insights(principal: ReaderDep, page: PageDep) -> dict[str, Any]:
    """Stored analyses, newest first."""
    items, total = service.list_analyses(principal.tenant_id, page.limit, page.offset)
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}


@router.get("/v1/insights/{insight_id}")
def get_insight(insight_id: str, principal: ReaderDep) -> dict[str, Any]:
    return service.get_analysis(principal.tenant_id, insight_id)


@router.get("/v1/insights/{insight_id}/report", response_class=Response)
def insight_report(
    insight_id: str,
    request: Request,
    principal: ReaderDep,
    format: Annotated[
        Literal["md", "html"], Query(description="md (Markdown) or html (one self-contained page)")
    ] = "md",
    lang: Annotated[Literal["es", "en"] | None, Query(description="default: Accept-Language")] = None,
) -> Response:
    """The analysis as Markdown or HTML: the same content in both."""
    text = service.report(principal.tenant_id, insight_id, format, lang or language_of(request))
    media = "text/markdown; charset=utf-8" if format == "md" else "text/html; charset=utf-8"
    headers = {"content-security-policy": "default-src 'none'; style-src 'unsafe-inline'"} if format == "html" else {}
    return Response(text, media_type=media, headers=headers)


@router.post("/v1/suggestions/products")
def product_suggestions(body: service.SuggestionsRequest, request: Request, principal: PredictorDep) -> dict[str, Any]:
    """Bundles (with lift and a corrected significance test), rising and falling products, slow movers to
    discount, cross-sell per category and products coming into season; ``type`` picks one or all."""
    started = time.perf_counter()
    try:
        answer = service.suggest_products(principal.tenant_id, body, body.language or language_of(request))
    except Invalid as error:
        raise _invalid(error) from error
    record_call(request, principal, "predict", started, 200, model="suggestions")
    return answer
