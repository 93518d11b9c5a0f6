"""The Insights pages: run a sales analysis for a period, list past analyses, and read one (ranked insights
with recommendations, KPIs, movers chart and table, anomalies), with its Markdown and HTML report.

They call the same service as ``/v1/insights`` with the signed-in principal's tenant."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from tendero.catalogue.refusals import translate_refusal
from tendero.errors import Invalid
from tendero.services import insights as service
from tendero.web.access import PostTrainer, Reader
from tendero.web.charts import ACCENT, LAYOUT, with_axes
from tendero.web.i18n import translator
from tendero.web.rendering import PREFIX, WebRoute, language, redirect, render

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=WebRoute)
HEADLINE_KPIS = ("revenue", "orders", "customers", "average_ticket", "units", "new_customers")
DOWN = "#b91c1c"


@router.get("/insights")
def insights_page(request: Request, session: Reader) -> Response:
    """The period form and every stored analysis, newest first."""
    principal = session.principal
    assert principal is not None
    items, total = service.list_analyses(principal.tenant_id, 100, 0)
    return render(request, "insights.html", {"items": items, "total": total})


@router.post("/insights")
def run_analysis(
    request: Request,
    session: PostTrainer,
    period: Annotated[str, Form(max_length=40)] = "",
    compare_to: Annotated[str, Form(max_length=40)] = "",
    currency: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    """Analyse the period now (as ``POST /v1/insights/sales``) and open the result."""
    principal = session.principal
    assert principal is not None
    lang = language(request)
    t = translator(lang)
    try:
        body = service.SalesAnalysisRequest(period=period.strip(), compare_to=compare_to.strip() or None,
                                            currency=currency.strip().upper() or None)  # fmt: skip
        analysis = service.analyze_sales(principal.tenant_id, body, lang)  # type: ignore[arg-type]
    except Invalid as error:  # a period that cannot be read, in the reader's language
        detail = translate_refusal(str(error), lang)[:300]
        return redirect(request, f"{PREFIX}/insights", ("error", t("error.invalid", detail=detail)))
    except ValueError as error:  # pydantic: a currency that is not three capital letters
        return redirect(request, f"{PREFIX}/insights", ("error", t("error.invalid", detail=str(error)[:300])))
    return redirect(request, f"{PREFIX}/insights/{analysis['id']}")


@router.get("/insights/{insight_id}")
def insight_page(request: Request, insight_id: str, session: Reader) -> Response:
    """One analysis: the headline figures, the ranked insights and what to do, movers, anomalies."""
    principal = session.principal
    assert principal is not None
    lang = language(request)
    analysis = service.get_analysis(principal.tenant_id, insight_id)
    kpis = [{"key": k, **analysis["kpis"][k]} for k in HEADLINE_KPIS]
    movers = analysis["movers"]["products"]
    words = translator(lang)
    change = f"{words('insights.change')} ({analysis['currency']})"
    figure = with_axes(movers_figure(movers, analysis["currency"]), change, None) if movers else None
    return render(request, "insight.html", {"a": analysis, "kpis": kpis, "figure": figure, "L": lang})


@router.get("/insights/{insight_id}/report.{fmt}")
def insight_report(request: Request, insight_id: str, fmt: str, session: Reader) -> Response:
    """The same report as ``GET /v1/insights/{id}/report``, for the signed-in user."""
    principal = session.principal
    assert principal is not None
    if fmt not in ("md", "html"):
        return render(request, "error.html", {"status": 404, "message": fmt}, status=404)
    text = service.report(principal.tenant_id, insight_id, fmt, language(request))  # type: ignore[arg-type]
    media = "text/markdown; charset=utf-8" if fmt == "md" else "text/html; charset=utf-8"
    headers = {"content-security-policy": "default-src 'none'; style-src 'unsafe-inline'", "cache-control": "no-store"}
    return Response(text, media_type=media, headers=headers)


def movers_figure(movers: list[dict[str, Any]], currency: str) -> dict[str, Any]:
    """Each top product's contribution to the change, as horizontal bars (rises in teal, falls in red)."""
    rows = list(reversed(movers[:10]))
    data = [{
        "type": "bar", "orientation": "h", "x": [m["change"] for m in rows],
        "y": [m["name"][:40] for m in rows],
        "marker": {"color": [ACCENT if (m["change"] or 0) >= 0 else DOWN for m in rows]},
        "hovertemplate": f"%{{y}}: %{{x:,.2f}} {currency}<extra></extra>",
    }]  # fmt: skip
    layout = {**LAYOUT, "height": 340, "margin": {"l": 10, "r": 10, "t": 10, "b": 30},
              "yaxis": {"automargin": True}, "xaxis": {"gridcolor": "#e2e8f0", "zeroline": True}}  # fmt: skip
    return {"data": data, "layout": layout}
