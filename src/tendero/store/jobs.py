"""Job rows and progress events: the state that behaves the same whatever engine carries the jobs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tendero.errors import NotFound
from tendero.store.tables import Job, JobEvent, new_id, table_of, utcnow

STATUSES = ("pending", "running", "completed", "failed", "cancelled")
FINISHED = ("completed", "failed", "cancelled")


def submit_job(
    session: Session,
    tenant_id: str,
    kind: str,
    params: dict[str, Any],
    *,
    idempotency_key: str | None = None,
    max_attempts: int = 3,
    estimated_seconds: float | None = None,
) -> tuple[Job, bool]:
    """Queue a job; with an idempotency key already used, return that job instead (created=False)."""
    if idempotency_key:
        existing = session.scalar(select(Job).where(Job.tenant_id == tenant_id, Job.idempotency_key == idempotency_key))
        if existing is not None:
            return existing, False
    job_id = new_id()
    job = Job(
        id=job_id,
        tenant_id=tenant_id,
        kind=kind,
        params=params,
        idempotency_key=idempotency_key or f"job:{job_id}",
        max_attempts=max_attempts,
        estimated_seconds=estimated_seconds,
    )
    try:
        with session.begin_nested():
            session.add(job)
    except IntegrityError:  # a concurrent submit with the same key won the race
        existing = session.scalar(select(Job).where(Job.tenant_id == tenant_id, Job.idempotency_key == idempotency_key))
        assert existing is not None
        return existing, False
    return job, True


def unfinished_training(session: Session, tenant_id: str, model: str) -> Job | None:
    """The tenant's queued or running ``train`` job for ``model``, if there is one (oldest first)."""
    query = select(Job).where(Job.tenant_id == tenant_id, Job.kind == "train", Job.status.in_(("pending", "running")))
    for job in session.scalars(query.order_by(Job.created_at, Job.id)):
        if (job.params or {}).get("model") == model:
            return job
    return None


def idempotency_key_used(session: Session, tenant_id: str, key: str) -> bool:
    return session.scalar(select(Job.id).where(Job.tenant_id == tenant_id, Job.idempotency_key == key)) is not None


def get_job(session: Session, tenant_id: str, job_id: str) -> Job:
    job = session.scalar(select(Job).where(Job.tenant_id == tenant_id, Job.id == job_id))
    if job is None:
        raise NotFound(f"no job {job_id!r}")
    return job


def list_jobs(
    session: Session,
    tenant_id: str,
    *,
    status: str | None = None,
    kind: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[Job], int]:
    query = select(Job).where(Job.tenant_id == tenant_id)
    if status:
        query = query.where(Job.status == status)
    if kind:
        query = query.where(Job.kind == kind)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Job.created_at.desc(), Job.id).limit(limit).offset(offset)).all()
    return rows, total


def request_cancel(session: Session, tenant_id: str, job_id: str) -> Job:
    """Ask a job to stop. A pending job is cancelled at once; a running one by its supervisor."""
    job = get_job(session, tenant_id, job_id)
    if job.status == "pending":
        job.status = "cancelled"
        job.finished_at = utcnow()
        job.cancel_requested = True
    elif job.status == "running":
        job.cancel_requested = True
    return job


def list_events(
    session: Session, tenant_id: str, job_id: str, *, after_id: int = 0, limit: int = 1000
) -> Sequence[JobEvent]:
    get_job(session, tenant_id, job_id)
    return session.scalars(
        select(JobEvent)
        .where(JobEvent.tenant_id == tenant_id, JobEvent.job_id == job_id, JobEvent.id > after_id)
        .order_by(JobEvent.id)
        .limit(limit)
    ).all()


# --- used by runners and the executor (not tenant-facing: they act on a job they were handed) ---


@dataclass(frozen=True)
class Claim:
    job_id: str
    tenant_id: str
    kind: str
    attempt: int


def claim_job(session: Session, job_id: str, worker: str, lease_seconds: float) -> Claim | None:
    """Take a pending job for this worker with a lease; None if someone else has it or it is done."""
    now = utcnow()
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "pending", Job.cancel_requested.is_(False))
        .values(
            status="running",
            worker=worker,
            attempts=Job.attempts + 1,
            lease_until=now + timedelta(seconds=lease_seconds),
            heartbeat_at=now,
            started_at=func.coalesce(Job.started_at, now),
            progress=0.0,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    job = session.get(Job, job_id, populate_existing=True)
    assert job is not None
    return Claim(job.id, job.tenant_id, job.kind, job.attempts)


def next_pending(session: Session, limit: int = 10) -> list[str]:
    return list(
        session.scalars(
            select(Job.id)
            .where(Job.status == "pending", Job.cancel_requested.is_(False))
            .order_by(Job.created_at)
            .limit(limit)
        )
    )


def heartbeat(session: Session, job_id: str, attempt: int, lease_seconds: float) -> bool:
    """Extend the lease; returns whether a cancel was requested. Only the live attempt may extend it."""
    now = utcnow()
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "running", Job.attempts == attempt)
        .values(heartbeat_at=now, lease_until=now + timedelta(seconds=lease_seconds))
        .execution_options(synchronize_session=False)
    )
    return bool(session.scalar(select(Job.cancel_requested).where(Job.id == job_id)))


def record_events(session: Session, job_id: str, tenant_id: str, attempt: int, events: list[dict[str, Any]]) -> None:
    """Append progress events and move the job's progress figure to the newest one."""
    if not events:
        return
    session.execute(
        table_of(JobEvent).insert(),
        [{"job_id": job_id, "tenant_id": tenant_id, "attempt": attempt, **event} for event in events],
    )
    last = events[-1]
    if last.get("total"):
        pct = max(0.0, min(100.0, 100.0 * last["step"] / last["total"]))
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.attempts == attempt, Job.status == "running")
            .values(progress=pct)
            .execution_options(synchronize_session=False)
        )


def finish_job(
    session: Session,
    job_id: str,
    attempt: int,
    status: str,
    *,
    error: str | None = None,
    result: dict[str, Any] | None = None,
) -> bool:
    """End the live attempt: completed, failed, cancelled, or back to pending for another attempt."""
    values: dict[str, Any] = {"status": status, "error": error, "lease_until": None}
    if status in FINISHED:
        values["finished_at"] = utcnow()
    if status == "completed":
        values["progress"] = 100.0
        values["result"] = result
    outcome = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.attempts == attempt, Job.status == "running")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return outcome.rowcount == 1  # type: ignore[attr-defined]


def recover_expired(session: Session, now: datetime | None = None) -> tuple[list[str], list[str]]:
    """Jobs whose worker went silent past the lease: re-queued, or failed once out of attempts.

    Returns (requeued ids, failed ids).
    """
    now = now or utcnow()
    stale = session.scalars(select(Job).where(Job.status == "running", Job.lease_until < now)).all()
    requeued, failed = [], []
    for job in stale:
        if job.cancel_requested:
            job.status, job.finished_at = "cancelled", now
            failed.append(job.id)
        elif job.attempts < job.max_attempts:
            job.status, job.worker = "pending", None
            job.error = f"attempt {job.attempts} lost its worker (no heartbeat since {job.heartbeat_at})"
            requeued.append(job.id)
        else:
            job.status, job.finished_at = "failed", now
            job.error = f"worker lost on the last of {job.max_attempts} attempts"
            failed.append(job.id)
        job.lease_until = None
    return requeued, failed


def load_job(session: Session, job_id: str) -> Job:
    job = session.get(Job, job_id, populate_existing=True)
    if job is None:
        raise NotFound(f"no job {job_id!r}")
    return job
