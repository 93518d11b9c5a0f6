"""The audit log and usage over HTTP, and the helpers routes use to add audit rows: ``record_call``
for one outcome, ``audited`` around a whole answer (its status, whatever it raises)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BeforeValidator, ValidationError
from starlette.exceptions import HTTPException

from tendero.api.deps import PageDep, ReaderDep
from tendero.api.errors import ProblemError
from tendero.errors import Conflict, DeployNotAllowed, Invalid, NotFound, TooLarge
from tendero.services import assistant, audit
from tendero.services.schemas import AuditOut, PageOf
from tendero.services.tenants import Principal

ACTIONS = ("predict", "read", "train")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")

router = APIRouter(tags=["audit"])


def record_call(
    request: Request,
    principal: Principal,
    action: str,
    started: float,
    status_code: int,
    *,
    model: str | None = None,
    version: str | None = None,
    error: str | None = None,
) -> None:
    """Add an audit row for a prediction, a read of model output or a training call (written in the
    background)."""
    route = request.scope.get("route")
    endpoint = getattr(route, "path", request.url.path)
    audit.record_call(principal, request.method, endpoint, action, started, status_code, model=model,
                      version=version, error=error)  # fmt: skip


def iso_8601(value: Any) -> Any:
    """Only ISO 8601 text is a time here: lax parsing would read "0.5" as half a second after 1970."""
    if isinstance(value, str) and not ISO_DATE.match(value):
        raise ValueError("expected an ISO 8601 date or time, e.g. 2026-01-31T12:00:00Z")
    return value


@dataclass
class Audited:
    """What an audited answer fills in as it learns it: the model and version that answered."""

    model: str | None = None
    version: str | None = None
    status_code: int = 200


@contextmanager
def audited(request: Request, principal: Principal, action: str, model: str | None = None) -> Iterator[Audited]:
    """One audit row for the answer inside the block: its status (the error's, when it raises), the
    model and version the block named, latency. Reads of model output use ``action="read"``."""
    started = time.perf_counter()
    trail = Audited(model=model)
    try:
        yield trail
    except Exception as error:
        record_call(request, principal, action, started, status_of(error), model=trail.model, version=trail.version,
                    error=str(error) or type(error).__name__)  # fmt: skip
        raise
    record_call(request, principal, action, started, trail.status_code, model=trail.model, version=trail.version)


def status_of(error: Exception) -> int:
    """The HTTP status the error handlers give ``error``."""
    if isinstance(error, ProblemError):
        return error.status
    if isinstance(error, HTTPException):
        return error.status_code
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, Conflict):
        return 409
    if isinstance(error, Invalid):
        return 422
    if isinstance(error, TooLarge):
        return 413
    if isinstance(error, DeployNotAllowed):
        return 403
    if isinstance(error, ValidationError | RequestValidationError):
        return 422
    return 500


@router.get("/v1/audit")
def list_audit(
    principal: ReaderDep,
    page: PageDep,
    since: Annotated[datetime | None, BeforeValidator(iso_8601), Query(description="ISO 8601")] = None,
    until: Annotated[datetime | None, BeforeValidator(iso_8601), Query(description="ISO 8601")] = None,
    action: Annotated[
        str | None, Query(pattern="^(" + "|".join(ACTIONS) + ")$", description="predict, read or train")
    ] = None,
    model: str | None = None,
    status: Annotated[int | None, Query(ge=100, le=599)] = None,
) -> PageOf[AuditOut]:
    rows, total = audit.list_entries(
        principal.tenant_id, since=since, until=until, action=action, model=model, status=status,
        limit=page.limit, offset=page.offset,
    )  # fmt: skip
    return PageOf[AuditOut](
        items=[AuditOut.model_validate(row) for row in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/v1/usage")
def usage(
    principal: ReaderDep,
    hours: Annotated[float, Query(gt=0, le=24 * 366, description="window ending now")] = 24.0,
) -> dict[str, Any]:
    until = datetime.now(UTC)
    since, end = until - timedelta(hours=hours), until + timedelta(seconds=1)
    report = audit.usage(principal.tenant_id, since, until)
    return {**report, "assistant": assistant.usage(principal.tenant_id, since, end)}
