"""The product search index's rows: one stored embedding per product, and each tenant's index state.

Embeddings are float32 bytes keyed by (tenant, product external id) with the model that made them and a
hash of the text it read, so a product is re-embedded only when that text (or the model) changes and
nothing is recomputed when a process starts. Every function takes the tenant and filters by it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import BigInteger, Index, Integer, LargeBinary, String, UniqueConstraint, delete, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from tendero.store.db import get_engine
from tendero.store.tables import Base, Product, table_of, utcnow

DELETE_BATCH = 2000


class SearchDocument(Base):
    """A product as the search index last embedded it."""

    __tablename__ = "search_documents"
    __table_args__ = (UniqueConstraint("tenant_id", "product_id", name="uq_search_documents_product"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(32))  # indexed by the unique key
    product_id: Mapped[str] = mapped_column(String(200))
    model: Mapped[str] = mapped_column(String(60))
    text_hash: Mapped[str] = mapped_column(String(40))
    embedding: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SearchIndexState(Base):
    """A tenant's index: a version bumped on every catalogue change, and what the last sync did."""

    __tablename__ = "search_indexes"
    __table_args__ = (Index("ix_search_indexes_changed", "changed_at"),)

    tenant_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    model: Mapped[str | None] = mapped_column(String(60))
    language: Mapped[str | None] = mapped_column(String(8))
    products: Mapped[int] = mapped_column(Integer, default=0)
    embedded: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    synced_at: Mapped[datetime | None]


CATALOGUE_COLUMNS = ["product_id", "name", "description", "category", "brand", "price", "active", "attributes"]


def read_catalogue(tenant_id: str) -> pd.DataFrame:
    """The tenant's products with everything search reads, attributes as dicts."""
    query = (
        select(
            Product.external_id,
            Product.name,
            Product.description,
            Product.category,
            Product.brand,
            Product.price,
            Product.active,
            Product.attributes,
        )
        .where(Product.tenant_id == tenant_id)
        .order_by(Product.id)
    )
    with get_engine().connect() as connection:
        rows = connection.execute(query).all()
    frame = pd.DataFrame.from_records(rows, columns=CATALOGUE_COLUMNS)
    frame["attributes"] = [json.loads(a) if isinstance(a, str) else (a or {}) for a in frame["attributes"]]
    frame["active"] = frame["active"].fillna(True).astype(bool)
    frame["price"] = pd.to_numeric(frame["price"], errors="coerce")
    return frame


def count_products(tenant_id: str) -> int:
    with get_engine().connect() as connection:
        return int(connection.execute(select(func.count()).where(Product.tenant_id == tenant_id)).scalar_one())


def read_documents(tenant_id: str, *, embeddings: bool = False) -> pd.DataFrame:
    """Stored documents: product_id, model, text_hash (and embedding bytes when asked)."""
    columns: list[Any] = [SearchDocument.product_id, SearchDocument.model, SearchDocument.text_hash]
    if embeddings:
        columns.append(SearchDocument.embedding)
    query = select(*columns).where(SearchDocument.tenant_id == tenant_id)
    with get_engine().connect() as connection:
        rows = connection.execute(query).all()
    names = ["product_id", "model", "text_hash"] + (["embedding"] if embeddings else [])
    return pd.DataFrame.from_records(rows, columns=names)


def embedding_matrix(documents: pd.DataFrame, dimensions: int) -> np.ndarray:
    """The stored bytes as one float32 matrix (a row per document)."""
    if documents.empty:
        return np.zeros((0, dimensions), dtype=np.float32)
    blob = b"".join(bytes(e) for e in documents["embedding"])
    return np.frombuffer(blob, dtype=np.float32).reshape(len(documents), dimensions).copy()


def write_documents(tenant_id: str, product_ids: list[str], model: str, hashes: list[str], vectors: np.ndarray) -> None:
    """Replace these products' documents in one transaction (Core statements, not ORM objects)."""
    if not product_ids:
        return
    now = utcnow()
    rows = [
        {
            "tenant_id": tenant_id,
            "product_id": p,
            "model": model,
            "text_hash": h,
            "embedding": np.ascontiguousarray(v, dtype=np.float32).tobytes(),
            "updated_at": now,
        }
        for p, h, v in zip(product_ids, hashes, vectors, strict=True)
    ]
    table = table_of(SearchDocument)
    with get_engine().begin() as connection:
        for start in range(0, len(product_ids), DELETE_BATCH):
            chunk = product_ids[start : start + DELETE_BATCH]
            connection.execute(delete(table).where(table.c.tenant_id == tenant_id, table.c.product_id.in_(chunk)))
        connection.execute(table.insert(), rows)


def delete_documents(tenant_id: str, product_ids: list[str]) -> int:
    table = table_of(SearchDocument)
    removed = 0
    with get_engine().begin() as connection:
        for start in range(0, len(product_ids), DELETE_BATCH):
            chunk = product_ids[start : start + DELETE_BATCH]
            result = connection.execute(
                delete(table).where(table.c.tenant_id == tenant_id, table.c.product_id.in_(chunk))
            )
            removed += result.rowcount or 0
    return removed


def index_state(tenant_id: str) -> dict[str, Any] | None:
    table = table_of(SearchIndexState)
    with get_engine().connect() as connection:
        row = connection.execute(select(table).where(table.c.tenant_id == tenant_id)).mappings().first()
    return dict(row) if row else None


def index_version(tenant_id: str) -> int:
    """The tenant's index version (0: never synced); one indexed read, done at most once a second per tenant."""
    table = table_of(SearchIndexState)
    with get_engine().connect() as connection:
        value = connection.execute(select(table.c.version).where(table.c.tenant_id == tenant_id)).scalar()
    return int(value or 0)


def bump_version(tenant_id: str, **fields: Any) -> int:
    """Mark the tenant's catalogue (or index) as changed, recording ``fields``; returns the new version."""
    table = table_of(SearchIndexState)
    now = utcnow()
    with get_engine().begin() as connection:
        updated = connection.execute(
            update(table)
            .where(table.c.tenant_id == tenant_id)
            .values(version=table.c.version + 1, changed_at=now, **fields)
        ).rowcount
        if not updated:
            try:
                with connection.begin_nested():
                    connection.execute(table.insert().values(tenant_id=tenant_id, version=1, changed_at=now, **fields))
            except Exception:  # another process inserted it first: bump that row instead
                connection.execute(
                    update(table)
                    .where(table.c.tenant_id == tenant_id)
                    .values(version=table.c.version + 1, changed_at=now, **fields)
                )
        return int(connection.execute(select(table.c.version).where(table.c.tenant_id == tenant_id)).scalar_one())
