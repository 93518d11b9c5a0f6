"""Commerce data over HTTP: file imports, JSON batches, import reports, the profile."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Body, File, Form, Request, UploadFile, status
from fastapi import Path as PathParam
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.convertors import StringConvertor, register_url_convertor

from tendero.api.deps import IngestDep, PageDep, ReaderDep, language_of
from tendero.api.errors import ProblemError
from tendero.api.schemas import PageOf
from tendero.api.uploads import saved_upload
from tendero.data import imports, profile
from tendero.data.formulas import write_csv
from tendero.data.issues import ReadStopped
from tendero.data.messages import Language, render, text_from_json
from tendero.data.readers import FileRejected
from tendero.data.schema import ENTITIES
from tendero.store import imports as import_rows
from tendero.store import sources

router = APIRouter(prefix="/v1/data", tags=["data"])


class EntityConvertor(StringConvertor):
    """Only entity names match ``{entity:entity}``: /v1/data/entities and /v1/data/profile stay their own
    paths, so a POST to them is a 405 (with ``Allow: GET``), not a 422 about an unknown entity."""

    regex = "|".join(ENTITIES)


register_url_convertor("entity", EntityConvertor())
EntityParam = Annotated[
    Literal["customers", "products", "orders", "order_items", "interactions", "order_lines"],
    PathParam(description="what the rows are"),
]


class ImportOut(BaseModel):
    id: str
    entity: str
    source: str
    status: str
    dry_run: bool
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    merged: int
    rejected: int
    details: dict[str, Any]
    error: str | None
    created_at: Any
    finished_at: Any
    rejections: list[dict[str, Any]] = []
    rejections_total: int = 0


class BatchIn(BaseModel):
    rows: list[dict[str, Any]] = Field(min_length=1, max_length=10_000)
    mapping: dict[str, str] = Field(default_factory=dict, description="your column -> tendero field")
    dry_run: bool = False
    returns: Literal["reject", "keep"] = "reject"


def _parse_mapping(pairs: str) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in pairs.split(","))):
        source, sep, target = pair.partition("=")
        if not sep or not source.strip() or not target.strip():
            raise ProblemError(422, f"mapping entry {pair!r} is not column=field",
                               [{"field": "mapping", "message": "use column=field, comma separated"}])  # fmt: skip
        mapping[source.strip()] = target.strip()
    return mapping


def import_out(tenant_id: str, import_id: str, limit: int = 100, offset: int = 0,
               language: Language = "en") -> ImportOut:  # fmt: skip
    """The report; its error and the reasons of its rejected rows in ``language`` (where they have a code)."""
    row = import_rows.get_import(tenant_id, import_id)
    lines, total = import_rows.list_rejections(tenant_id, import_id, limit, offset)
    out = ImportOut.model_validate(row, from_attributes=True)
    stored = text_from_json((row.details or {}).get("error"))
    if stored is not None:
        out.error = stored.render(language)
    out.rejections, out.rejections_total = [_rejection_out(line, language) for line in lines], total
    return out


def _rejection_out(line: dict[str, Any], language: Language) -> dict[str, Any]:
    text = text_from_json({"code": line.get("code"), "params": line.get("params") or {}})
    reason = text.render(language) if text is not None else line["reason"]
    return {"row": line["row"], "column": line["column"], "value": line["value"], "reason": reason,
            "code": line.get("code")}  # fmt: skip


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
    request: Request = None,  # type: ignore[assignment]  (the dashboard calls this function without one)
) -> ImportOut:
    """Import a file; the report lists every rejected row with its row number, column, value and reason."""
    columns = _parse_mapping(mapping)
    language = language_of(request) if request is not None else "en"
    async with saved_upload(file) as path:
        try:
            report = await run_in_threadpool(
                imports.import_file, principal.tenant_id, entity, path, mapping=columns,
                filename=Path(file.filename or "upload").name, dry_run=dry_run, returns=returns,
            )  # fmt: skip
        except FileRejected as error:
            raise _problem_for(error, language) from error
        except ReadStopped as error:
            raise _stopped(language) from error
    _after_import(principal.tenant_id, report)
    return import_out(principal.tenant_id, report.id, language=language)


@router.post("/{entity:entity}", status_code=status.HTTP_201_CREATED)
def post_rows(
    entity: EntityParam, body: Annotated[BatchIn, Body()], request: Request, principal: IngestDep
) -> ImportOut:
    """A JSON batch from a live integration (up to 10,000 rows), validated like a file."""
    language = language_of(request)
    try:
        report = imports.import_records(
            principal.tenant_id,
            entity,
            body.rows,
            mapping=body.mapping,
            dry_run=body.dry_run,
            returns=body.returns,
        )
    except FileRejected as error:
        raise _problem_for(error, language) from error
    except ReadStopped as error:
        raise _stopped(language) from error
    _after_import(principal.tenant_id, report)
    return import_out(principal.tenant_id, report.id, language=language)


def _after_import(tenant_id: str, report: imports.ImportReport) -> None:
    """New orders: check whether deployed forecasts still hold (in the background)."""
    new_orders = report.entity in ("order_lines", "orders", "order_items") and (
        report.counts["inserted"] or report.counts["updated"]
    )
    if report.status == "completed" and new_orders:
        from tendero.registry.drift import check_in_background

        check_in_background(tenant_id)
    from tendero.services.search import follow_import

    follow_import(tenant_id, report.status, report.details)  # the search index follows the catalogue


@router.get("/imports")
def list_imports(principal: ReaderDep, page: PageDep) -> PageOf[ImportOut]:
    rows, total = import_rows.list_imports(principal.tenant_id, page.limit, page.offset)
    items = [ImportOut.model_validate(row, from_attributes=True) for row in rows]
    return PageOf[ImportOut](items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/imports/{import_id}")
def get_import(import_id: str, request: Request, principal: ReaderDep, page: PageDep) -> ImportOut:
    """The report; ``limit``/``offset`` page through its rejected rows."""
    return import_out(principal.tenant_id, import_id, page.limit, page.offset, language_of(request))


@router.get(
    "/imports/{import_id}/rejections.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "every rejected row: row, column, value, reason"}},
)
def rejections_csv(import_id: str, request: Request, principal: ReaderDep) -> StreamingResponse:
    """Every rejected row of an import as CSV, to fix in a spreadsheet; no cell of it can run as a formula."""
    language = language_of(request)
    import_rows.get_import(principal.tenant_id, import_id)  # 404 before the response starts

    def lines() -> Iterator[bytes]:
        offset, page = 0, 10_000
        while True:
            rows, total = import_rows.list_rejections(principal.tenant_id, import_id, page, offset)
            frame = pd.DataFrame([_rejection_out(r, language) for r in rows], columns=[
                "row", "column", "value", "reason"])  # fmt: skip
            buffer = io.StringIO()
            write_csv(frame, buffer, header=offset == 0)
            yield buffer.getvalue().encode("utf-8")
            offset += page
            if offset >= total:
                return

    headers = {"Content-Disposition": f'attachment; filename="rejections-{import_id[:32]}.csv"'}
    return StreamingResponse(lines(), media_type="text/csv; charset=utf-8", headers=headers)


class SourceOut(BaseModel):
    name: str
    dialect: str
    database: str | None
    origin: str


@router.get("/sources")
def list_sources(principal: ReaderDep) -> PageOf[SourceOut]:
    """The SQL sources this tenant may query by name (``sql_source`` of ``POST /v1/datasets``): names only,
    never a host or a password. Operators add them with ``tendero sources add`` or TENDERO_SQL_SOURCES."""
    found = [SourceOut(**source.describe()) for source in sources.sources_for(principal.tenant_id)]
    return PageOf[SourceOut](items=found, total=len(found), limit=len(found), offset=0)


@router.get("/profile")
def data_profile(principal: ReaderDep) -> dict[str, Any]:
    return profile.profile(principal.tenant_id)


@router.get("/entities")
def entities(principal: ReaderDep) -> dict[str, Any]:
    """The fields each entity accepts, with their types, whether required, and accepted aliases."""
    return {
        name: [{"field": f.name, "type": f.type, "required": f.required, "aliases": list(f.aliases)}
               for f in entity.fields]
        for name, entity in ENTITIES.items()
    }  # fmt: skip
