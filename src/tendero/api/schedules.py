"""Schedules over HTTP: cron + time zone + action + channels, next runs, history, run now, run reports,
and the tenant's retention setting. Thin: every route calls ``tendero.services.automation``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response, status

from tendero.api.deps import AdminDep, PageDep, ReaderDep, TrainerDep, language_of
from tendero.api.errors import ProblemError
from tendero.api.openapi import problems
from tendero.services import Invalid
from tendero.services import automation as service

router = APIRouter(tags=["automation"])
NAME_TAKEN = problems(409, s409="The tenant has a schedule of that name — El cliente ya tiene una programación con ese "
                      "nombre")  # fmt: skip
REPORT = {
    200: {
        "description": "The report: Markdown in the caller's language, or JSON — El informe: Markdown o JSON",
        "content": {
            "text/markdown": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
        },
    },
    **problems(404, s404="No such run, or the run has no report yet — No existe la ejecución, o aún no tiene informe"),
}


def _invalid(error: Invalid) -> ProblemError:
    return ProblemError(422, str(error), error.errors)


@router.post("/v1/schedules", status_code=status.HTTP_201_CREATED, responses=NAME_TAKEN)
def create(body: service.ScheduleIn, principal: TrainerDep) -> dict[str, Any]:
    """A schedule: ``cron`` (5 fields or @daily) read in ``timezone``, an ``action`` (retrain, churn_risk,
    likely_buyers, drift_check, sales_analysis) with its ``params``, and the ``channels`` told about each run."""
    try:
        return service.create(principal.tenant_id, body)
    except Invalid as error:
        raise _invalid(error) from error


@router.get("/v1/schedules")
def list_schedules(principal: ReaderDep, page: PageDep, action: str | None = None) -> dict[str, Any]:
    items, total = service.list_all(principal.tenant_id, page.limit, page.offset, action)
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}


@router.get("/v1/schedules/{schedule_id}")
def get(schedule_id: str, principal: ReaderDep) -> dict[str, Any]:
    """The schedule, its next five due times (UTC and local) and its last run."""
    return service.get(principal.tenant_id, schedule_id)


@router.patch("/v1/schedules/{schedule_id}", responses=NAME_TAKEN)
def update(schedule_id: str, body: service.ScheduleUpdate, principal: TrainerDep) -> dict[str, Any]:
    """Change any part; a new time (or enabling again) starts from the next due time after now."""
    try:
        return service.update(principal.tenant_id, schedule_id, body)
    except Invalid as error:
        raise _invalid(error) from error


@router.delete("/v1/schedules/{schedule_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete(schedule_id: str, principal: TrainerDep) -> Response:
    service.delete(principal.tenant_id, schedule_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/v1/schedules/{schedule_id}/run", status_code=status.HTTP_202_ACCEPTED)
def run_now(schedule_id: str, principal: TrainerDep) -> dict[str, Any]:
    """Run it now (its own due times are untouched); follow the run's job at ``/v1/jobs/{job_id}``."""
    try:
        return service.run_now(principal.tenant_id, schedule_id)
    except Invalid as error:
        raise _invalid(error) from error


@router.get("/v1/schedules/{schedule_id}/runs")
def runs(schedule_id: str, principal: ReaderDep, page: PageDep) -> dict[str, Any]:
    """Runs newest first: trigger (cron, manual, drift), due time, missed due times it covered, job state."""
    items, total = service.runs(principal.tenant_id, schedule_id, page.limit, page.offset)
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}


@router.get("/v1/schedule-runs/{run_id}")
def run(run_id: str, principal: ReaderDep) -> dict[str, Any]:
    return service.run(principal.tenant_id, run_id)


@router.get("/v1/schedule-runs/{run_id}/report", response_model=None, responses=REPORT)
def report(
    run_id: str,
    request: Request,
    principal: ReaderDep,
    format: Annotated[Literal["md", "json"], Query(description="md: Markdown in the caller's language")] = "md",
) -> Response | dict[str, Any]:
    """The run's report: for a retraining, the data window, rows, both scores, the decision and why, duration."""
    result, markdown = service.report(principal.tenant_id, run_id, language_of(request))
    if format == "json":
        return result
    return Response(markdown, media_type="text/markdown; charset=utf-8")


@router.get("/v1/retention")
def retention(principal: ReaderDep) -> dict[str, Any]:
    """How many days jobs, progress events, audit rows and deliveries are kept (usage keeps its totals)."""
    return service.retention(principal.tenant_id)


@router.patch("/v1/retention")
def set_retention(body: service.RetentionIn, principal: AdminDep) -> dict[str, Any]:
    return service.set_retention(principal.tenant_id, body)


@router.post("/v1/retention/run", status_code=status.HTTP_202_ACCEPTED)
def run_retention(principal: AdminDep) -> dict[str, Any]:
    """Delete what is older than the retention now (the daily sweep at 03:17 UTC also does)."""
    return service.run_retention_now(principal.tenant_id)
