"""Price suggestions over HTTP: ``POST /v1/predict/price`` (the 3T contract) and the elasticities behind it."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from tendero.api.audit import record_call
from tendero.api.deps import PageDep, PredictorDep, ReaderDep, language_of
from tendero.api.openapi import problems
from tendero.observability import metrics
from tendero.services import pricing as service

router = APIRouter(tags=["pricing"])


NO_MODEL = problems(
    404, s404="No pricing model deployed under that name — No hay un modelo de precios desplegado con ese nombre"
)


@router.post("/v1/predict/price", responses=NO_MODEL)
def predict_price(body: service.PriceRequest, request: Request, principal: PredictorDep) -> dict[str, Any]:
    """The revenue- or margin-optimal price inside the guardrail (±10 % by default, never under cost), with
    its 95 % interval and expected demand; "cannot_estimate" and the category's elasticity when the product's
    price never moved."""
    started = time.perf_counter()
    answer = service.suggest_price(principal.tenant_id, body, language_of(request))
    version = answer["model"]["version"]
    metrics.predictions.labels("pricing", body.model, version).inc()
    record_call(request, principal, "predict", started, 200, model=body.model, version=version)
    return answer


@router.get("/v1/pricing/elasticities", responses=NO_MODEL)
def elasticities(
    principal: ReaderDep,
    page: PageDep,
    model: Annotated[
        str, Query(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="model name")
    ] = service.DEFAULT_MODEL,
) -> dict[str, Any]:
    """Each product's elasticity, its source (own price changes or category) and how much it was shrunk."""
    return service.elasticities(principal.tenant_id, model, page.limit, page.offset)
