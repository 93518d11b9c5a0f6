"""drop the commerce tables' single-column tenant indexes

Each commerce table already has a unique index that starts with tenant_id, which serves every
tenant-scoped query and the tenant cascade; the extra index only slowed imports down (about a fifth
of the insert cost of an order line on SQLite).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 18:15:00
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLES = ("customers", "products", "orders", "order_items", "interactions")


def upgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_tenant_id", table_name=table)


def downgrade() -> None:
    for table in TABLES:
        op.create_index(f"ix_{table}_tenant_id", table, ["tenant_id"], unique=False)
