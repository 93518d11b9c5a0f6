"""Liveness, readiness and Prometheus metrics (no key needed)."""

from __future__ import annotations

from typing import Any, Literal

import fsspec
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field

from tendero import __version__
from tendero.config import get_settings
from tendero.jobs.runner import get_runner
from tendero.store.db import ping

router = APIRouter(tags=["health"])
NOT_RUN_HERE = "not run in this process"


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
    checks: dict[str, Any] = {}
    try:
        ping()
        checks["database"] = "ok"
    except Exception as error:
        checks["database"] = f"error: {type(error).__name__}"
    if getattr(request.app.state, "runs_jobs", True):
        try:
            checks["jobs"] = "ok" if get_runner().healthy() else "error: runner not running"
        except Exception as error:
            checks["jobs"] = f"error: {type(error).__name__}"
    else:
        checks["jobs"] = NOT_RUN_HERE
    try:
        fs, path = fsspec.core.url_to_fs(get_settings().artifacts)
        fs.makedirs(path, exist_ok=True)
        probe = f"{path.rstrip('/')}/.ready"
        fs.pipe_file(probe, b"ok")
        checks["artifacts"] = "ok"
    except Exception as error:
        checks["artifacts"] = f"error: {type(error).__name__}"
    ok = all(value in ("ok", NOT_RUN_HERE) for value in checks.values())
    return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503)


METRICS: dict[int | str, dict[str, Any]] = {
    200: {"description": "Prometheus text format", "content": {CONTENT_TYPE_LATEST.split(";")[0]: {}}}
}


@router.get("/metrics", response_class=Response, responses=METRICS)
def prometheus_metrics() -> Response:
    """Prometheus metrics of this process."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
