"""Test setup: a real database (SQLite, or PostgreSQL from TENDERO_TEST_DATABASE_URL), a real app.

Settings come from the environment, which spawned job processes and worker subprocesses inherit, so
every process of a test run talks to the same database and artifact folder. Helpers are in support.py.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_HOME = Path(tempfile.mkdtemp(prefix="tendero-tests-"))
_PG_ADMIN_URL = os.environ.get("TENDERO_TEST_DATABASE_URL", "")
_PG_DATABASE = f"tendero_test_{secrets.token_hex(4)}"

os.environ["TENDERO_HOME"] = str(_HOME)
os.environ["TENDERO_ARTIFACTS"] = str(_HOME / "artifacts")
os.environ["TENDERO_RATE_LIMIT_PER_MINUTE"] = "1000000"
os.environ["TENDERO_RATE_LIMIT_PER_IP_PER_MINUTE"] = "1000000"
os.environ["TENDERO_LOG_LEVEL"] = "WARNING"
os.environ["TENDERO_JOB_LEASE_SECONDS"] = "4"
os.environ["TENDERO_EXTRA_KINDS"] = '{"slow": "slow_kind:SlowKind"}'
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(Path(__file__).parent / "plugins"), *filter(None, [os.environ.get("PYTHONPATH")])]
)
os.environ.pop("TENDERO_REDIS_URL", None)
os.environ.pop("TENDERO_JOB_RUNNER", None)
if _PG_ADMIN_URL:
    base = _PG_ADMIN_URL.rsplit("/", 1)[0]
    os.environ["TENDERO_DATABASE_URL"] = f"{base}/{_PG_DATABASE}"
else:
    os.environ["TENDERO_DATABASE_URL"] = f"sqlite:///{_HOME / 'tendero.db'}"

from browser import chromium, server  # noqa: E402, F401 (the browser tests' fixtures: Chromium, a live server)
from support import TenantKeys, make_tenant  # noqa: E402 (after the environment is set)


def pytest_sessionstart(session: pytest.Session) -> None:
    if _PG_ADMIN_URL:
        import psycopg

        with psycopg.connect(_PG_ADMIN_URL.replace("+psycopg", ""), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{_PG_DATABASE}"')
    from tendero.store.migrate import upgrade_database

    upgrade_database()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from tendero.store.db import reset_engine

    reset_engine()
    if _PG_ADMIN_URL:
        import psycopg

        with psycopg.connect(_PG_ADMIN_URL.replace("+psycopg", ""), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{_PG_DATABASE}" WITH (FORCE)')


@pytest.fixture
def tenant() -> TenantKeys:
    return make_tenant()


@pytest.fixture
def other_tenant() -> TenantKeys:
    return make_tenant("other")


@pytest.fixture(scope="session")
def client() -> Iterator:
    """The real app over HTTP (ASGI), with its lifespan: migrations and the in-process job runner."""
    from fastapi.testclient import TestClient

    from tendero.app import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def demo_store():
    """A small generated store, shared by the tests that only read it."""
    from tendero.data.demo import generate_store

    return generate_store(seed=3, customers=120, days=120)
