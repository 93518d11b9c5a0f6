"""The migrations build exactly the schema the models describe (on SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from tendero.store.db import get_engine
from tendero.store.tables import Base


def test_migrated_database_matches_the_models():
    with get_engine().connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    ours = [d for d in differences if not (isinstance(d, tuple) and str(d[1]).startswith("procrastinate"))]
    assert ours == [], ours
