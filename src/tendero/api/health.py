"""Liveness, readiness and Prometheus metrics (no key needed)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field

from tendero import __version__
from tendero.services.health import is_ready, readiness

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok", "version": __version__}


class ReadyOut(BaseModel):
    status: Literal["ok", "unavailable"]
    checks: dict[str, str] = Field(description="database, jobs, artifacts: ok, not run here, or error: why")


NOT_READY: dict[int | str, dict[str, Any]] = {
    503: {
        "description": "Something this process serves is not ready; `checks` says what — Algo que sirve este "
        "proceso no está listo; `checks` dice qué",
        "model": ReadyOut,
    }
}


@router.get("/ready", response_model=ReadyOut, responses=NOT_READY)
def ready(request: Request) -> JSONResponse:
    """Can serve: the database answers, the artifact store is writable and — in a process that runs jobs
    (``tendero serve``, not ``serve --no-jobs``) — the job runner runs. Jobs that another process runs
    are that process's readiness, not this one's."""
    checks = readiness(runs_jobs=getattr(request.app.state, "runs_jobs", True))
    ok = is_ready(checks)
    return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503)


METRICS: dict[int | str, dict[str, Any]] = {
    200: {"description": "Prometheus text format", "content": {CONTENT_TYPE_LATEST.split(";")[0]: {}}}
}


@router.get("/metrics", response_class=Response, responses=METRICS)
def prometheus_metrics() -> Response:
    """Prometheus metrics of this process."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
