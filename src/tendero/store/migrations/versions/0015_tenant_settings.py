"""tenant_settings: a tenant's currency (and its source) and its non-product rule

Revision ID: 0015
Revises: 0016
Create Date: 2026-12-06 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import tendero.store.tables

revision = "0015"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tenant_settings",
        sa.Column("tenant_id", sa.String(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("currency_source", sa.String(length=10), nullable=False),
        sa.Column("exclude_non_products", sa.Boolean(), nullable=False),
        sa.Column("non_product_marks", sa.JSON(), nullable=False),
        sa.Column("updated_at", tendero.store.tables.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("tenant_id"),
    )


def downgrade() -> None:
    op.drop_table("tenant_settings")
