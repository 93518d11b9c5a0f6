"""Recommendations over HTTP: ranked items with reasons, the plan's /v1/predict contract, similar items,
bought-together, and feedback for online CTR. With no deployed model, or one that fails to load, the
rules fallback answers (``"path": "rules"`` and the ``fallback_reason``)."""

from __future__ import annotations

import logging
import threading
import time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tendero.api.audit import audited
from tendero.api.deps import IngestDep, PredictorDep, language_of
from tendero.errors import NotFound
from tendero.observability import metrics
from tendero.recommend.recommender import Filters
from tendero.registry.service import deployed_models
from tendero.store import audit as audit_rows
from tendero.store.commerce import read_user_interactions_since

router = APIRouter(tags=["recommendations"])
log = logging.getLogger("tendero.recommendations")
DEFAULT_MODEL = "recommender"
RULES_CACHE_SECONDS = 60.0


class RecommendIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    user_id: str | None = Field(None, max_length=200, description="unknown or absent: a cold-start user")
    k: int = Field(10, ge=1, le=500)
    filters: Filters = Field(
        default_factory=lambda: Filters.model_validate({}), description="business rules applied before ranking"
    )
    exclude: list[str] = Field(default_factory=list, max_length=10_000)
    candidates: list[str] | None = Field(None, max_length=10_000, description="rank only these items")
    history: list[str] = Field(default_factory=list, max_length=1000, description="items seen since training")
    model: str = DEFAULT_MODEL

    @field_validator("filters", mode="before")
    @classmethod
    def _strict_filters(cls, value: Any) -> Any:
        """The rules are checked as strictly as the request (a nested model keeps its own, lax, config)."""
        return Filters.model_validate(value, strict=True) if isinstance(value, dict) else value


class PredictIn(BaseModel):
    """The book-recommendation plan's ML-service contract: scores for candidates, in the same order."""

    # exactly one of the two lists, said in the schema as well as checked
    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"oneOf": [
        {"required": ["candidate_books"], "properties": {"candidate_books": {"type": "array"}}},
        {"required": ["candidate_items"], "properties": {"candidate_items": {"type": "array"}}},
    ]})  # fmt: skip

    user_id: str | None = None
    candidate_books: list[str] | None = Field(None, max_length=10_000)
    candidate_items: list[str] | None = Field(None, max_length=10_000)
    model: str = DEFAULT_MODEL

    @model_validator(mode="after")
    def _one_list(self) -> PredictIn:
        if (self.candidate_books is None) == (self.candidate_items is None):
            raise ValueError("give exactly one of candidate_books or candidate_items")
        return self


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    user_id: str = Field(max_length=200)
    item_ids: list[str] = Field(min_length=1, max_length=500)
    event: Literal["impression", "click", "conversion"]
    model: str = DEFAULT_MODEL
    version: str | None = Field(None, description="the version that served them (from the response)")


