"""The Automation pages: every schedule with its next runs and last run, the channels and recent deliveries,
one schedule's history with its run reports, and "run now". Same services as ``/v1/schedules``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from tendero.services import Invalid
from tendero.services import automation as service
from tendero.services import channels as channel_service
from tendero.services import deliveries as delivery_service
from tendero.web.access import TRAIN, PostTrainer, Reader, can
from tendero.web.i18n import translator
from tendero.web.rendering import PREFIX, WebRoute, language, redirect, render

router = APIRouter(prefix=PREFIX, include_in_schema=False, route_class=WebRoute)


@router.get("/schedules")
def schedules_page(request: Request, session: Reader) -> Response:
    principal = session.principal
    assert principal is not None
    tenant_id = principal.tenant_id
    schedules, total = service.list_all(tenant_id, 200, 0)
    channels, _ = channel_service.list_all(tenant_id, 200, 0)
    deliveries, _ = delivery_service.list_all(tenant_id, limit=20)
    _, dead = delivery_service.list_all(tenant_id, status="dead", limit=1)
    names = {c["id"]: c["name"] for c in channels}
    return render(
        request,
        "schedules.html",
        {
            "schedules": schedules,
            "total": total,
            "channels": channels,
            "channel_names": names,
            "deliveries": deliveries,
            "dead": dead,
            "retention": service.retention(tenant_id),
            "can_run": can(principal, TRAIN),
        },
    )


@router.get("/schedules/{schedule_id}")
def schedule_page(request: Request, schedule_id: str, session: Reader) -> Response:
    principal = session.principal
    assert principal is not None
    schedule = service.get(principal.tenant_id, schedule_id)
    runs, total = service.runs(principal.tenant_id, schedule_id, 100, 0)
    return render(
        request, "schedule.html", {"s": schedule, "runs": runs, "runs_total": total, "can_run": can(principal, TRAIN)}
    )


@router.get("/schedule-runs/{run_id}")
def run_page(request: Request, run_id: str, session: Reader) -> Response:
    principal = session.principal
    assert principal is not None
    run = service.run(principal.tenant_id, run_id)
    markdown = None
    if run.get("result"):
        _, markdown = service.report(principal.tenant_id, run_id, language(request))
    schedule = service.get(principal.tenant_id, run["schedule_id"])
    return render(request, "schedule_run.html", {"run": run, "s": schedule, "markdown": markdown})


@router.post("/schedules/{schedule_id}/run")
def run_now(request: Request, schedule_id: str, session: PostTrainer) -> Response:
    principal = session.principal
    assert principal is not None
    t = translator(language(request))
    try:
        run = service.run_now(principal.tenant_id, schedule_id)
    except Invalid as error:
        return redirect(request, f"{PREFIX}/schedules/{schedule_id}", ("error", str(error)))
    return redirect(request, f"{PREFIX}/schedules/{schedule_id}", ("success", t("schedules.queued", job=run["job_id"])))
