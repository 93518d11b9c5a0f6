"""Commerce data over HTTP: file imports, JSON batches, import reports, the profile."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, File, Form, Request, UploadFile, status
from fastapi import Path as PathParam
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.convertors import StringConvertor, register_url_convertor

from tendero.api.deps import IngestDep, PageDep, ReaderDep, language_of
from tendero.api.errors import ProblemError
from tendero.services import data
from tendero.services.data import ENTITY_NAMES, EntityName, FileRejected, ImportOut, Language, ReadStopped, render
from tendero.services.schemas import PageOf
from tendero.services.uploads import saved_upload

router = APIRouter(prefix="/v1/data", tags=["data"])


class EntityConvertor(StringConvertor):
    """Only entity names match ``{entity:entity}``: /v1/data/entities and /v1/data/profile stay their own
    paths, so a POST to them is a 405 (with ``Allow: GET``), not a 422 about an unknown entity."""

    regex = "|".join(ENTITY_NAMES)


register_url_convertor("entity", EntityConvertor())
EntityParam = Annotated[EntityName, PathParam(description="what the rows are")]


class BatchIn(BaseModel):
    rows: list[dict[str, Any]] = Field(min_length=1, max_length=10_000)
    mapping: dict[str, str] = Field(default_factory=dict, description="your column -> tendero field")
    dry_run: bool = False
    returns: Literal["reject", "keep"] = "reject"


def _problem_for(error: FileRejected, language: Language) -> ProblemError:
    message = error.rendered(language)
    return ProblemError(422, message, [{"field": "file", "message": message}])


def _stopped(language: Language) -> ProblemError:
    return ProblemError(503, render("read.stopped", language), headers={"Retry-After": "30"})


@router.post("/{entity:entity}/imports", status_code=status.HTTP_201_CREATED)
async def upload(
    entity: EntityParam,
    principal: IngestDep,
    file: Annotated[UploadFile, File(description="CSV, JSON lines, Parquet or Excel .xlsx")],
    mapping: Annotated[str, Form(description="your_column=field pairs, comma separated")] = "",
    dry_run: Annotated[bool, Form()] = False,
    returns: Annotated[
        Literal["reject", "keep"], Form(description="negative quantities: reject, or keep as returns")
    ] = "reject",
    request: Request = None,  # type: ignore[assignment]  # FastAPI always gives it
) -> ImportOut:
    """Import a file; the report lists every rejected row with its row number, column, value and reason."""
    columns = data.parse_mapping(mapping)
    language = language_of(request)
    async with saved_upload(file) as path:
        try:
            return await run_in_threadpool(data.import_file, principal.tenant_id, entity, path,
                                           Path(file.filename or "upload").name, columns, dry_run, returns,
                                           language)  # fmt: skip
        except FileRejected as error:
            raise _problem_for(error, language) from error
        except ReadStopped as error:
            raise _stopped(language) from error


@router.post("/{entity:entity}", status_code=status.HTTP_201_CREATED)
def post_rows(
    entity: EntityParam, body: Annotated[BatchIn, Body()], request: Request, principal: IngestDep
) -> ImportOut:
    """A JSON batch from a live integration (up to 10,000 rows), validated like a file."""
    language = language_of(request)
    try:
        return data.import_records(principal.tenant_id, entity, body.rows, body.mapping, body.dry_run, body.returns,
                                   language)  # fmt: skip
    except FileRejected as error:
        raise _problem_for(error, language) from error
    except ReadStopped as error:
        raise _stopped(language) from error


@router.get("/imports")
def list_imports(principal: ReaderDep, page: PageDep) -> PageOf[ImportOut]:
    items, total = data.list_imports(principal.tenant_id, page.limit, page.offset)
    return PageOf[ImportOut](items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/imports/{import_id}")
def get_import(import_id: str, request: Request, principal: ReaderDep, page: PageDep) -> ImportOut:
    """The report; ``limit``/``offset`` page through its rejected rows."""
    return data.import_out(principal.tenant_id, import_id, page.limit, page.offset, language_of(request))


@router.get(
    "/imports/{import_id}/rejections.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "every rejected row: row, column, value, reason"}},
)
def rejections_csv(import_id: str, request: Request, principal: ReaderDep) -> StreamingResponse:
    """Every rejected row of an import as CSV, to fix in a spreadsheet; no cell of it can run as a formula."""
    lines = data.rejections_csv(principal.tenant_id, import_id, language_of(request))  # 404 before it starts
    headers = {"Content-Disposition": f'attachment; filename="rejections-{import_id[:32]}.csv"'}
    return StreamingResponse(lines, media_type="text/csv; charset=utf-8", headers=headers)


class SourceOut(BaseModel):
    name: str
    dialect: str
    database: str | None
    origin: str


@router.get("/sources")
def list_sources(principal: ReaderDep) -> PageOf[SourceOut]:
    """The SQL sources this tenant may query by name (``sql_source`` of ``POST /v1/datasets``): names only,
    never a host or a password. Operators add them with ``tendero sources add`` or TENDERO_SQL_SOURCES."""
    found = [SourceOut(**source) for source in data.sources_for(principal.tenant_id)]
    return PageOf[SourceOut](items=found, total=len(found), limit=len(found), offset=0)


@router.get("/profile")
def data_profile(principal: ReaderDep) -> dict[str, Any]:
    return data.data_profile(principal.tenant_id)


@router.get("/entities")
def entities(principal: ReaderDep) -> dict[str, Any]:
    """The fields each entity accepts, with their types, whether required, and accepted aliases."""
    return data.entity_fields()
