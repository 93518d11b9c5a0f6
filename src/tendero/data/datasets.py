"""Datasets of the training platform: a file, a commerce entity or a SQL query, stored as Parquet.

Status goes uploading → processing → ready, or error with the reason and the rows/columns at fault.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fsspec
import pandas as pd

from tendero.config import get_settings
from tendero.store import artifacts
from tendero.store import datasets as dataset_rows
from tendero.store.db import session_scope
from tendero.store.tables import Dataset
from tendero.training.datasets import DatasetError, LoadedTable, infer_schema, read_table, validate_task

ENTITY_READERS = ("order_lines", "products", "customers", "interactions")


def dataset_uri(tenant_id: str, dataset_id: str) -> str:
    return artifacts.join(get_settings().artifacts, tenant_id, "datasets", dataset_id, "data.parquet")


def _create(
    tenant_id: str,
    name: str,
    source: str,
    task: str,
    target: str | None,
    features: list[str] | None,
    load: Callable[[], LoadedTable],
) -> Dataset:
    with session_scope() as session:
        dataset_id = dataset_rows.create_dataset(session, tenant_id, name, source, task, target, features).id
    try:
        with session_scope() as session:
            dataset_rows.update_dataset(session, tenant_id, dataset_id, status="processing")
        table = load()
        spec = validate_task(table.frame, task, target, features)  # type: ignore[arg-type]
        buffer = io.BytesIO()
        table.frame.to_parquet(buffer, index=False)
        body = buffer.getvalue()
        uri = dataset_uri(tenant_id, dataset_id)
        fs, path = fsspec.core.url_to_fs(uri)
        fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
        fs.pipe_file(path, body)
        schema = infer_schema(table.frame)
        with session_scope() as session:
            row = dataset_rows.update_dataset(
                session, tenant_id, dataset_id, status="ready", format=table.format, rows=len(table.frame),
                size_bytes=len(body), schema=schema.model_dump(), report=table.report.model_dump(),
                uri=uri, sha256=hashlib.sha256(body).hexdigest(), target=spec.target, features=spec.features,
            )  # fmt: skip
            session.flush()
            session.expunge(row)
            return row
    except DatasetError as error:
        issues = [issue.model_dump() for issue in error.issues]
        with session_scope() as session:
            row = dataset_rows.update_dataset(session, tenant_id, dataset_id, status="error", error=str(error),
                                              report={"issues": issues})  # fmt: skip
            session.flush()
            session.expunge(row)
            return row


def create_from_file(tenant_id: str, path: Path, filename: str, name: str, task: str, target: str | None = None,
                     features: list[str] | None = None) -> Dataset:  # fmt: skip
    limit = get_settings().max_upload_bytes
    shown = Path(filename).name
    return _create(tenant_id, name, shown, task, target, features,
                   lambda: read_table(path, filename=shown, max_bytes=limit))  # fmt: skip


def create_from_frame(tenant_id: str, frame: pd.DataFrame, source: str, name: str, task: str,
                      target: str | None = None, features: list[str] | None = None) -> Dataset:  # fmt: skip
    """From a tendero data entity or a SQL query result: the same checks as an uploaded file."""

    def load() -> LoadedTable:
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        return read_table(buffer.getvalue(), file_format="parquet")

    return _create(tenant_id, name, source, task, target, features, load)


def create_from_entity(tenant_id: str, entity: str, name: str, task: str, target: str | None = None,
                       features: list[str] | None = None) -> Dataset:  # fmt: skip
    from tendero.data.frames import READERS

    if entity not in ENTITY_READERS:
        raise ValueError(f"entity must be one of {', '.join(ENTITY_READERS)}")
    return create_from_frame(tenant_id, READERS[entity](tenant_id), f"entity:{entity}", name, task, target, features)


def create_from_sql(tenant_id: str, url: str, query: str, name: str, task: str, target: str | None = None,
                    features: list[str] | None = None) -> Dataset:  # fmt: skip
    from tendero.store.sources import stream_query

    stream = stream_query(url, query)
    try:
        frame = pd.concat(list(stream.frames()) or [pd.DataFrame(columns=stream.columns)], ignore_index=True)
    finally:
        stream.close()
    return create_from_frame(tenant_id, frame, f"sql: {stream.display}", name, task, target, features)


def read_dataset_frame(tenant_id: str, dataset_id: str) -> pd.DataFrame:
    """The stored table, checked against the SHA-256 recorded when it was made."""
    with session_scope() as session:
        row = dataset_rows.get_dataset(session, tenant_id, dataset_id)
        if row.status != "ready" or not row.uri:
            raise ValueError(f"dataset {dataset_id} is not ready (status {row.status}): {row.error or ''}".strip())
        uri, sha = row.uri, row.sha256
    fs, path = fsspec.core.url_to_fs(uri)
    body = fs.cat_file(path)
    if hashlib.sha256(body).hexdigest() != sha:
        raise artifacts.ArtifactCorrupted(f"dataset {dataset_id} does not match its recorded SHA-256")
    return pd.read_parquet(io.BytesIO(body))


def delete_dataset(tenant_id: str, dataset_id: str) -> None:
    with session_scope() as session:
        row = dataset_rows.delete_dataset(session, tenant_id, dataset_id)
        uri = row.uri
    if uri:
        artifacts.remove(uri.rsplit("/", 1)[0])


def dataset_out(row: Dataset) -> dict[str, Any]:
    return {
        "id": row.id, "name": row.name, "source": row.source, "task": row.task, "target": row.target,
        "features": row.features, "status": row.status, "error": row.error, "format": row.format, "rows": row.rows,
        "size_bytes": row.size_bytes, "schema": row.schema, "report": row.report, "sha256": row.sha256,
        "created_at": row.created_at,
    }  # fmt: skip
