"""Jobs of the caller's tenant: list, inspect, follow progress, cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from tendero.api.deps import EventId, PageDep, PredictorDep, ReaderDep, SessionDep, TrainerDep, language_of
from tendero.api.errors import ProblemError
from tendero.catalogue.jobs import render_job_text
from tendero.services.jobs import job_out
from tendero.services.schemas import JobEventOut, JobOut, JobProgress, PageOf
from tendero.store import jobs as job_rows
from tendero.store.jobs import STATUSES

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])


def _in_language(out: JobOut, request: Request) -> JobOut:
    """A job's failure line in the caller's language (Accept-Language), as its progress lines are."""
    if out.error:
        out.error = render_job_text(out.error, language_of(request))
    return out


@router.get("")
def list_jobs(
    request: Request,
    principal: ReaderDep,
    session: SessionDep,
    page: PageDep,
    status: Annotated[str | None, Query(pattern="^(" + "|".join(STATUSES) + ")$")] = None,
    kind: Annotated[str | None, Query(max_length=50)] = None,
) -> PageOf[JobOut]:
    rows, total = job_rows.list_jobs(
        session, principal.tenant_id, status=status, kind=kind, limit=page.limit, offset=page.offset
    )
    items = [_in_language(job_out(row), request) for row in rows]
    return PageOf[JobOut](items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/{job_id}")
def get_job(job_id: str, request: Request, principal: ReaderDep, session: SessionDep) -> JobOut:
    return _in_language(job_out(job_rows.get_job(session, principal.tenant_id, job_id)), request)


@router.get("/{job_id}/progress")
def get_progress(
    job_id: str,
    request: Request,
    principal: ReaderDep,
    session: SessionDep,
    after: EventId = 0,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> JobProgress:
    job = job_rows.get_job(session, principal.tenant_id, job_id)
    events = job_rows.list_events(session, principal.tenant_id, job_id, after_id=after, limit=limit)
    return JobProgress(
        job_id=job.id, status=job.status, progress=job.progress,
        events=[_event_in(JobEventOut.model_validate(event), language_of(request)) for event in events],
    )  # fmt: skip


def _event_in(event: JobEventOut, lang: str) -> JobEventOut:
    event.message = render_job_text(event.message, lang)
    return event


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
