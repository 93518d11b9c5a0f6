"""Price suggestions over HTTP: ``POST /v1/predict/price`` (the 3T contract) and the elasticities behind it."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request

from tendero.api.audit import record_call
from tendero.api.deps import PageDep, PredictorDep, ReaderDep, language_of
from tendero.observability import metrics
from tendero.services import pricing as service

router = APIRouter(tags=["pricing"])


@router.post("/v1/predict/price")
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


@router.get("/v1/pricing/elasticities")
def elasticities(principal: ReaderDep, page: PageDep, model: str = service.DEFAULT_MODEL) -> dict[str, Any]:
    """Each product's elasticity, its source (own price changes or category) and how much it was shrunk."""
    return service.elasticities(principal.tenant_id, model, page.limit, page.offset)
