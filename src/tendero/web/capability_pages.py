"""The capability pages: Forecast, Customers (and one customer), Recommendations. Each reads the deployed model
through the same service calls as its API route, always with the signed-in principal's tenant; with no model yet,
the page says so and offers a train button to the roles that may train (or, while that model's training job is
queued or running, its progress and a link to it instead)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from pydantic import ValidationError
from starlette.responses import Response

from tendero.catalogue.customers import SEGMENT_ACTIONS
from tendero.errors import NotFound
from tendero.kinds import CustomersModel
from tendero.services import forecasts, recommendations, summaries, training
from tendero.services.customers import require_customer
from tendero.services.forecasts import ForecastTrainIn, model_name
from tendero.services.items import say as money_say
from tendero.services.recommendations import Filters
from tendero.web import capabilities, charts
from tendero.web.access import ADMIN, TRAIN, PostTrainer, Reader, can
from tendero.web.i18n import format_number, translator
from tendero.web.period_marks import mark_partial
from tendero.web.rendering import PREFIX, WebRoute, language, record_call, redirect, render

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=WebRoute)
BAND_LEVELS = (80, 95)  # the forecast page's ranges; "in 20" is derived from each level (80 % = 16 in 20)


def _t(request: Request) -> Callable[..., str]:
    return translator(language(request))


# --- forecast ---------------------------------------------------------------------------------------


@router.get("/forecast")
def forecast_page(
    request: Request,
    session: Reader,
    level: Annotated[str | None, Query(pattern="^(total|category|product)$")] = None,
    freq: Annotated[str | None, Query(pattern="^[DWM]$")] = None,
    horizon: Annotated[int | None, Query(ge=1, le=365)] = None,
    series: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """History and forecast with 80/95 % bands for one series of a deployed ``forecast-{level}-{freq}`` model."""
    principal = session.principal
    assert principal is not None
    t = _t(request)
    available = capabilities.deployed_forecasts(principal.tenant_id)
    if level is None and freq is None and available:
        level, freq = next((lf for lf in available if lf == ("category", "M")), available[0])
    level, freq = level or "category", freq or "M"
    view = capabilities.forecast_view(principal.tenant_id, level, freq, horizon, series)
    context: dict[str, Any] = {
        "level": level, "freq": freq, "levels": capabilities.PAGE_LEVELS, "freqs": capabilities.FREQS,
        "available": available, "view": view, "can_train": can(principal, TRAIN),
        "busy": training.models_in_training(principal.tenant_id),
        "has_data": not summaries.sales_summary(principal.tenant_id, 28).empty,
        "default_horizon": capabilities.DEFAULT_HORIZON[freq], "model_name": model_name(level, freq),
    }  # fmt: skip
    if view is not None:
        context["bands_note"] = t(
            "forecast.bands_note",
            hits=f" {t('word.and')} ".join(
                t("forecast.band_hits", count=round(level_pct / 5), level=level_pct) for level_pct in BAND_LEVELS
            ),
        )
        labels = {"history": t("forecast.history"), "forecast": t("forecast.forecast"),
                  "band80": t("forecast.band", level=80), "band95": t("forecast.band", level=95)}  # fmt: skip
        context["figure"] = charts.with_axes(
            charts.forecast_figure(view.history, view.forecast, labels),
            t(f"chart.period.{freq}"),
            t(f"chart.measure.{view.measure}"),
        )
        notes = forecasts.page_notices(principal.tenant_id, level, freq, view.history, language(request))
        context["period_notes"] = notes
        partial = notes["partial_period"]
        if partial is not None and partial.get("end"):  # shaded where it sits, though left out of the model
            label = money_say("chart.partial", language(request))
            mark_partial(context["figure"], partial["start"], partial["end"], label)
    return render(request, "forecast.html", context)


@router.post("/forecast/train")
def forecast_train(
    request: Request,
    session: PostTrainer,
    level: Annotated[str, Form()] = "category",
    freq: Annotated[str, Form()] = "M",
) -> Response:
    """Queue ``forecast-{level}-{freq}`` exactly as ``POST /v1/forecasts/train`` does (same schema and payload)."""
    principal = session.principal
    assert principal is not None
    started = time.perf_counter()
    t = _t(request)
    try:
        asked = {"level": level, "freq": freq, "horizon": capabilities.DEFAULT_HORIZON.get(freq, 3),
                 "history_months": 24 if freq != "M" else 36}  # fmt: skip
        body = ForecastTrainIn.model_validate(asked)
        name = model_name(body.level, body.freq)
        forecasts.submit_training(principal.tenant_id, body, role=principal.role)
    except (ValidationError, ValueError) as error:
        return redirect(request, f"{PREFIX}/forecast", ("error", t("error.invalid", detail=str(error)[:300])))
    record_call(request, principal, "train", started, 202, model=name)
    queued = t("models.queued") if can(principal, ADMIN) else t("models.queued_not_deployed")
    return redirect(request, f"{PREFIX}/jobs", ("success", queued))


# --- customers --------------------------------------------------------------------------------------


@router.get("/customers")
def customers_page(
    request: Request, session: Reader, segment: Annotated[str | None, Query(max_length=50)] = None
) -> Response:
    """Segments (chart and table), customers at risk by value, likely buyers this week; one segment's members."""
    principal = session.principal
    assert principal is not None
    lang = language(request)
    t = translator(lang)
    served = capabilities.deployed(principal.tenant_id, capabilities.CUSTOMER_MODEL, CustomersModel)
    context: dict[str, Any] = {"served": served, "can_train": can(principal, TRAIN),
                               "busy": training.models_in_training(principal.tenant_id),
                               "has_data": not summaries.sales_summary(principal.tenant_id, 28).empty}  # fmt: skip
    if served is not None:
        fitted = served.fitted
        segments = fitted.segments_summary(lang)
        shown = sorted(segments, key=lambda s: -s["customers"])
        members = None
        if segment:
            try:
                members = fitted.segment_members(segment, 25, 0)
            except KeyError as error:
                raise NotFound(str(error.args[0])) from error
        context.update(
            segments=segments,
            segment_names={s["segment"]: s["name"] for s in segments},
            names=capabilities.customer_names(principal.tenant_id),
            segment=segment,
            segment_name=next((s["name"] for s in segments if s["segment"] == segment), segment),
            members=members,
            at_risk=fitted.at_risk(0.0, 10, lang),
            buyers=fitted.likely_buyers(7, 10, 0.0),
            figure=charts.with_axes(
                charts.horizontal_bars([s["name"] for s in shown], [s["customers"] for s in shown]),
                t("kpi.customers"),
                None,
            ),
        )
    return render(request, "customers.html", context)


