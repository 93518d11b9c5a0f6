"""Migration 0016: ids stored with a float writer's ``.0`` before imports read them as text are repaired."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic import command

from tendero.store.migrate import alembic_config

NOW = datetime(2024, 3, 1, 10, 0)


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """An empty database of its own (the suite's is at head already)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    admin = os.environ.get("TENDERO_TEST_DATABASE_URL", "")
    if not admin:
        pytest.skip("PostgreSQL is tested with TENDERO_TEST_DATABASE_URL")
    import psycopg

    name = f"tendero_ids_{secrets.token_hex(4)}"
    with psycopg.connect(admin.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    base = admin.rsplit("/", 1)[0]
    yield f"{base}/{name}" if "+psycopg" in base else f"{base.replace('postgresql://', 'postgresql+psycopg://')}/{name}"
    with psycopg.connect(admin.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_float_written_ids_are_renamed_everywhere_unless_the_plain_id_exists(fresh_url):
    url = fresh_url
    config = alembic_config(url)
    command.upgrade(config, "0012")  # the schema as imports before the fix left it
    engine = sa.create_engine(url)
    with engine.begin() as db:
        customers = [("t1", "12536.0"), ("t1", "14646.0"), ("t1", "14646"), ("t1", "00042"), ("t1", "A-1.0"),
                     ("t2", "12536.0")]  # fmt: skip
        db.execute(sa.text("INSERT INTO customers (tenant_id, external_id, attributes) VALUES (:t, :id, '{}')"),
                   [{"t": t, "id": i} for t, i in customers])  # fmt: skip
        db.execute(sa.text("INSERT INTO orders (tenant_id, external_id, customer_id, ordered_at, status) "
                           "VALUES (:t, :id, :c, :at, 'completed')"),
                   [{"t": "t1", "id": "490397", "c": "12536.0", "at": NOW},
                    {"t": "t1", "id": "490398", "c": "14646.0", "at": NOW},
                    {"t": "t2", "id": "1.0", "c": "12536.0", "at": NOW}])  # fmt: skip
        db.execute(
            sa.text(
                "INSERT INTO order_items (tenant_id, order_id, product_id, quantity, unit_price, discount) "
                "VALUES (:t, :o, 'P1', 1, 1, 0)"
            ),
            [{"t": "t1", "o": "490397"}, {"t": "t2", "o": "1.0"}],
        )
        db.execute(sa.text("INSERT INTO interactions (tenant_id, user_id, item_id, kind, at) "
                           "VALUES ('t1', '12536.0', 'P1', 'view', :at)"), {"at": NOW})  # fmt: skip
    command.upgrade(config, "head")
    with engine.connect() as db:

        def ids(query: str) -> list[tuple[str, ...]]:
            return sorted(tuple(row) for row in db.execute(sa.text(query)))

        assert ids("SELECT tenant_id, external_id FROM customers") == [
            ("t1", "00042"),
            ("t1", "12536"),
            ("t1", "14646"),
            ("t1", "14646.0"),
            ("t1", "A-1.0"),
            ("t2", "12536"),
        ]
        # 14646.0 is left: a plain 14646 exists too, and merging two customers is not a migration's call
        assert ids("SELECT external_id, customer_id FROM orders") == [
            ("1", "12536"),
            ("490397", "12536"),
            ("490398", "14646.0"),
        ]
        assert ids("SELECT tenant_id, order_id FROM order_items") == [("t1", "490397"), ("t2", "1")]
        assert ids("SELECT user_id FROM interactions") == [("12536",)]
    engine.dispose()
