"""Customer intelligence over HTTP: segments, one customer's insights, churn (the 3T contract),
customers at risk by value, and likely buyers for the weekly campaign. Served by the deployed
``customers`` model; 404 with what to do when none is trained yet."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from tendero.api.audit import audited
from tendero.api.deps import PageDep, PredictorDep, ReaderDep, language_of
from tendero.api.errors import ProblemError
from tendero.api.openapi import problems
from tendero.observability import metrics
from tendero.services import customers
from tendero.services.customers import DEFAULT_MODEL, SEGMENTS

router = APIRouter(tags=["customers"])
NO_MODEL = problems(404, s404="No customer model is deployed — No hay un modelo de clientes desplegado")


@router.get("/v1/customers/segments", responses=NO_MODEL)
def segments(
    request: Request, principal: ReaderDep, page: PageDep, model: str = DEFAULT_MODEL,
    segment: Annotated[str | None, Query(pattern="^(" + "|".join(SEGMENTS) + ")$", description="one segment")] = None,
) -> dict[str, Any]:  # fmt: skip
    """The segment summary, the k-means clusters described in words, and members (most valuable
    first), optionally of one segment."""
    with audited(request, principal, "read", model) as trail:
        served = customers.deployed_customers(principal.tenant_id, model)
        trail.version = served.version
        try:
            members, total = served.fitted.segment_members(segment, page.limit, page.offset)
        except KeyError as error:
            raise ProblemError(
                422, str(error.args[0]), [{"field": "query.segment", "message": str(error.args[0])}]
            ) from error
        return {
            "model": {"name": model, "version": served.version},
            "currency": customers.currency(principal.tenant_id),
            "summary": served.fitted.segments_summary(language_of(request)),
            "members": {"items": members, "total": total, "limit": page.limit, "offset": page.offset},
            "clusters": served.fitted.clusters_summary(language_of(request)),
        }


@router.get("/v1/customers/at-risk", responses=NO_MODEL)
def at_risk(
    request: Request,
    principal: ReaderDep,
    min_value: Annotated[float, Query(ge=0)] = 0.0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    model: str = DEFAULT_MODEL,
) -> dict[str, Any]:
    """Customers sorted by value at risk (churn probability × value expected if they stay)."""
    with audited(request, principal, "read", model) as trail:
        served = customers.deployed_customers(principal.tenant_id, model)
        trail.version = served.version
        items = served.fitted.at_risk(min_value, limit, language_of(request))
        currency = customers.currency(principal.tenant_id)
        return {"model": {"name": model, "version": served.version}, "currency": currency, "items": items}


@router.get("/v1/customers/likely-buyers", responses=NO_MODEL)
def likely_buyers(
    request: Request,
    principal: ReaderDep,
    days: Annotated[int, Query(ge=1, le=365)] = 7,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    min_probability: Annotated[float, Query(ge=0, le=1)] = 0.0,
    model: str = DEFAULT_MODEL,
) -> dict[str, Any]:
    """Who is most likely to buy in the next ``days`` (the weekly purchase-prediction workflow)."""
    with audited(request, principal, "read", model) as trail:
        served = customers.deployed_customers(principal.tenant_id, model)
        trail.version = served.version
        items = served.fitted.likely_buyers(days, limit, min_probability)
        currency = customers.currency(principal.tenant_id)
        return {"model": {"name": model, "version": served.version}, "days": days, "currency": currency,
                "items": items}  # fmt: skip


@router.get("/v1/customers/{customer_id}/insights")
def insights(customer_id: str, request: Request, principal: ReaderDep, model: str = DEFAULT_MODEL) -> dict[str, Any]:
    """Segment, R/F/M scores, churn probability, P(alive), expected purchases 30/90 days, CLV, top reasons."""
    with audited(request, principal, "read", model) as trail:
        served = customers.deployed_customers(principal.tenant_id, model)
        trail.version = served.version
        customers.require_customer(served, customer_id)
        currency = customers.currency(principal.tenant_id)
        return {"model": {"name": model, "version": served.version}, "currency": currency,
                **served.fitted.insights(customer_id, language_of(request))}  # fmt: skip


@router.post("/v1/predict/churn/{customer_id}")
def predict_churn(
    customer_id: str, request: Request, principal: PredictorDep, model: str = DEFAULT_MODEL
) -> dict[str, Any]:
    """The 3T contract: churn probability, risk level, whether churn is expected, and why."""
    with audited(request, principal, "predict", model) as trail:
        served = customers.deployed_customers(principal.tenant_id, model)
        trail.version = served.version
        customers.require_customer(served, customer_id)
        answer = served.fitted.churn_prediction(customer_id, language_of(request))
        metrics.predictions.labels("customers", model, served.version).inc()
        return {"customer_id": customer_id, "model_version": served.version,
                "currency": customers.currency(principal.tenant_id), **answer}  # fmt: skip
