"""The audit log and usage over HTTP, and the one helper routes use to add audit rows."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from tendero.api.deps import PageDep, ReaderDep
from tendero.api.schemas import AuditOut, PageOf
from tendero.observability.audit import AuditRecord, audit_writer
from tendero.services import assistant
from tendero.store import audit as audit_rows
from tendero.store.tenants import Principal

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
    """Add an audit row for a prediction or training call (written in the background)."""
    route = request.scope.get("route")
    audit_writer.add(
        AuditRecord(
            tenant_id=principal.tenant_id,
            key_prefix=principal.key_prefix,
            method=request.method,
            endpoint=getattr(route, "path", request.url.path),
            action=action,
            latency_ms=(time.perf_counter() - started) * 1000,
            status_code=status_code,
            model_name=model,
            model_version=version,
            error=error[:2000] if error else None,
        )
    )


@router.get("/v1/audit")
def list_audit(
    principal: ReaderDep,
    page: PageDep,
    since: datetime | None = None,
    until: datetime | None = None,
    action: Annotated[str | None, Query(pattern="^(predict|train)$")] = None,
    model: str | None = None,
    status: Annotated[int | None, Query(ge=100, le=599)] = None,
) -> PageOf[AuditOut]:
    audit_writer.flush()
    rows, total = audit_rows.list_entries(
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
    audit_writer.flush()
    until = datetime.now(UTC)
    since, end = until - timedelta(hours=hours), until + timedelta(seconds=1)
    report = audit_rows.usage(principal.tenant_id, since, end)
    return {**report, "assistant": assistant.usage(principal.tenant_id, since, end)}