@router.get("/customers/{customer_id}")
def customer_page(request: Request, customer_id: str, session: Reader) -> Response:
    """One customer: segment, churn probability and its reasons, P(alive), expected purchases, CLV, spend by month."""
    principal = session.principal
    assert principal is not None
    served = capabilities.deployed(principal.tenant_id, capabilities.CUSTOMER_MODEL, CustomersModel)
    if served is None:
        raise NotFound(_t(request)("customers.no_model_short"))
    fitted = served.fitted
    require_customer(served, customer_id)
    lang = language(request)
    t = translator(lang)
    insight = fitted.insights(customer_id, lang)
    spend = capabilities.customer_monthly_spend(principal.tenant_id, customer_id)
    name = capabilities.customer_names(principal.tenant_id).get(customer_id)
    return render(request, "customer.html", {
        "c": insight, "version": served.version, "name": name, "disagreement": segment_disagreement(insight, lang),
        "figure": charts.with_axes(charts.spend_figure(spend["month"], spend["revenue"]), t("chart.month"),
                                   t("chart.spend")) if spend["month"] else None,
    })  # fmt: skip


# Segments that say "keep doing what you do" and those that say "win them back": a churn risk that says the
# opposite must be explained on the page, not left beside the segment's advice.
STAYING_SEGMENTS = frozenset({"champions", "loyal", "potential_loyalists", "new", "promising"})
LEAVING_SEGMENTS = frozenset({"at_risk", "cant_lose", "hibernating", "lost"})
HIGH_RISK, LOW_RISK = 0.5, 0.2


