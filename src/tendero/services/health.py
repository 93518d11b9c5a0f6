"""Readiness for every face that serves: does the database answer, does the job runner run (where this process runs
jobs), can the artifact store be written."""

from __future__ import annotations

import fsspec

from tendero.config import get_settings
from tendero.jobs.runner import get_runner
from tendero.store.db import ping

NOT_RUN_HERE = "not run in this process"


def readiness(runs_jobs: bool) -> dict[str, str]:
    """Each check's answer: ``ok``, ``not run in this process``, or ``error: <exception type>`` (never the message,
    which may carry a URL or a path)."""
    checks: dict[str, str] = {}
    try:
        ping()
        checks["database"] = "ok"
    except Exception as error:
        checks["database"] = f"error: {type(error).__name__}"
    if runs_jobs:
        try:
            checks["jobs"] = "ok" if get_runner().healthy() else "error: runner not running"
        except Exception as error:
            checks["jobs"] = f"error: {type(error).__name__}"
    else:
        checks["jobs"] = NOT_RUN_HERE
    try:
        fs, path = fsspec.core.url_to_fs(get_settings().artifacts)
        fs.makedirs(path, exist_ok=True)
        fs.pipe_file(f"{path.rstrip('/')}/.ready", b"ok")
        checks["artifacts"] = "ok"
    except Exception as error:
        checks["artifacts"] = f"error: {type(error).__name__}"
    return checks


def is_ready(checks: dict[str, str]) -> bool:
    return all(value in ("ok", NOT_RUN_HERE) for value in checks.values())
