"""Jobs from any face: their public shape, queueing one and waking the runner once it is committed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy.orm import Session

from tendero.errors import Conflict, NotFound
from tendero.jobs.runner import get_runner
from tendero.services.schemas import JobEventOut, JobOut, JobProgress
from tendero.store import jobs as job_rows
from tendero.store.db import session_scope, using_session
from tendero.store.jobs import FINISHED as FINISHED
from tendero.store.jobs import STATUSES as STATUSES
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
              kind: str | None = None, session: Session | None = None) -> tuple[list[JobOut], int]:  # fmt: skip
    with using_session(session) as db:
        rows, total = job_rows.list_jobs(db, tenant_id, status=status, kind=kind, limit=limit, offset=offset)
        return [job_out(row) for row in rows], total


def get_job(tenant_id: str, job_id: str, session: Session | None = None) -> JobOut:
    with using_session(session) as db:
        return job_out(job_rows.get_job(db, tenant_id, job_id))


def job_progress(tenant_id: str, job_id: str, after_event: int = 0, limit: int = 1000,
                 session: Session | None = None) -> JobProgress:  # fmt: skip
    """A job's status and progress with its events after ``after_event`` (at most ``limit``)."""
    with using_session(session) as db:
        job = job_rows.get_job(db, tenant_id, job_id)
        events = job_rows.list_events(db, tenant_id, job_id, after_id=after_event, limit=limit)
        return JobProgress(job_id=job.id, status=job.status, progress=job.progress,
                           events=[JobEventOut.model_validate(event) for event in events])  # fmt: skip


@dataclass(frozen=True)
class Download:
    """The file a finished batch-prediction job wrote, open for reading."""

    file_format: str
    handle: IO[bytes]


def open_download(tenant_id: str, job_id: str, session: Session | None = None) -> Download:
    """The predictions file of a completed ``batch_predict`` job; Conflict for any other job."""
    from tendero.registry.batch import open_predictions  # loads the batch predictor only when a file is asked

    with using_session(session) as db:
        job = job_rows.get_job(db, tenant_id, job_id)
        if job.kind != "batch_predict" or job.status != "completed" or not job.result:
            raise Conflict(f"job {job_id} has no file to download (kind {job.kind}, status {job.status})")
        file_format = job.result["format"]
    return Download(file_format, open_predictions(tenant_id, job_id, file_format))


def cancel_job(tenant_id: str, job_id: str, session: Session | None = None) -> JobOut:
    """Ask a job to stop (it stops at its next progress report); NotFound for another tenant's job."""
    with using_session(session) as db:
        return job_out(job_rows.request_cancel(db, tenant_id, job_id))


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