class _RulesCache:
    """The rules fallback per tenant, rebuilt from the tenant's data at most once a minute."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, tenant_id: str) -> Any:
        entry = self._entries.get(tenant_id)
        if entry is not None and time.monotonic() - entry[0] < RULES_CACHE_SECONDS:
            return entry[1]
        from tendero.data.frames import tenant_frames
        from tendero.recommend.recommender import Recommender

        frames = tenant_frames(tenant_id, ("interactions", "order_lines", "products"))
        recommender = Recommender.rules_only(frames["interactions"], frames["order_lines"], frames["products"])
        with self._lock:
            self._entries[tenant_id] = (time.monotonic(), recommender)
        return recommender


rules_cache = _RulesCache()


FALLBACK_REASONS: dict[str, dict[str, str]] = {
    "no_model": {
        "en": "no recommender is deployed: business rules answered",
        "es": "no hay un recomendador desplegado: respondieron las reglas de negocio",
    },
    "load_failed": {
        "en": "the deployed recommender could not be loaded ({error}): business rules answered; it has been logged",
        "es": "no se pudo cargar el recomendador desplegado ({error}): respondieron las reglas de negocio; "
        "quedó registrado en el log",
    },
}
_LOG_EVERY_SECONDS = 60.0
_last_logged: dict[tuple[str, str, str], float] = {}


async def serving_recommender_now(tenant_id: str, model: str, language: str = "es") -> tuple[Any, dict[str, Any]]:
    """``serving_recommender`` for async endpoints: the cached model straight away, and the database
    check or a (re)load, which block, in the thread pool."""
    served = deployed_models.fresh(tenant_id, model)
    if served is not None:
        return served.fitted, {"model": model, "version": served.version, "path": "model"}
    return await run_in_threadpool(serving_recommender, tenant_id, model, language)


def serving_recommender(tenant_id: str, model: str, language: str = "es") -> tuple[Any, dict[str, Any]]:
    """The deployed recommender, or the rules fallback — when none is deployed, and also when the
    deployed one cannot be loaded (a damaged or unreadable artifact: logged, and said in the answer
    as ``fallback_reason``); and how to describe which one served."""
    try:
        served = deployed_models.get(tenant_id, model)
    except NotFound:
        return rules_cache.get(tenant_id), _rules_answer("no_model", language)
    except Exception as error:  # the deployed version exists but will not load: rules keep the shop selling
        _log_load_failure(tenant_id, model, error)
        return rules_cache.get(tenant_id), _rules_answer("load_failed", language, type(error).__name__)
    return served.fitted, {"model": model, "version": served.version, "path": "model"}


def _rules_answer(code: str, language: str, error: str = "") -> dict[str, Any]:
    text = FALLBACK_REASONS[code]["en" if language == "en" else "es"].format(error=error)
    return {"model": None, "version": None, "path": "rules", "fallback_reason": {"code": code, "message": text}}


def _log_load_failure(tenant_id: str, model: str, error: Exception) -> None:
    """Log a failed load once a minute per tenant, model and error kind (every request would retry it)."""
    key = (tenant_id, model, type(error).__name__)
    now = time.monotonic()
    if now - _last_logged.get(key, -_LOG_EVERY_SECONDS) >= _LOG_EVERY_SECONDS:
        _last_logged[key] = now
        log.error("deployed recommender %r of tenant %s failed to load; serving the rules fallback: %s: %s",
                  model, tenant_id, type(error).__name__, error)  # fmt: skip


def require_item(recommender: Any, item_id: str) -> None:
    if recommender.catalogue.items.get(str(item_id)) is None:
        raise NotFound(f"no item {item_id!r} in the catalogue")


@router.post("/v1/recommendations")
async def recommend(body: RecommendIn, request: Request, principal: PredictorDep) -> dict[str, Any]:
    """Top-k items with a 0–1 score, a reason a shop can show, and the path that served each.

    Async on purpose: ranking takes about a millisecond of CPU, less than handing the request to a
    worker thread and back costs under load (the GIL hand-over), so it runs on the event loop; only
    the model lookup that may block goes to the thread pool."""
    with audited(request, principal, "predict", body.model) as trail:
        filters = body.filters
        language = language_of(request)
        recommender, served = await serving_recommender_now(principal.tenant_id, body.model, language)
        trail.model, trail.version = served["model"], served["version"]
        recent = None
        if served["path"] == "model" and body.user_id is not None:
            # What the user did after the model's training data ends: folded in now, no refit needed.
            recent = await run_in_threadpool(
                read_user_interactions_since, principal.tenant_id, body.user_id, recommender.trained_until()
            )
        items = recommender.recommend(
            body.user_id, body.k, filters, body.exclude, body.candidates, body.history or None, language, recent
        )
        metrics.predictions.labels("recommender", body.model, str(served["version"])).inc()
        return {"user_id": body.user_id, "items": [item.model_dump() for item in items], **served}


@router.post("/v1/predict")
async def predict_scores(body: PredictIn, request: Request, principal: PredictorDep) -> dict[str, Any]:
    """Scores for the given candidates in their order (on the event loop, as ``recommend``)."""
    with audited(request, principal, "predict", body.model) as trail:
        candidates = body.candidate_books if body.candidate_books is not None else body.candidate_items or []
        recommender, served = await serving_recommender_now(principal.tenant_id, body.model, language_of(request))
        trail.model, trail.version = served["model"], served["version"]
        scores = recommender.score(body.user_id, candidates)
        return {"user_id": body.user_id, "scores": scores, **served}


@router.get("/v1/items/{item_id}/similar")
def similar(
    item_id: str, request: Request, principal: PredictorDep, k: Annotated[int, Query(ge=1, le=100)] = 10,
    model: str = DEFAULT_MODEL,
) -> dict[str, Any]:  # fmt: skip
    """Items like this one (content and co-occurrence), each with a reason."""
    with audited(request, principal, "read", model) as trail:
        recommender, served = serving_recommender(principal.tenant_id, model, language_of(request))
        trail.model, trail.version = served["model"], served["version"]
        require_item(recommender, item_id)
        items = recommender.similar(item_id, k, language_of(request))
        return {"item_id": item_id, "items": [i.model_dump() for i in items], **served}


@router.get("/v1/items/{item_id}/bought-together")
def bought_together(
    item_id: str, request: Request, principal: PredictorDep, k: Annotated[int, Query(ge=1, le=100)] = 10,
    model: str = DEFAULT_MODEL,
) -> dict[str, Any]:  # fmt: skip
    """Items bought in the same orders as this one, each with a reason."""
    with audited(request, principal, "read", model) as trail:
        recommender, served = serving_recommender(principal.tenant_id, model, language_of(request))
        trail.model, trail.version = served["model"], served["version"]
        require_item(recommender, item_id)
        items = recommender.bought_together(item_id, k, language_of(request))
        return {"item_id": item_id, "items": [i.model_dump() for i in items], **served}


@router.post("/v1/recommendations/feedback", status_code=status.HTTP_202_ACCEPTED)
def feedback(body: FeedbackIn, principal: IngestDep) -> dict[str, Any]:
    """Impressions, clicks and conversions; CTR and conversion per version appear in /v1/usage."""
    rows = [{"model_name": body.model, "model_version": body.version, "user_id": body.user_id, "item_id": item,
             "event": body.event} for item in body.item_ids]  # fmt: skip
    audit_rows.add_feedback(principal.tenant_id, rows)
    return {"recorded": len(rows)}
