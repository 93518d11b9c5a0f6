"""Training-platform datasets for every face: made from a file, a data entity or a SQL source, listed and shown as
people and programs read them, and deleted (training on one: `services.training.submit_dataset_training`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from tendero.data import datasets as dataset_tables
from tendero.data.datasets import dataset_out
from tendero.data.issues import ReadStopped as ReadStopped
from tendero.data.issues import TableRejected as TableRejected
from tendero.data.messages import Language
from tendero.store import datasets as dataset_rows
from tendero.store.db import using_session


@dataclass(frozen=True)
class DatasetFacts:
    """What a training request reads from its dataset."""

    id: str
    name: str
    status: str
    error: str | None
    task: str
    target: str | None
    features: list[str] | None
    rows: int | None
    columns: int


def list_datasets(tenant_id: str, limit: int = 50, offset: int = 0, language: Language = "en",
                  session: Session | None = None) -> tuple[list[dict[str, Any]], int]:  # fmt: skip
    with using_session(session) as db:
        rows, total = dataset_rows.list_datasets(db, tenant_id, limit, offset)
        return [dataset_out(row, language) for row in rows], total


def get_dataset(tenant_id: str, dataset_id: str, language: Language = "en",
                session: Session | None = None) -> dict[str, Any]:  # fmt: skip
    with using_session(session) as db:
        return dataset_out(dataset_rows.get_dataset(db, tenant_id, dataset_id), language)


def dataset_facts(tenant_id: str, dataset_id: str, session: Session | None = None) -> DatasetFacts:
    """The dataset's task, target, features and size (NotFound for another tenant's or no dataset)."""
    with using_session(session) as db:
        row = dataset_rows.get_dataset(db, tenant_id, dataset_id)
        return DatasetFacts(row.id, row.name, row.status, row.error, row.task, row.target, row.features, row.rows,
                            len((row.schema or {}).get("columns", [])))  # fmt: skip


def create_from_file(tenant_id: str, path: Path, filename: str, name: str, task: str, target: str | None = None,
                     features: list[str] | None = None, language: Language = "en") -> dict[str, Any]:  # fmt: skip
    """A dataset from an uploaded file (TableRejected when it cannot be read as a table, ReadStopped when the
    server is stopping), as ``get_dataset`` shows it."""
    row = dataset_tables.create_from_file(tenant_id, path, filename, name, task, target, features)
    return dataset_out(row, language)


def create_from_entity(tenant_id: str, entity: str, name: str, task: str, target: str | None = None,
                       features: list[str] | None = None, language: Language = "en") -> dict[str, Any]:  # fmt: skip
    """A dataset from one of the tenant's commerce data entities (order_lines, products, customers, ...)."""
    return dataset_out(dataset_tables.create_from_entity(tenant_id, entity, name, task, target, features), language)


def create_from_sql(tenant_id: str, source: str, query: str, name: str, task: str, target: str | None = None,
                    features: list[str] | None = None, language: Language = "en") -> dict[str, Any]:  # fmt: skip
    """A dataset from a query on one of the tenant's named SQL sources (read-only)."""
    row = dataset_tables.create_from_sql(tenant_id, source, query, name, task, target, features)
    return dataset_out(row, language)


def delete_dataset(tenant_id: str, dataset_id: str) -> None:
    """Conflict while a queued or running job reads it."""
    dataset_tables.delete_dataset(tenant_id, dataset_id)
