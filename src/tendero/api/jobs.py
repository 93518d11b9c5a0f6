"""Jobs of the caller's tenant: list, inspect, follow progress, cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from tendero.api.deps import EventId, PageDep, PredictorDep, ReaderDep, SessionDep, TrainerDep, language_of
from tendero.catalogue.jobs import render_job_text
from tendero.services import jobs
from tendero.services.jobs import STATUSES
from tendero.services.schemas import JobEventOut, JobOut, JobProgress, PageOf

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
    items, total = jobs.list_jobs(principal.tenant_id, page.limit, page.offset, status, kind, session)
    items = [_in_language(item, request) for item in items]
    return PageOf[JobOut](items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/{job_id}")
def get_job(job_id: str, request: Request, principal: ReaderDep, session: SessionDep) -> JobOut:
    return _in_language(jobs.get_job(principal.tenant_id, job_id, session), request)


@router.get("/{job_id}/progress")
def get_progress(
    job_id: str,
    request: Request,
    principal: ReaderDep,
    session: SessionDep,
    after: EventId = 0,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> JobProgress:
    answer = jobs.job_progress(principal.tenant_id, job_id, after, limit, session)
    answer.events = [_event_in(event, language_of(request)) for event in answer.events]
    return answer


def _event_in(event: JobEventOut, lang: str) -> JobEventOut:
    event.message = render_job_text(event.message, lang)
    return event


@router.get("/{job_id}/download")
def download(job_id: str, principal: PredictorDep, session: SessionDep) -> StreamingResponse:
    """The file a finished batch-prediction job wrote (CSV or Parquet); 409 for a job that wrote none."""
    found = jobs.open_download(principal.tenant_id, job_id, session)
    media = "text/csv" if found.file_format == "csv" else "application/vnd.apache.parquet"
    headers = {"Content-Disposition": f'attachment; filename="predictions-{job_id}.{found.file_format}"'}
    return StreamingResponse(iter(lambda: found.handle.read(1 << 20), b""), media_type=media, headers=headers)


@router.post("/{job_id}/cancel")
def cancel_job(job_id: str, principal: TrainerDep, session: SessionDep) -> JobOut:
    return jobs.cancel_job(principal.tenant_id, job_id, session)
