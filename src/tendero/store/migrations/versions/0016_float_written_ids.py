"""ids stored with a float writer's ``.0`` (``12536.0``) read as the shop numbers them (``12536``)

Imports before this revision kept the ``.0`` that spreadsheets and pandas add to an integer id column with
blanks, so asking for customer ``12536`` found nothing. Each tenant's customer, product and order ids in that
form are renamed everywhere they appear, unless the plain id already exists in the same id space for that
tenant (then both are left as they are and the count is logged: merging two customers is not a migration's
call). Trained models keep the ids they learnt until they are retrained.

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-06 18:30:00
"""

from __future__ import annotations

import logging
import re

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0012"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
FLOAT_WRITTEN = re.compile(r"^(0|[1-9][0-9]{0,15})\.0+$")  # as tendero.data.validate.FLOAT_WRITTEN_ID
# each id space: the (table, column) pairs that hold its ids
SPACES: dict[str, tuple[tuple[str, str], ...]] = {
    "customer": (("customers", "external_id"), ("orders", "customer_id"), ("interactions", "user_id"),
                 ("recommendation_feedback", "user_id")),
    "product": (("products", "external_id"), ("order_items", "product_id"), ("interactions", "item_id"),
                ("recommendation_feedback", "item_id"), ("search_documents", "product_id")),
    "order": (("orders", "external_id"), ("order_items", "order_id")),
}  # fmt: skip
BATCH = 500


def _columns(bind: sa.engine.Connection, space: str) -> list[tuple[str, str]]:
    tables = set(sa.inspect(bind).get_table_names())
    return [(table, column) for table, column in SPACES[space] if table in tables]


def _rename_space(bind: sa.engine.Connection, space: str) -> tuple[int, int]:
    """Rename one space's float-written ids of every tenant; (renamed, left because the plain id exists)."""
    columns = _columns(bind, space)
    found: dict[str, set[str]] = {}
    for table, column in columns:
        rows = bind.execute(sa.text(f"SELECT DISTINCT tenant_id, {column} FROM {table} WHERE {column} LIKE '%.0%'"))
        for tenant_id, value in rows:
            if value is not None and FLOAT_WRITTEN.match(value):
                found.setdefault(tenant_id, set()).add(value)
    renamed = kept = 0
    moves: list[dict[str, str]] = []
    for tenant_id, values in found.items():
        plain = {value: FLOAT_WRITTEN.sub(r"\1", value) for value in values}
        taken: set[str] = set()
        targets = sorted(set(plain.values()))
        for table, column in columns:
            query = sa.text(f"SELECT DISTINCT {column} FROM {table} WHERE tenant_id = :tenant AND {column} IN :ids")
            query = query.bindparams(sa.bindparam("ids", expanding=True))
            for start in range(0, len(targets), BATCH):
                chunk = targets[start : start + BATCH]
                taken.update(value for (value,) in bind.execute(query, {"tenant": tenant_id, "ids": chunk}))
        mine = [{"tenant": tenant_id, "old": old, "new": new} for old, new in plain.items() if new not in taken]
        kept += len(plain) - len(mine)
        moves += mine
    renamed = len(moves)
    if not moves:
        return renamed, kept
    # one pass over each table, looking each id up in a temporary table (an UPDATE per id would scan per id)
    bind.execute(sa.text("CREATE TEMPORARY TABLE id_moves (tenant_id VARCHAR(32) NOT NULL, old VARCHAR(200) NOT NULL, "
                         "new VARCHAR(200) NOT NULL, PRIMARY KEY (tenant_id, old))"))  # fmt: skip
    bind.execute(sa.text("INSERT INTO id_moves (tenant_id, old, new) VALUES (:tenant, :old, :new)"), moves)
    for table, column in columns:
        match = f"FROM id_moves m WHERE m.tenant_id = {table}.tenant_id AND m.old = {table}.{column}"
        bind.execute(sa.text(f"UPDATE {table} SET {column} = (SELECT m.new {match}) WHERE EXISTS (SELECT 1 {match})"))
    bind.execute(sa.text("DROP TABLE id_moves"))
    return renamed, kept


def upgrade() -> None:
    bind = op.get_bind()
    for space in SPACES:
        renamed, kept = _rename_space(bind, space)
        if renamed or kept:
            log.info("%s ids written as floats: %d renamed without the .0, %d left (the plain id exists too)",
                     space, renamed, kept)  # fmt: skip


def downgrade() -> None:
    """Nothing to undo: the ids are the shop's own again."""
