"""Test setup: a real database (SQLite, or PostgreSQL from TENDERO_TEST_DATABASE_URL), a real app.

Settings come from the environment, which spawned job processes and worker subprocesses inherit, so
every process of a test run talks to the same database and artifact folder.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
_HOME = Path(tempfile.mkdtemp(prefix="tendero-tests-"))
_PG_ADMIN_URL = os.environ.get("TENDERO_TEST_DATABASE_URL", "")
_PG_DATABASE = f"tendero_test_{secrets.token_hex(4)}"

os.environ["TENDERO_HOME"] = str(_HOME)
os.environ["TENDERO_ARTIFACTS"] = str(_HOME / "artifacts")
os.environ["TENDERO_RATE_LIMIT_PER_MINUTE"] = "1000000"
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


def using_postgres() -> bool:
    return bool(_PG_ADMIN_URL)


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


def shared_data(relative: str) -> Path:
    """A file of ../shared/data, or a skip naming it when the folder is not beside the checkout."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"real data set {relative} not found at {SHARED_DATA} (only in the team's checkout and CI)")
    return path


@dataclass
class TenantKeys:
    """A fresh tenant with one key per role."""

    id: str
    name: str
    admin: str
    analyst: str
    service: str

    def headers(self, role: str = "admin") -> dict[str, str]:
        return {"Authorization": f"Bearer {getattr(self, role)}"}


def make_tenant(prefix: str = "shop") -> TenantKeys:
    from tendero.store import tenants
    from tendero.store.db import session_scope

    name = f"{prefix}-{secrets.token_hex(4)}"
    with session_scope() as session:
        tenant, admin = tenants.create_tenant(session, name)
        analyst = tenants.create_key(session, tenant.id, "analyst", "analyst")
        service = tenants.create_key(session, tenant.id, "service", "service")
        return TenantKeys(tenant.id, name, admin.secret, analyst.secret, service.secret)


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


def load_demo(tenant_id: str, store) -> None:  # type: ignore[no-untyped-def]
    from tendero.demo import load_store

    load_store(tenant_id, store)


def wait_for_job(client, tenant: TenantKeys, job_id: str, timeout: float = 60.0) -> dict:  # type: ignore[no-untyped-def]
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}", headers=tenant.headers()).json()
        if job["status"] in ("completed", "failed", "cancelled"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s: {job}")
