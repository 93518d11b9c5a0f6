"""Datasets of the training platform: a file, a commerce entity or a SQL source's query, stored as Parquet.

Status goes uploading → processing → ready, or error with the reason and the rows/columns at fault;
whatever goes wrong while reading (a refused file, an over-limit read, an unexpected error, a crash)
ends in "error", never in "processing" for ever.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from tendero.config import get_settings
from tendero.data.budget import Budget, Limits
from tendero.data.issues import Issue, ReadStopped, TableRejected
from tendero.data.messages import Language, Text, say, text_as_json, text_from_json
from tendero.data.table import frames_table
from tendero.store import artifacts, commerce
from tendero.store import datasets as dataset_rows
from tendero.store.db import session_scope
from tendero.store.tables import Dataset
from tendero.training.datasets import LoadedTable, infer_schema, read_opened, read_table, validate_task

log = logging.getLogger(__name__)
ENTITY_READERS = ("order_lines", "products", "customers", "interactions")
STORED_ISSUES = 200


def _create(
    tenant_id: str,
    name: str,
    source: str,
    task: str,
    target: str | None,
    features: list[str] | None,
    load: Callable[[Budget], LoadedTable],
) -> Dataset:
    with session_scope() as session:
        dataset_id = dataset_rows.create_dataset(session, tenant_id, name, source, task, target, features).id
    try:
        with session_scope() as session:
            dataset_rows.update_dataset(session, tenant_id, dataset_id, status="processing")
        table = load(Budget(Limits.from_settings()))
        spec = validate_task(table.frame, task, target, features)  # type: ignore[arg-type]
        buffer = io.BytesIO()
        table.frame.to_parquet(buffer, index=False)
        body = buffer.getvalue()
        uri = artifacts.dataset_uri(tenant_id, dataset_id)
        sha256 = artifacts.write_file(uri, body)
        schema = infer_schema(table.frame)
        with session_scope() as session:
            row = dataset_rows.update_dataset(
                session, tenant_id, dataset_id, status="ready", format=table.format, rows=len(table.frame),
                size_bytes=len(body), schema=schema.model_dump(), report=table.report.model_dump(),
                uri=uri, sha256=sha256, target=spec.target, features=spec.features,
            )  # fmt: skip
            session.flush()
            session.expunge(row)
            return row
    except TableRejected as error:
        return _failed(tenant_id, dataset_id, error.text or str(error), error.issues)
    except ReadStopped:
        _failed(tenant_id, dataset_id, say("read.interrupted"), [])
        raise
    except Exception:
        log.exception("dataset %s could not be read", dataset_id)
        return _failed(tenant_id, dataset_id, say("read.failed"), [])


def _failed(tenant_id: str, dataset_id: str, text: Text | str, issues: list[Issue]) -> Dataset:
    report: dict[str, Any] = {"issues": [issue.model_dump() for issue in issues[:STORED_ISSUES]],
                              "issues_total": len(issues)}  # fmt: skip
    if isinstance(text, Text):
        report["error"] = text_as_json(text)
    with session_scope() as session:
        row = dataset_rows.update_dataset(session, tenant_id, dataset_id, status="error", error=str(text),
                                          report=report)  # fmt: skip
        session.flush()
        session.expunge(row)
        return row


def create_from_file(tenant_id: str, path: Path, filename: str, name: str, task: str, target: str | None = None,
                     features: list[str] | None = None) -> Dataset:  # fmt: skip
    limit = get_settings().max_upload_bytes
    shown = Path(filename).name
    return _create(tenant_id, name, shown, task, target, features,
                   lambda budget: read_table(path, filename=shown, max_bytes=limit, budget=budget))  # fmt: skip


def create_from_frame(tenant_id: str, frame: pd.DataFrame, source: str, name: str, task: str,
                      target: str | None = None, features: list[str] | None = None) -> Dataset:  # fmt: skip
    """From a tendero data entity (or any frame of ours): the same checks as an uploaded file."""

    def load(budget: Budget) -> LoadedTable:
        return read_opened(frames_table([str(c) for c in frame.columns], [frame], "entity", budget))

    return _create(tenant_id, name, source, task, target, features, load)


def create_from_entity(tenant_id: str, entity: str, name: str, task: str, target: str | None = None,
                       features: list[str] | None = None) -> Dataset:  # fmt: skip
    if entity not in ENTITY_READERS:
        raise TableRejected(say("dataset.entity", entities=", ".join(ENTITY_READERS)))
    return create_from_frame(
        tenant_id, commerce.READERS[entity](tenant_id), f"entity:{entity}", name, task, target, features
    )


def create_from_sql(tenant_id: str, source: str, query: str, name: str, task: str, target: str | None = None,
                    features: list[str] | None = None) -> Dataset:  # fmt: skip
    """From a query on one of this tenant's SQL sources (named, configured by an operator; read-only).

    An unknown source is refused here (``SourceRefused``); a query that fails, runs too long or returns
    too many rows makes a dataset in error that says so.
    """
    from tendero.store import sources

    sources.find_source(tenant_id, source)

    def load(budget: Budget) -> LoadedTable:
        stream = sources.open_source(tenant_id, source, query)
        try:
            return read_opened(frames_table(stream.columns, stream.frames(), "sql", budget))
        finally:
            stream.close()

    return _create(tenant_id, name, f"sql source {source}", task, target, features, load)


def read_dataset_frame(tenant_id: str, dataset_id: str) -> pd.DataFrame:
    """The stored table, checked against the SHA-256 recorded when it was made."""
    with session_scope() as session:
        row = dataset_rows.get_dataset(session, tenant_id, dataset_id)
        if row.status != "ready" or not row.uri or not row.sha256:
            raise ValueError(f"dataset {dataset_id} is not ready (status {row.status}): {row.error or ''}".strip())
        uri, sha = row.uri, row.sha256
    return pd.read_parquet(io.BytesIO(artifacts.read_file(uri, sha, what=f"dataset {dataset_id}")))


def delete_dataset(tenant_id: str, dataset_id: str) -> None:
    with session_scope() as session:
        row = dataset_rows.delete_dataset(session, tenant_id, dataset_id)
        uri = row.uri
    if uri:
        artifacts.remove(uri.rsplit("/", 1)[0])


def dataset_out(row: Dataset, language: Language = "en") -> dict[str, Any]:
    """A dataset for people and programs; its error and issues in ``language`` where they have a message code."""
    report = dict(row.report or {})
    error = row.error
    stored = text_from_json(report.pop("error", None))
    if stored is not None:
        error = stored.render(language)
    if report.get("issues"):
        report["issues"] = [_issue_out(issue, language) for issue in report["issues"]]
    return {
        "id": row.id, "name": row.name, "source": row.source, "task": row.task, "target": row.target,
        "features": row.features, "status": row.status, "error": error, "format": row.format, "rows": row.rows,
        "size_bytes": row.size_bytes, "schema": row.schema, "report": report, "sha256": row.sha256,
        "created_at": row.created_at,
    }  # fmt: skip


def _issue_out(stored: dict[str, Any], language: Language) -> dict[str, Any]:
    issue = Issue.model_validate(stored)
    shown = issue.model_dump(exclude={"params"})
    shown["message"] = issue.rendered(language)
    return shown
