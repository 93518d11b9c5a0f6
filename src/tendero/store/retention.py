"""Retention: what a tenant no longer keeps is deleted in small batches, each its own short transaction, so
the API never waits behind one long delete. Audit rows are rolled up per day first (``usage_rollups``),
so ``/v1/usage`` keeps its counts, error rates and latency figures for the days that were deleted.

Kept whatever their age: jobs still pending or running (and their events), model versions, data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import delete, exists, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tendero.store.automation_tables import (
    AutomationEvent,
    Delivery,
    RetentionSetting,
    ScheduleRun,
    SystemTask,
    UsageRollup,
)
from tendero.store.db import get_engine
from tendero.store.tables import AuditEntry, Job, JobEvent, Tenant, utcnow

BATCH_ROWS = 1000
FINISHED_JOBS = ("completed", "failed", "cancelled")
FINAL_DELIVERIES = ("delivered", "dead")
# latency buckets of the roll-ups: 0.1 ms to 100 s, 60 log-spaced steps (each edge 26 % above the last)
LATENCY_EDGES_MS = np.geomspace(0.1, 100_000.0, 61)


# ---- the tenant setting -----------------------------------------------------------------------------------


def retention_days(session: Session, tenant_id: str, default: int) -> int:
    row = session.get(RetentionSetting, tenant_id)
    return int(row.days) if row is not None else int(default)


def set_retention_days(session: Session, tenant_id: str, days: int) -> None:
    row = session.get(RetentionSetting, tenant_id)
    if row is None:
        session.add(RetentionSetting(tenant_id=tenant_id, days=days, updated_at=utcnow()))
    else:
        row.days, row.updated_at = days, utcnow()
    session.flush()


def tenants_with_old_rows(session: Session, now: datetime, default_days: int) -> list[tuple[str, int]]:
    """(tenant, days) for every tenant with a finished job, an audit row, a delivery or an event older than
    its retention: the tenants a sweep has work for."""
    from datetime import timedelta

    settings = dict(session.execute(select(RetentionSetting.tenant_id, RetentionSetting.days)).all())
    out = []
    for tenant_id in session.scalars(select(Tenant.id)):
        days = int(settings.get(tenant_id, default_days))
        cutoff = now - timedelta(days=days)
        checks = (
            exists().where(Job.tenant_id == tenant_id, Job.status.in_(FINISHED_JOBS), Job.finished_at < cutoff),
            exists().where(AuditEntry.tenant_id == tenant_id, AuditEntry.at < cutoff),
            exists().where(Delivery.tenant_id == tenant_id, Delivery.created_at < cutoff),
            exists().where(AutomationEvent.tenant_id == tenant_id, AutomationEvent.created_at < cutoff),
        )
        if any(session.scalar(select(check)) for check in checks):
            out.append((tenant_id, days))
    return out


# ---- system tasks (claimed like schedules) -------------------------------------------------------------------


def ensure_system_task(session: Session, name: str, cron: str, first_due: datetime) -> SystemTask:
    row = session.get(SystemTask, name)
    if row is not None:
        return row
    row = SystemTask(name=name, cron=cron, next_due_at=first_due, revision=0)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        found = session.get(SystemTask, name)
        assert found is not None
        return found
    return row


def claim_system_task(session: Session, task: SystemTask, new_next: datetime, last_due: datetime) -> bool:
    from sqlalchemy import update

    result = session.execute(
        update(SystemTask)
        .where(
            SystemTask.name == task.name,
            SystemTask.next_due_at == task.next_due_at,
            SystemTask.revision == task.revision,
        )
        .values(next_due_at=new_next, last_due_at=last_due)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


# ---- batched deletes (each call: one batch, one transaction; returns rows deleted) -------------------------------


def purge_jobs(tenant_id: str, cutoff: datetime, batch: int = BATCH_ROWS) -> int:
    """Finished jobs older than the cutoff, with their progress events and schedule runs."""
    with get_engine().begin() as connection:
        ids = list(
            connection.scalars(
                select(Job.id)
                .where(Job.tenant_id == tenant_id, Job.status.in_(FINISHED_JOBS), Job.finished_at < cutoff)
                .limit(batch)
            )
        )
        if not ids:
            return 0
        connection.execute(delete(JobEvent).where(JobEvent.job_id.in_(ids)))
        connection.execute(delete(ScheduleRun).where(ScheduleRun.tenant_id == tenant_id, ScheduleRun.job_id.in_(ids)))
        connection.execute(delete(Job).where(Job.id.in_(ids)))
    return len(ids)


def purge_job_events(tenant_id: str, cutoff: datetime, batch: int = BATCH_ROWS) -> int:
    """Progress events older than the cutoff of jobs that have finished (a running job keeps its curve)."""
    with get_engine().begin() as connection:
        ids = list(
            connection.scalars(
                select(JobEvent.id)
                .join(Job, Job.id == JobEvent.job_id)
                .where(JobEvent.tenant_id == tenant_id, JobEvent.at < cutoff, Job.status.in_(FINISHED_JOBS))
                .limit(batch)
            )
        )
        if ids:
            connection.execute(delete(JobEvent).where(JobEvent.id.in_(ids)))
    return len(ids)


def purge_audit(tenant_id: str, cutoff: datetime, batch: int = BATCH_ROWS) -> int:
    """Audit rows older than the cutoff, rolled up into ``usage_rollups`` in the same transaction."""
    with get_engine().begin() as connection:
        rows = connection.execute(
            select(AuditEntry.id, AuditEntry.at, AuditEntry.endpoint, AuditEntry.model_name,
                   AuditEntry.status_code, AuditEntry.latency_ms)
            .where(AuditEntry.tenant_id == tenant_id, AuditEntry.at < cutoff)
            .order_by(AuditEntry.id)
            .limit(batch)
        ).all()  # fmt: skip
        if not rows:
            return 0
        groups: dict[tuple[date, str, str | None], list[Any]] = defaultdict(list)
        for row in rows:
            groups[(row.at.date(), row.endpoint, row.model_name)].append(row)
        connection.execute(
            insert(UsageRollup),
            [
                {
                    "tenant_id": tenant_id, "day": day, "endpoint": endpoint, "model_name": model,
                    "requests": len(items), "errors": sum(1 for r in items if r.status_code >= 400),
                    "latency_sum_ms": float(sum(r.latency_ms for r in items)),
                    "latency_buckets": latency_histogram([r.latency_ms for r in items]),
                }
                for (day, endpoint, model), items in groups.items()
            ],
        )  # fmt: skip
        connection.execute(delete(AuditEntry).where(AuditEntry.id.in_([row.id for row in rows])))
    return len(rows)


def purge_deliveries(tenant_id: str, cutoff: datetime, batch: int = BATCH_ROWS) -> int:
    """Delivered and dead-lettered deliveries older than the cutoff (one still trying is kept)."""
    with get_engine().begin() as connection:
        ids = list(
            connection.scalars(
                select(Delivery.id)
                .where(Delivery.tenant_id == tenant_id, Delivery.created_at < cutoff,
                       Delivery.status.in_(FINAL_DELIVERIES))
                .limit(batch)
            )
        )  # fmt: skip
        if ids:
            connection.execute(delete(Delivery).where(Delivery.id.in_(ids)))
    return len(ids)


def purge_events(tenant_id: str, cutoff: datetime, batch: int = BATCH_ROWS) -> int:
    """Events older than the cutoff that no delivery still needs."""
    with get_engine().begin() as connection:
        pending = select(Delivery.id).where(Delivery.event_id == AutomationEvent.id)
        ids = list(
            connection.scalars(
                select(AutomationEvent.id)
                .where(AutomationEvent.tenant_id == tenant_id, AutomationEvent.created_at < cutoff,
                       ~exists(pending))
                .limit(batch)
            )
        )  # fmt: skip
        if ids:
            connection.execute(delete(AutomationEvent).where(AutomationEvent.id.in_(ids)))
    return len(ids)


PURGES = {
    "jobs": purge_jobs,
    "job_events": purge_job_events,
    "audit_rows": purge_audit,
    "deliveries": purge_deliveries,
    "events": purge_events,
}


# ---- usage from roll-ups ---------------------------------------------------------------------------------------


def latency_histogram(latencies: Sequence[float]) -> list[int]:
    """Counts per bucket of ``LATENCY_EDGES_MS`` (plus one below the first edge and one above the last)."""
    positions = np.searchsorted(LATENCY_EDGES_MS, np.asarray(latencies, dtype=float), side="right")
    return np.bincount(positions, minlength=len(LATENCY_EDGES_MS) + 1).astype(int).tolist()


def histogram_percentile(counts: Sequence[int], q: float) -> float:
    """The ``q`` percentile read from bucket counts: the upper edge of the bucket holding it."""
    total = int(np.sum(counts))
    if total == 0:
        return 0.0
    rank = int(np.ceil(q / 100.0 * total))
    position = int(np.searchsorted(np.cumsum(counts), max(rank, 1)))
    edges = np.concatenate([LATENCY_EDGES_MS, [LATENCY_EDGES_MS[-1]]])
    return float(edges[min(position, len(edges) - 1)])


def usage_rollups(tenant_id: str, since: datetime, until: datetime) -> list[Any]:
    """Roll-up rows for the days in [since, until): endpoint, model, requests, errors, sums, buckets."""
    query = select(UsageRollup.endpoint, UsageRollup.model_name, UsageRollup.requests, UsageRollup.errors,
                   UsageRollup.latency_sum_ms, UsageRollup.latency_buckets).where(
        UsageRollup.tenant_id == tenant_id, UsageRollup.day >= since.date(), UsageRollup.day <= until.date()
    )  # fmt: skip
    with get_engine().connect() as connection:
        return list(connection.execute(query).all())


def count_rows(tenant_id: str) -> dict[str, int]:
    """How many rows of each kind a tenant has (the retention report's before and after)."""
    with get_engine().connect() as connection:
        return {
            "jobs": connection.scalar(select(func.count()).where(Job.tenant_id == tenant_id)) or 0,
            "job_events": connection.scalar(select(func.count()).where(JobEvent.tenant_id == tenant_id)) or 0,
            "audit_rows": connection.scalar(select(func.count()).where(AuditEntry.tenant_id == tenant_id)) or 0,
            "deliveries": connection.scalar(select(func.count()).where(Delivery.tenant_id == tenant_id)) or 0,
            "events": connection.scalar(select(func.count()).where(AutomationEvent.tenant_id == tenant_id)) or 0,
        }
