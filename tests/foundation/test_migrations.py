"""The migrations build exactly the schema the models describe (on SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tendero.store.db import get_engine
from tendero.store.tables import Base


def _ours(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
    """Procrastinate's tables (created by ``tendero worker``) are its own, not in our models."""
    table = name if type_ == "table" else parent_names.get("table_name")
    return not (table or "").startswith("procrastinate")


def test_migrated_database_matches_the_models():
    with get_engine().connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": _ours})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], differences
