"""The Experiments pages: every experiment of the tenant, and one experiment's results, verdict and effect over time.

They call the same service as ``/v1/experiments`` with the signed-in principal's tenant."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from tendero.services import experiments as service
from tendero.web.access import Reader
from tendero.web.charts import ACCENT, LAYOUT, with_axes
from tendero.web.i18n import translator
from tendero.web.rendering import PREFIX, WebRoute, language, render

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=WebRoute)
BAND_FIXED = "rgba(15,118,110,0.28)"
BAND_SEQUENTIAL = "rgba(15,118,110,0.12)"


@router.get("/experiments")
def experiments_page(request: Request, session: Reader) -> Response:
    """Every experiment, newest first, with its status and winner."""
    principal = session.principal
    assert principal is not None
    items, total = service.list_all(principal.tenant_id, 200, 0)
    return render(request, "experiments.html", {"items": items, "total": total})


@router.get("/experiments/{experiment_id}")
def experiment_page(
    request: Request, experiment_id: str, session: Reader, metric: Annotated[str | None, Query(max_length=64)] = None
) -> Response:
    """The verdict, each metric's effect per variant, and the effect on one metric day by day with its intervals."""
    principal = session.principal
    assert principal is not None
    lang = language(request)
    t = translator(lang)
    experiment = service.get(principal.tenant_id, experiment_id)
    result = service.results(principal.tenant_id, experiment["id"], lang)
    timeline = service.timeline(principal.tenant_id, experiment["id"], metric)
    labels = {
        "estimate": t("experiments.effect"),
        "fixed": t("experiments.interval_fixed"),
        "sequential": t("experiments.interval_sequential"),
    }
    figure = (
        with_axes(effect_figure(timeline["points"], labels), t("chart.day"), t("chart.effect"))
        if timeline["points"]
        else None
    )
    key = "relative_sequential" if result["sequential"] else "relative"
    return render(
        request,
        "experiment.html",
        {
            "e": experiment,
            "r": result,
            "key": key,
            "timeline_metric": timeline["metric"],
            "figure": figure,
            "metric_names": [m["name"] for m in experiment["metrics"]],
        },
    )


def effect_figure(points: list[dict[str, Any]], labels: dict[str, str]) -> dict[str, Any]:
    """The relative effect (in %) at each day per variant, inside its always-valid and fixed 95 % bands."""
    data: list[dict[str, Any]] = []
    variants = list(dict.fromkeys(p["variant"] for p in points))
    for variant in variants:
        rows = [p for p in points if p["variant"] == variant and "estimate" in p]
        days = [p["day"] for p in rows]
        suffix = f" · {variant}" if len(variants) > 1 else ""
        for low, high, colour, name in (
            ("sequential_lower", "sequential_upper", BAND_SEQUENTIAL, "sequential"),
            ("lower", "upper", BAND_FIXED, "fixed"),
        ):
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "x": days,
                    "y": [100 * p[high] for p in rows],
                    "line": {"width": 0},
                    "showlegend": False,
                    "hoverinfo": "skip",
                    "legendgroup": name,
                }
            )
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "x": days,
                    "y": [100 * p[low] for p in rows],
                    "line": {"width": 0},
                    "fill": "tonexty",
                    "fillcolor": colour,
                    "name": labels[name] + suffix,
                    "legendgroup": name,
                    "hoverinfo": "skip",
                }
            )
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "x": days,
                "y": [100 * p["estimate"] for p in rows],
                "name": labels["estimate"] + suffix,
                "line": {"color": ACCENT, "width": 2.5},
                "marker": {"size": 5},
                "hovertemplate": "%{x}: %{y:+.1f} %<extra></extra>",
            }
        )
    layout = {
        **LAYOUT,
        "height": 320,
        "yaxis": {
            "gridcolor": "#e2e8f0",
            "ticksuffix": " %",
            "zeroline": True,
            "zerolinecolor": "#334155",
            "zerolinewidth": 1.5,
        },
    }
    return {"data": data, "layout": layout}
