"""The audit trail of predictions, reads of model output and training calls, from any face."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from tendero.observability.audit import AuditRecord, audit_writer
from tendero.store import audit as audit_rows
from tendero.store.tenants import Principal


def record_call(
    principal: Principal,
    method: str,
    endpoint: str,
    action: str,
    started: float,
    status_code: int,
    *,
    model: str | None = None,
    version: str | None = None,
    error: str | None = None,
) -> None:
    """Add an audit row (written in the background); ``started`` is the ``time.perf_counter()`` of the call."""
    audit_writer.add(
        AuditRecord(
            tenant_id=principal.tenant_id,
            key_prefix=principal.key_prefix,
            method=method,
            endpoint=endpoint,
            action=action,
            latency_ms=(time.perf_counter() - started) * 1000,
            status_code=status_code,
            model_name=model,
            model_version=version,
            error=error[:2000] if error else None,
        )
    )


def list_entries(tenant_id: str, **filters: Any) -> tuple[Sequence[Any], int]:
    """The tenant's audit rows, newest first (what was written in the background so far included)."""
    audit_writer.flush()
    return audit_rows.list_entries(tenant_id, **filters)


def usage(tenant_id: str, since: datetime, until: datetime) -> dict[str, Any]:
    """Calls, latency, errors and recommendation feedback per model and version in a window."""
    audit_writer.flush()
    return audit_rows.usage(tenant_id, since, until + timedelta(seconds=1))


def add_feedback(tenant_id: str, rows: list[dict[str, Any]]) -> None:
    audit_rows.add_feedback(tenant_id, rows)
