"""A/B experiments over HTTP: define, assign units, send events, read results with a verdict, stop, promote.

Thin: every route calls ``tendero.services.experiments`` with the caller's tenant; an experiment of
another tenant is a 404 like one that does not exist.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field

from tendero.api.deps import AdminDep, IngestDep, PageDep, PredictorDep, ReaderDep, TrainerDep, language_of
from tendero.api.errors import ProblemError
from tendero.errors import Invalid
from tendero.services import experiments as service

router = APIRouter(prefix="/v1/experiments", tags=["experiments"])


class EventsIn(BaseModel):
    """A batch of up to 10,000 events; each is checked on its own, so one bad event loses no other."""

    model_config = ConfigDict(extra="forbid")

    events: list[Any] = Field(min_length=1, max_length=service.MAX_EVENTS)


class WeightsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    weights: dict[str, float] = Field(min_length=1, description="variant -> weight; units already assigned stay")


class PromoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    variant: str | None = Field(None, description="promote this variant instead of the verdict's winner")


def _invalid(error: Invalid) -> ProblemError:
    return ProblemError(422, str(error), error.errors)


@router.post("", status_code=status.HTTP_201_CREATED)
def create(body: service.ExperimentIn, principal: TrainerDep) -> dict[str, Any]:
    """Start an experiment: variants with weights (the first is the control), the unit, primary and guardrail
    metrics, an optional pre-period covariate, and for model experiments the version behind each variant."""
    try:
        return service.create(principal.tenant_id, body)
    except Invalid as error:
        raise _invalid(error) from error


@router.get("")
def list_experiments(principal: ReaderDep, page: PageDep, status: str | None = None) -> dict[str, Any]:
    items, total = service.list_all(principal.tenant_id, page.limit, page.offset, status)
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}


@router.get("/{experiment_id}")
def get(experiment_id: str, principal: ReaderDep) -> dict[str, Any]:
    return service.get(principal.tenant_id, experiment_id)


@router.get("/{experiment_id}/assignment")
def assignment(
    experiment_id: str,
    principal: PredictorDep,
    unit: Annotated[str | None, Query(max_length=200, description="customer, session or request id")] = None,
) -> dict[str, Any]:
    """The unit's variant: always the same for the same unit, whatever the weights became since."""
    try:
        service.load(principal.tenant_id, experiment_id)  # an unknown experiment is a 404 before a missing unit
        if unit is None:
            raise Invalid("give the unit: ?unit=<customer, session or request id>",
                          [{"field": "query.unit", "message": "required"}])  # fmt: skip
        return service.assign(principal.tenant_id, experiment_id, unit)
    except Invalid as error:
        raise _invalid(error) from error


@router.post("/{experiment_id}/events")
def events(experiment_id: str, body: EventsIn, principal: IngestDep) -> dict[str, Any]:
    """Exposures, outcomes and covariates, idempotent by ``event_id``. The valid ones are stored together;
    each rejected one is listed with its index, field and reason; duplicates are counted, not stored again."""
    try:
        report = service.record_events(principal.tenant_id, experiment_id, body.events)
    except Invalid as error:
        raise _invalid(error) from error
    if report["rejected"] and not report["accepted"] and not report["duplicates"]:
        raise ProblemError(422, f"all {report['received']} events were rejected", report["rejected"])
    return report


@router.get("/{experiment_id}/results")
def results(experiment_id: str, request: Request, principal: ReaderDep) -> dict[str, Any]:
    """Per metric and variant: mean, absolute and relative effect with 95 % intervals (fixed and always-valid),
    p-values, CUPED, the sample-ratio check, and the verdict in the caller's language."""
    return service.results(principal.tenant_id, experiment_id, language_of(request))


@router.get("/{experiment_id}/timeline")
def timeline(
    experiment_id: str, principal: ReaderDep, metric: str | None = None,
    points: Annotated[int, Query(ge=2, le=365)] = 30,
) -> dict[str, Any]:  # fmt: skip
    """The relative effect on a metric (the primary by default) at the end of each day, with both intervals."""
    return service.timeline(principal.tenant_id, experiment_id, metric, points)


@router.post("/{experiment_id}/weights")
def weights(experiment_id: str, body: WeightsIn, principal: TrainerDep) -> dict[str, Any]:
    try:
        return service.set_weights(principal.tenant_id, experiment_id, body.weights)
    except Invalid as error:
        raise _invalid(error) from error


@router.post("/{experiment_id}/stop")
def stop(experiment_id: str, request: Request, principal: TrainerDep) -> dict[str, Any]:
    """End the experiment; the final results and the winner are kept."""
    return service.stop(principal.tenant_id, experiment_id, language_of(request))


@router.post("/{experiment_id}/promote")
def promote(experiment_id: str, body: PromoteIn, request: Request, principal: AdminDep) -> dict[str, Any]:
    """Model experiments: stop and deploy the winning variant's model version (or ``variant``'s)."""
    try:
        return service.end_and_promote(principal.tenant_id, experiment_id, language_of(request), body.variant)
    except Invalid as error:
        raise _invalid(error) from error
