"""named SQL sources; rejected rows keep their reason's catalogue code

Revision ID: 0008
Revises: 0013
Create Date: 2026-12-06 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tendero.store.tables

revision = "0008"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sql_sources",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("created_at", tendero.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant_id", "name", name="uq_sql_sources_name"),
    )
    with op.batch_alter_table("sql_sources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sql_sources_tenant_id"), ["tenant_id"], unique=False)
    with op.batch_alter_table("import_rejections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("params", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("import_rejections", schema=None) as batch_op:
        batch_op.drop_column("params")
        batch_op.drop_column("code")
    with op.batch_alter_table("sql_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sql_sources_tenant_id"))
    op.drop_table("sql_sources")
