"""Product search over HTTP: ``GET /v1/search`` and the s1 design's ``POST /v1/recommend?query_text=``."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from tendero.api.audit import record_call
from tendero.api.deps import PredictorDep, language_of
from tendero.api.errors import ProblemError
from tendero.catalogue.search import SEARCH_NOTICES
from tendero.services import search as search_service
from tendero.services.search import ModelMissing
from tendero.services.tenant_settings import currency_of

router = APIRouter(tags=["search"])
MAX_QUERY_CHARS = 500
NOTICES = SEARCH_NOTICES  # the texts live in the one catalogue (tendero.catalogue.search)


def _notice(code: str | None, request: Request) -> str | None:
    return NOTICES[code][language_of(request)] if code else None


@router.get("/v1/search")
def search_products(
    request: Request,
    principal: PredictorDep,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="what the shopper typed")] = "",
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    offset: Annotated[int, Query(ge=0, le=1000)] = 0,
    category: Annotated[str | None, Query(max_length=200, description="only this category")] = None,
    min_price: Annotated[float | None, Query(ge=0)] = None,
    max_price: Annotated[float | None, Query(ge=0)] = None,
) -> dict[str, Any]:
    """Products of this tenant for a text, best first: name, category, price, score, and which parts
    matched (``name``, ``brand``, ``category``, ``description``, ``attributes`` by words; ``meaning``)."""
    started = time.perf_counter()
    text = q.strip()
    empty_range = min_price is not None and max_price is not None and min_price > max_price
    if not text or empty_range:  # nothing to find: no results, and a notice that says why (not an error)
        return {
            "query": text,
            "items": [],
            "total": 0,
            "limit": limit,
            "offset": offset,
            "index": None,
            "notice": _notice("empty" if not text else "empty_price_range", request),
        }
    try:
        answer = search_service.search(
            principal.tenant_id,
            text,
            limit=limit,
            offset=offset,
            category=category,
            min_price=min_price,
            max_price=max_price,
        )
    except ModelMissing as error:
        raise ProblemError(503, str(error)) from error
    record_call(request, principal, "predict", started, 200, model="search", version=str(answer.index["version"]))
    return {
        "query": answer.query,
        "items": [vars(item) for item in answer.items],
        "currency": currency_of(principal.tenant_id),  # of each item's price
        "total": answer.total,
        "limit": limit,
        "offset": offset,
        "index": answer.index,
        "notice": _notice(answer.notice, request),
    }


class RecommendTextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query_text: str | None = Field(None, max_length=MAX_QUERY_CHARS)
    user_id: str | None = Field(None, max_length=200)
    limit: int | None = Field(None, ge=1, le=100)


@router.post("/v1/recommend")
def recommend_for_text(
    request: Request,
    principal: PredictorDep,
    query_text: Annotated[str | None, Query(max_length=MAX_QUERY_CHARS)] = None,
    user_id: Annotated[str | None, Query(max_length=200, description="re-rank for this customer")] = None,
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
    body: Annotated[RecommendTextIn | None, Body()] = None,
) -> dict[str, Any]:
    """The s1 contract (``POST /v1/recommend?query_text=café fuerte&limit=5``, or the same fields as JSON):
    products similar to the text; with ``user_id``, re-ranked by the deployed recommender's scores."""
    started = time.perf_counter()
    given = body or RecommendTextIn()
    text = (given.query_text if given.query_text is not None else query_text or "").strip()
    if not text:
        return {
            "query": text,
            "user_id": given.user_id or user_id,
            "similar_products": [],
            "reranked_by": None,
            "index": None,
            "notice": _notice("empty", request),
            "response_time_ms": 0.0,
        }
    try:
        answer = search_service.recommend_for_text(
            principal.tenant_id, text, user_id=given.user_id or user_id, limit=given.limit or limit or 5
        )
    except ModelMissing as error:
        raise ProblemError(503, str(error)) from error
    reranked = answer["reranked_by"]
    record_call(
        request,
        principal,
        "predict",
        started,
        200,
        model=reranked["model"] if reranked else "search",
        version=reranked["version"] if reranked else str(answer["index"]["version"]),
    )
    answer["notice"] = _notice(answer["notice"], request)
    answer["currency"] = currency_of(principal.tenant_id)  # of each product's price
    answer["response_time_ms"] = round((time.perf_counter() - started) * 1000, 2)
    return answer