def segment_disagreement(insight: dict[str, Any], lang: str) -> str | None:
    """Why the RFM segment (a rank among the tenant's customers) and the churn risk (this customer's recency against
    their own rhythm) point different ways, with the advice that then holds; None when they agree."""
    t = translator(lang)
    segment, risk = str(insight["segment"]), float(insight["churn_probability"])
    values = {"days": format_number(insight["recency_days"], lang), "rfm": insight.get("rfm", "")}
    if segment in STAYING_SEGMENTS and risk >= HIGH_RISK:
        return t("customers.disagree_good", action=SEGMENT_ACTIONS["at_risk"][lang], **values)
    if segment in LEAVING_SEGMENTS and risk < LOW_RISK:
        return t("customers.disagree_bad", **values)
    return None


# --- recommendations --------------------------------------------------------------------------------


def _describe(rows: list[dict[str, Any]], names: dict[str, str], categories: dict[str, str]) -> None:
    for row in rows:
        row.update(name=names.get(row["item_id"], row["item_id"]), category=categories.get(row["item_id"], "—"))


@router.get("/recommendations")
def recommendations_page(
    request: Request,
    session: Reader,
    user: Annotated[str | None, Query(max_length=200)] = None,
    item: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """Pick a customer: what they bought, what to offer them next (and why), and items like one product."""
    principal = session.principal
    assert principal is not None
    lang = language(request)
    tenant_id = principal.tenant_id
    active = capabilities.active_customers(tenant_id)
    user = (user or "").strip() or (active[0][0] if active else None)
    context: dict[str, Any] = {"active": active, "user": user, "names": capabilities.customer_names(tenant_id),
                               "can_train": can(principal, TRAIN), "busy": training.models_in_training(tenant_id),
                               "has_data": bool(active), "item": None}  # fmt: skip
    if user is not None:
        recommender, served = capabilities.recommender(tenant_id)
        product_name = capabilities.product_names(tenant_id)
        categories = capabilities.product_categories(tenant_id)
        history, history_total = capabilities.purchase_history(tenant_id, user)
        excluded = recommendations.excluded_items(tenant_id)  # the non-product rule, as the API applies it
        answered = recommender.recommend(user, 10, Filters(), list(excluded), None, None, lang)
        items = recommendations.item_rows(tenant_id, answered, excluded, 10)
        context["asked"] = capabilities.who_asked(recommender, user, lang)  # an unknown customer is said so
        _describe(items, product_name, categories)
        first = items[0]["item_id"] if items else (history[0]["product_id"] if history else None)
        item = (item or "").strip() or first
        similar: list[dict[str, Any]] = []
        together: list[dict[str, Any]] = []
        if item is not None:
            capabilities.known_item(recommender, item)
            room = recommendations.room_for(excluded, 8)
            similar = recommendations.item_rows(tenant_id, recommender.similar(item, room, lang), excluded, 8)
            together = recommendations.item_rows(tenant_id, recommender.bought_together(item, room, lang), excluded, 8)
            _describe([*similar, *together], product_name, categories)
        context.update(
            served=served, history=history, history_total=history_total, items=items, item=item,
            item_name=product_name.get(item, item) if item else None, similar=similar, together=together,
            figure=charts.with_axes(
                charts.horizontal_bars([f"{r['name']}" for r in items], [round(r["score"], 3) for r in items],
                                       "%{y}: %{x:.2f}"), translator(lang)("recs.score"), None) if items else None,
        )  # fmt: skip
    return render(request, "recommendations.html", context)
