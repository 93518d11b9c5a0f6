"""Recommendations over HTTP: ranked items with reasons, the plan's /v1/predict contract, similar items,
bought-together, and feedback for online CTR. With no deployed model, or one that fails to load, the
rules fallback answers (``"path": "rules"`` and the ``fallback_reason``)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tendero.api.audit import audited
from tendero.api.deps import IngestDep, PredictorDep, language_of
from tendero.api.errors import ProblemError
from tendero.errors import Invalid
from tendero.kinds import RecommenderModel
from tendero.observability import metrics
from tendero.services import experiments, recommendations
from tendero.services.models import WrongSurface
from tendero.services.recommendations import DEFAULT_MODEL, Filters

router = APIRouter(tags=["recommendations"])


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
    event_id: str | None = Field(
        None, min_length=1, max_length=200,
        description="your id for this event: sent again, it counts once in a running model experiment",
    )  # fmt: skip
    unit: str | None = Field(
        None, min_length=1, max_length=200,
        description="the experiment unit the answer named (default: user_id)",
    )  # fmt: skip


async def serving_recommender_now(tenant_id: str, model: str, language: str = "es") -> tuple[Any, dict[str, Any]]:
    """``serving_recommender`` for async endpoints: the cached model straight away, and the database
    check or a (re)load, which block, in the thread pool."""
    served = recommendations.fresh(tenant_id, model)
    if served is not None:
        return served.fitted, {"model": model, "version": served.version, "path": "model"}
    return await run_in_threadpool(recommendations.serving_recommender, tenant_id, model, language)


async def _serving_for(
    request: Request, tenant_id: str, model: str, user_id: str | None, language: str
) -> tuple[Any, dict[str, Any]]:
    """The recommender that answers this request: the version a running model experiment gives its unit (the
    answer names the experiment, variant and unit, for feedback), else the deployed one or the rules."""
    if experiments.may_route(tenant_id, model):
        try:
            routed = await run_in_threadpool(
                experiments.routed_model, tenant_id, model, customer=user_id, request=request.state.request_id,
                surface=RecommenderModel,
            )  # fmt: skip
        except WrongSurface:  # a model of another kind under that name: no recommender serves it, the rules do
            routed = None
        if routed is not None:
            request.state.routed_model = routed
            described = {"model": model, "version": routed.served.version, "path": "model"}
            return routed.served.fitted, {**described, "experiment": routed.describe()}
    return await serving_recommender_now(tenant_id, model, language)


def _shadow(request: Request, answer: Any) -> None:
    routed = getattr(request.state, "routed_model", None)
    if routed is not None:
        experiments.answer_in_shadow(routed, answer)


@router.post("/v1/recommendations")
async def recommend(body: RecommendIn, request: Request, principal: PredictorDep) -> dict[str, Any]:
    """Top-k items with a 0–1 score, a reason a shop can show, and the path that served each.

    Async on purpose: ranking takes about a millisecond of CPU, less than handing the request to a
    worker thread and back costs under load (the GIL hand-over), so it runs on the event loop; only
    the model lookup that may block goes to the thread pool."""
    with audited(request, principal, "predict", body.model) as trail:
        filters = body.filters
        language = language_of(request)
        recommender, served = await _serving_for(request, principal.tenant_id, body.model, body.user_id, language)
        trail.model, trail.version = served["model"], served["version"]
        recent = None
        if served["path"] == "model" and body.user_id is not None:
            # What the user did after the model's training data ends: folded in now, no refit needed.
            recent = await run_in_threadpool(
                recommendations.interactions_since, principal.tenant_id, body.user_id, recommender.trained_until()
            )

        excluded = await run_in_threadpool(recommendations.excluded_items, principal.tenant_id)
        exclude = [*body.exclude, *excluded] if excluded else body.exclude

        def answer(model: Any) -> Any:
            return model.recommend(
                body.user_id, body.k, filters, exclude, body.candidates, body.history or None, language, recent
            )

        items = answer(recommender)
        _shadow(request, answer)
        metrics.predictions.labels("recommender", body.model, str(served["version"])).inc()
        asked = recommendations.who_asked(recommender, body.user_id, recent, body.history, language)
        rows = await run_in_threadpool(recommendations.item_rows, principal.tenant_id, items, excluded, body.k)
        return {"user_id": body.user_id, **asked, "items": rows, **served}


@router.post("/v1/predict")
async def predict_scores(body: PredictIn, request: Request, principal: PredictorDep) -> dict[str, Any]:
    """Scores for the given candidates in their order (on the event loop, as ``recommend``)."""
    with audited(request, principal, "predict", body.model) as trail:
        candidates = body.candidate_books if body.candidate_books is not None else body.candidate_items or []
        language = language_of(request)
        recommender, served = await _serving_for(request, principal.tenant_id, body.model, body.user_id, language)
        trail.model, trail.version = served["model"], served["version"]
        scores = recommender.score(body.user_id, candidates)
        _shadow(request, lambda model: model.score(body.user_id, candidates))
        asked = recommendations.who_asked(recommender, body.user_id, None, [], language)
        return {"user_id": body.user_id, **asked, "scores": scores, **served}


@router.get("/v1/items/{item_id}/similar")
def similar(
    item_id: str, request: Request, principal: PredictorDep, k: Annotated[int, Query(ge=1, le=100)] = 10,
    model: str = DEFAULT_MODEL,
) -> dict[str, Any]:  # fmt: skip
    """Items like this one (content and co-occurrence), each with a reason."""
    with audited(request, principal, "read", model) as trail:
        recommender, served = recommendations.serving_recommender(principal.tenant_id, model, language_of(request))
        trail.model, trail.version = served["model"], served["version"]
        recommendations.require_item(recommender, item_id, served)
        excluded = recommendations.excluded_items(principal.tenant_id)
        items = recommender.similar(item_id, recommendations.room_for(excluded, k), language_of(request))
        rows = recommendations.item_rows(principal.tenant_id, items, excluded, k)
        return {"item_id": item_id, **recommendations.item_of(principal.tenant_id, item_id), "items": rows, **served}


@router.get("/v1/items/{item_id}/bought-together")
def bought_together(
    item_id: str, request: Request, principal: PredictorDep, k: Annotated[int, Query(ge=1, le=100)] = 10,
    model: str = DEFAULT_MODEL,
) -> dict[str, Any]:  # fmt: skip
    """Items bought in the same orders as this one, each with a reason."""
    with audited(request, principal, "read", model) as trail:
        recommender, served = recommendations.serving_recommender(principal.tenant_id, model, language_of(request))
        trail.model, trail.version = served["model"], served["version"]
        recommendations.require_item(recommender, item_id, served)
        excluded = recommendations.excluded_items(principal.tenant_id)
        items = recommender.bought_together(item_id, recommendations.room_for(excluded, k), language_of(request))
        rows = recommendations.item_rows(principal.tenant_id, items, excluded, k)
        return {"item_id": item_id, **recommendations.item_of(principal.tenant_id, item_id), "items": rows, **served}


@router.post("/v1/recommendations/feedback", status_code=status.HTTP_202_ACCEPTED)
def feedback(body: FeedbackIn, principal: IngestDep) -> dict[str, Any]:
    """Impressions, clicks and conversions; CTR and conversion per version appear in /v1/usage."""
    try:
        attributed = experiments.attribute(
            principal.tenant_id, body.model, body.unit or body.user_id, body.event,
            body.event_id or uuid.uuid4().hex, value=float(len(body.item_ids)), version=body.version,
        )  # fmt: skip
    except Invalid as error:
        raise ProblemError(422, str(error), [{**e, "field": f"body.{e['field']}"} for e in error.errors]) from error
    recorded = recommendations.record_feedback(principal.tenant_id, body.model, body.version, body.user_id,
                                               body.item_ids, body.event)  # fmt: skip
    answer: dict[str, Any] = {"recorded": recorded}
    if attributed is not None:  # the model runs an experiment: the event counts for the version that served
        answer["experiment"] = {"accepted": attributed["accepted"], "rejected": attributed["rejected"]}
    return answer
