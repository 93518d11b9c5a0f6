"""Import reports and their rejected rows, always for one tenant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update

from tendero.config import get_settings
from tendero.errors import NotFound
from tendero.store.db import get_engine, session_scope
from tendero.store.tables import DataImport, ImportRejection, table_of, utcnow

ERROR_CHARS = 2_000  # a stored error is a sentence, never a dump
STALE_GRACE_SECONDS = 120
INTERRUPTED_TEXT = (
    "nothing was imported: reading was interrupted (the server stopped or crashed while reading it); send it again"
)
INTERRUPTED = {"code": "import.nothing", "params": {"reason": {"code": "read.interrupted", "params": {}}}}


def start_import(tenant_id: str, entity: str, source: str, dry_run: bool) -> str:
    with session_scope() as session:
        row = DataImport(tenant_id=tenant_id, entity=entity, source=source[:500], dry_run=dry_run)
        session.add(row)
        session.flush()
        return row.id


def finish_import(tenant_id: str, import_id: str, *, status: str, counts: dict[str, int],
                  details: dict[str, Any], error: str | None = None) -> None:  # fmt: skip
    with session_scope() as session:
        row = session.scalar(select(DataImport).where(DataImport.tenant_id == tenant_id, DataImport.id == import_id))
        if row is None:
            raise NotFound(f"no import {import_id!r}")
        row.status, row.details, row.finished_at = status, details, utcnow()
        row.error = None if error is None else error[:ERROR_CHARS]
        for name in ("rows_read", "inserted", "updated", "unchanged", "merged", "rejected"):
            setattr(row, name, int(counts.get(name, 0)))


def add_rejections(tenant_id: str, import_id: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    with get_engine().begin() as connection:
        for start in range(0, len(rows), 10_000):
            batch = rows[start : start + 10_000]
            connection.execute(
                table_of(ImportRejection).insert(),
                [{"import_id": import_id, "tenant_id": tenant_id, **row} for row in batch],
            )


def fail_stale_imports(tenant_id: str) -> None:
    """An import still "running" long after any read could have lasted was cut short by a crash: failed."""
    before = utcnow() - timedelta(seconds=get_settings().max_read_seconds * 2 + STALE_GRACE_SECONDS)
    stale = (DataImport.tenant_id == tenant_id, DataImport.status == "running", DataImport.created_at < before)
    with session_scope() as session:
        if session.scalar(select(DataImport.id).where(*stale).limit(1)) is None:
            return  # the usual case: a read, no write lock taken
        values = {"status": "failed", "finished_at": utcnow(), "details": {"error": INTERRUPTED},
                  "error": INTERRUPTED_TEXT}  # fmt: skip
        session.execute(update(DataImport).where(*stale).values(**values))


def get_import(tenant_id: str, import_id: str) -> DataImport:
    fail_stale_imports(tenant_id)
    with session_scope() as session:
        row = session.scalar(select(DataImport).where(DataImport.tenant_id == tenant_id, DataImport.id == import_id))
        if row is None:
            raise NotFound(f"no import {import_id!r}")
        session.expunge(row)
        return row


def list_imports(tenant_id: str, limit: int, offset: int) -> tuple[Sequence[DataImport], int]:
    fail_stale_imports(tenant_id)
    query = select(DataImport).where(DataImport.tenant_id == tenant_id)
    with session_scope() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(DataImport.created_at.desc()).limit(limit).offset(offset)).all()
        for row in rows:
            session.expunge(row)
        return rows, total


def list_rejections(tenant_id: str, import_id: str, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    get_import(tenant_id, import_id)
    query = select(ImportRejection).where(
        ImportRejection.tenant_id == tenant_id, ImportRejection.import_id == import_id
    )
    with session_scope() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(ImportRejection.row, ImportRejection.id).limit(limit).offset(offset))
        items = [{"row": r.row, "column": r.column, "value": r.value, "reason": r.reason, "code": r.code,
                  "params": r.params} for r in rows]  # fmt: skip
        return items, total


def rejection_reasons(tenant_id: str, import_id: str) -> list[dict[str, Any]]:
    """The import's distinct reasons with how many rows each, most frequent first; each with its catalogue code
    and the particulars of one of its rows (the same stored sentence has the same particulars)."""
    scope = (ImportRejection.tenant_id == tenant_id, ImportRejection.import_id == import_id)
    query = (
        select(ImportRejection.reason, ImportRejection.code, func.count(), func.min(ImportRejection.id))
        .where(*scope)
        .group_by(ImportRejection.reason, ImportRejection.code)
    )
    with get_engine().connect() as connection:
        groups = list(connection.execute(query))
        ids = [first for *_, first in groups]
        params: dict[int, dict[str, Any] | None] = {}
        if ids:
            chosen = select(ImportRejection.id, ImportRejection.params).where(*scope, ImportRejection.id.in_(ids))
            params = {row_id: row_params for row_id, row_params in connection.execute(chosen)}
    out = [{"reason": reason, "code": code, "params": params.get(first) or {}, "rows": int(count)}
           for reason, code, count, first in groups]  # fmt: skip
    return sorted(out, key=lambda group: (-group["rows"], group["reason"]))
