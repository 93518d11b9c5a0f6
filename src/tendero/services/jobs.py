"""Jobs from any face: their public shape, queueing one and waking the runner once it is committed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from tendero.errors import NotFound
from tendero.jobs.runner import get_runner
from tendero.services.schemas import JobEventOut, JobOut
from tendero.store import jobs as job_rows
from tendero.store.db import session_scope, using_session
from tendero.store.tables import Job, utcnow


def job_out(job: Job) -> JobOut:
    out = JobOut.model_validate(job)
    if job.started_at and job.finished_at:
        out.duration_seconds = (job.finished_at - job.started_at).total_seconds()
    return out


def notify_runner(job: Job) -> None:
    """Call after the submitting transaction committed, so the runner can see the row."""
    get_runner().notify(job.id)


def submit_job(
    tenant_id: str,
    kind: str,
    params: dict[str, Any],
    *,
    session: Session | None = None,
    idempotency_key: str | None = None,
) -> JobOut:
    """Queue a job of ``kind`` (committed, the runner woken) and return it as the faces show it."""
    with using_session(session) as db:
        job, _ = job_rows.submit_job(db, tenant_id, kind, params, idempotency_key=idempotency_key)
        db.commit()
        notify_runner(job)
        return job_out(job)


@dataclass(frozen=True)
class JobState:
    """A job's state and its progress events after a given event id (what a progress bar draws)."""

    status: str
    progress: float
    error: str | None
    result: dict[str, Any] | None
    events: list[JobEventOut]
    elapsed_seconds: float | None = None  # since it started (to its end once finished)


def job_state(tenant_id: str, job_id: str, after_event: int = 0) -> JobState:
    with session_scope() as session:
        job = job_rows.get_job(session, tenant_id, job_id)
        events = job_rows.list_events(session, tenant_id, job_id, after_id=after_event)
        return JobState(job.status, job.progress, job.error, job.result,
                        [JobEventOut.model_validate(e) for e in events])  # fmt: skip


def list_jobs(tenant_id: str, limit: int = 30, offset: int = 0, status: str | None = None,
              kind: str | None = None) -> tuple[list[JobOut], int]:  # fmt: skip
    with session_scope() as session:
        rows, total = job_rows.list_jobs(session, tenant_id, status=status, kind=kind, limit=limit, offset=offset)
        return [job_out(row) for row in rows], total


def cancel_job(tenant_id: str, job_id: str) -> JobOut:
    """Ask a job to stop (it stops at its next progress report); NotFound for another tenant's job."""
    with session_scope() as session:
        return job_out(job_rows.request_cancel(session, tenant_id, job_id))


def _elapsed(job: Job) -> float | None:
    if job.started_at is None:
        return None
    end = job.finished_at or utcnow()
    return max(0.0, (_aware(end) - _aware(job.started_at)).total_seconds())


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def jobs_progress(tenant_id: str, job_ids: list[str], after_event: int = 0) -> dict[str, JobState]:
    """The state and new events of each of ``job_ids`` that is this tenant's (others are simply absent)."""
    found: dict[str, JobState] = {}
    with session_scope() as session:
        for job_id in job_ids:
            try:
                job = job_rows.get_job(session, tenant_id, job_id)
            except NotFound:
                continue
            events = job_rows.list_events(session, tenant_id, job_id, after_id=after_event, limit=2000)
            found[job_id] = JobState(job.status, job.progress, job.error, job.result,
                                     [JobEventOut.model_validate(e) for e in events], _elapsed(job))  # fmt: skip
    return found
