"""Dataset rows of the training platform, always for one tenant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tendero.config import get_settings
from tendero.errors import Conflict, NotFound
from tendero.store.tables import Dataset, Job, utcnow

STATUSES = ("uploading", "processing", "ready", "error")
ERROR_CHARS = 2_000  # a stored error is a sentence, never a dump
STALE_GRACE_SECONDS = 120
INTERRUPTED_TEXT = "reading was interrupted (the server stopped or crashed while reading it); send it again"
INTERRUPTED = {"code": "read.interrupted", "params": {}}


def create_dataset(session: Session, tenant_id: str, name: str, source: str, task: str, target: str | None,
                   features: list[str] | None) -> Dataset:  # fmt: skip
    row = Dataset(tenant_id=tenant_id, name=name, source=source[:500], task=task, target=target,
                  features=features or [], status="uploading")  # fmt: skip
    session.add(row)
    session.flush()
    return row


def fail_stale_datasets(session: Session, tenant_id: str) -> None:
    """A dataset still being read long after any read could have lasted was cut short by a crash: an error
    saying so, never "processing" for ever. (A read stops itself after ``TENDERO_MAX_READ_SECONDS``.)"""
    before = utcnow() - timedelta(seconds=get_settings().max_read_seconds * 2 + STALE_GRACE_SECONDS)
    stale = (Dataset.tenant_id == tenant_id, Dataset.status.in_(("uploading", "processing")),
             Dataset.created_at < before)  # fmt: skip
    if session.scalar(select(Dataset.id).where(*stale).limit(1)) is None:
        return  # the usual case: a read, no write lock taken
    session.execute(update(Dataset).where(*stale).values(status="error", error=INTERRUPTED_TEXT,
                                                         report={"issues": [], "error": INTERRUPTED}))  # fmt: skip


def get_dataset(session: Session, tenant_id: str, dataset_id: str) -> Dataset:
    fail_stale_datasets(session, tenant_id)
    row = session.scalar(select(Dataset).where(Dataset.tenant_id == tenant_id, Dataset.id == dataset_id))
    if row is None:
        raise NotFound(f"no dataset {dataset_id!r}")
    return row


def list_datasets(session: Session, tenant_id: str, limit: int, offset: int) -> tuple[Sequence[Dataset], int]:
    fail_stale_datasets(session, tenant_id)
    query = select(Dataset).where(Dataset.tenant_id == tenant_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return session.scalars(query.order_by(Dataset.created_at.desc()).limit(limit).offset(offset)).all(), total


def update_dataset(session: Session, tenant_id: str, dataset_id: str, **values: Any) -> Dataset:
    row = get_dataset(session, tenant_id, dataset_id)
    if isinstance(values.get("error"), str):
        values["error"] = values["error"][:ERROR_CHARS]
    for name, value in values.items():
        setattr(row, name, value)
    return row


def jobs_using(session: Session, tenant_id: str, dataset_id: str) -> list[str]:
    """Ids of pending or running jobs that read this dataset."""
    jobs = session.scalars(select(Job).where(Job.tenant_id == tenant_id, Job.status.in_(("pending", "running")))).all()
    return [job.id for job in jobs if (job.params or {}).get("dataset") == dataset_id]


def delete_dataset(session: Session, tenant_id: str, dataset_id: str) -> Dataset:
    row = get_dataset(session, tenant_id, dataset_id)
    busy = jobs_using(session, tenant_id, dataset_id)
    if busy:
        raise Conflict(f"dataset {dataset_id!r} is used by running or queued jobs {', '.join(busy)}; "
                       "cancel them or wait for them to finish")  # fmt: skip
    session.delete(row)
    return row
