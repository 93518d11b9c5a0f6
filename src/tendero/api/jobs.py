"""Jobs of the caller's tenant: list, inspect, follow progress, cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from tendero.api.deps import EventId, PageDep, PredictorDep, ReaderDep, SessionDep, TrainerDep
from tendero.api.errors import ProblemError
from tendero.services.jobs import job_out
from tendero.services.schemas import JobEventOut, JobOut, JobProgress, PageOf
from tendero.store import jobs as job_rows
from tendero.store.jobs import STATUSES

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])


@router.get("")
def list_jobs(
    principal: ReaderDep,
    session: SessionDep,
    page: PageDep,
    status: Annotated[str | None, Query(pattern="^(" + "|".join(STATUSES) + ")$")] = None,
    kind: Annotated[str | None, Query(max_length=50)] = None,
) -> PageOf[JobOut]:
    rows, total = job_rows.list_jobs(
        session, principal.tenant_id, status=status, kind=kind, limit=page.limit, offset=page.offset
    )
    return PageOf[JobOut](items=[job_out(row) for row in rows], total=total, limit=page.limit, offset=page.offset)


@router.get("/{job_id}")
def get_job(job_id: str, principal: ReaderDep, session: SessionDep) -> JobOut:
    return job_out(job_rows.get_job(session, principal.tenant_id, job_id))


@router.get("/{job_id}/progress")
def get_progress(
    job_id: str,
    principal: ReaderDep,
    session: SessionDep,
    after: EventId = 0,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> JobProgress:
    job = job_rows.get_job(session, principal.tenant_id, job_id)
    events = job_rows.list_events(session, principal.tenant_id, job_id, after_id=after, limit=limit)
    return JobProgress(
        job_id=job.id, status=job.status, progress=job.progress,
        events=[JobEventOut.model_validate(event) for event in events],
    )  # fmt: skip


@router.get("/{job_id}/download")
def download(job_id: str, principal: PredictorDep, session: SessionDep) -> StreamingResponse:
    """The file a finished batch-prediction job wrote (CSV or Parquet)."""
    from tendero.registry.batch import open_predictions

    job = job_rows.get_job(session, principal.tenant_id, job_id)
    if job.kind != "batch_predict" or job.status != "completed" or not job.result:
        raise ProblemError(409, f"job {job_id} has no file to download (kind {job.kind}, status {job.status})")
    file_format = job.result["format"]
    handle = open_predictions(principal.tenant_id, job_id, file_format)
    media = "text/csv" if file_format == "csv" else "application/vnd.apache.parquet"
    headers = {"Content-Disposition": f'attachment; filename="predictions-{job_id}.{file_format}"'}
    return StreamingResponse(iter(lambda: handle.read(1 << 20), b""), media_type=media, headers=headers)


@router.post("/{job_id}/cancel")
def cancel_job(job_id: str, principal: TrainerDep, session: SessionDep) -> JobOut:
    return job_out(job_rows.request_cancel(session, principal.tenant_id, job_id))
