"""insight_analyses: stored sales analyses (periods, currency, language, the analysis as JSON)

Revision ID: 0013
Revises: 0009
Create Date: 2026-12-07 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tendero.store.tables

revision = "0013"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "insight_analyses",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("period_start", sa.String(length=10), nullable=False),
        sa.Column("period_end", sa.String(length=10), nullable=False),
        sa.Column("compare_start", sa.String(length=10), nullable=False),
        sa.Column("compare_end", sa.String(length=10), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("job_id", sa.String(length=32), nullable=True),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", tendero.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("insight_analyses", schema=None) as batch_op:
        batch_op.create_index("ix_insight_analyses_tenant_created", ["tenant_id", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("insight_analyses", schema=None) as batch_op:
        batch_op.drop_index("ix_insight_analyses_tenant_created")
    op.drop_table("insight_analyses")
