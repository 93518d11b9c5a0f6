"""Helpers shared by the test modules (fixtures live in conftest.py): tenants, demo data, jobs, real data."""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def using_postgres() -> bool:
    return bool(os.environ.get("TENDERO_TEST_DATABASE_URL"))


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


def load_demo(tenant_id: str, store) -> None:  # type: ignore[no-untyped-def]
    from tendero.services.demo import load_store

    load_store(tenant_id, store)


def wait_for_job(client, tenant: TenantKeys, job_id: str, timeout: float = 60.0) -> dict:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    job: dict = {}
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}", headers=tenant.headers()).json()
        if job["status"] in ("completed", "failed", "cancelled"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s: {job}")
