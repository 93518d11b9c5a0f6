"""product search: stored embeddings and index state

Revision ID: 0009
Revises: 0011
Create Date: 2026-12-06 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tendero.store.tables

revision = "0009"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("product_id", sa.String(length=200), nullable=False),
        sa.Column("model", sa.String(length=60), nullable=False),
        sa.Column("text_hash", sa.String(length=40), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", tendero.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "product_id", name="uq_search_documents_product"),
    )
    op.create_table(
        "search_indexes",
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("model", sa.String(length=60), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("products", sa.Integer(), nullable=False),
        sa.Column("embedded", sa.Integer(), nullable=False),
        sa.Column("changed_at", tendero.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.Column("synced_at", tendero.store.tables.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id"),
    )
    with op.batch_alter_table("search_indexes", schema=None) as batch_op:
        batch_op.create_index("ix_search_indexes_changed", ["changed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("search_indexes", schema=None) as batch_op:
        batch_op.drop_index("ix_search_indexes_changed")
    op.drop_table("search_indexes")
    op.drop_table("search_documents")
