"""Liveness, readiness and Prometheus metrics (no key needed)."""

from __future__ import annotations

from typing import Any

import fsspec
from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from tendero import __version__
from tendero.config import get_settings
from tendero.jobs.runner import get_runner
from tendero.store.db import ping

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok", "version": __version__}


@router.get("/ready")
def ready() -> JSONResponse:
    """Can serve: the database answers, the job runner runs, the artifact store is writable."""
    checks: dict[str, Any] = {}
    try:
        ping()
        checks["database"] = "ok"
    except Exception as error:
        checks["database"] = f"error: {type(error).__name__}"
    try:
        checks["jobs"] = "ok" if get_runner().healthy() else "error: runner not running"
    except Exception as error:
        checks["jobs"] = f"error: {error}"
    try:
        fs, path = fsspec.core.url_to_fs(get_settings().artifacts)
        fs.makedirs(path, exist_ok=True)
        probe = f"{path.rstrip('/')}/.ready"
        fs.pipe_file(probe, b"ok")
        checks["artifacts"] = "ok"
    except Exception as error:
        checks["artifacts"] = f"error: {type(error).__name__}"
    ok = all(value == "ok" for value in checks.values())
    return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503)


@router.get("/metrics")
def prometheus_metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
