"""API keys: hashed at rest, shown once, revocable; 401 without a key, 403 for the wrong role."""

from __future__ import annotations

from sqlalchemy import select

from support import make_tenant
from tendero.store.db import session_scope
from tendero.store.tables import ApiKey


def test_missing_or_unknown_key_is_401_problem(client):
    missing = client.get("/v1/models")
    assert missing.status_code == 401
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["status"] == 401
    unknown = client.get("/v1/models", headers={"Authorization": "Bearer tdr_00000000_nope"})
    assert unknown.status_code == 401


def test_keys_are_stored_only_as_hashes(tenant):
    with session_scope() as session:
        rows = session.scalars(select(ApiKey).where(ApiKey.tenant_id == tenant.id)).all()
        stored = " ".join(f"{r.prefix} {r.secret_hash} {r.name}" for r in rows)
    assert len(rows) == 3
    for secret in (tenant.admin, tenant.analyst, tenant.service):
        assert secret not in stored
        assert secret.split("_", 2)[2] not in stored  # the random part (which may itself contain "_")


def test_created_key_is_shown_once_and_works_until_revoked(client, tenant):
    created = client.post("/v1/keys", json={"name": "till", "role": "service"}, headers=tenant.headers())
    assert created.status_code == 201
    body = created.json()
    assert body["key"].startswith(body["prefix"] + "_")
    listed = client.get("/v1/keys", headers=tenant.headers()).json()
    assert body["prefix"] in [k["prefix"] for k in listed["items"]]
    assert all("key" not in k for k in listed["items"])
    service = {"Authorization": f"Bearer {body['key']}"}
    assert client.get("/v1/jobs/none", headers=service).status_code == 403  # service cannot read jobs
    revoked = client.post(f"/v1/keys/{body['id']}/revoke", headers=tenant.headers())
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert client.post("/v1/models/x/predict", json={}, headers=service).status_code == 401


def test_roles_gate_actions(client, tenant):
    assert client.get("/v1/keys", headers=tenant.headers("analyst")).status_code == 403
    assert client.get("/v1/keys", headers=tenant.headers("service")).status_code == 403
    assert client.get("/v1/models", headers=tenant.headers("analyst")).status_code == 200
    assert client.get("/v1/models", headers=tenant.headers("service")).status_code == 403
    denied = client.post("/v1/models/m/rollback", headers=tenant.headers("analyst"))
    assert denied.status_code == 403
    assert "admin" in denied.json()["detail"]


def test_key_of_another_tenant_cannot_be_revoked(client, tenant):
    other = make_tenant("rival")
    keys = client.get("/v1/keys", headers=other.headers()).json()["items"]
    answer = client.post(f"/v1/keys/{keys[0]['id']}/revoke", headers=tenant.headers())
    assert answer.status_code == 404
