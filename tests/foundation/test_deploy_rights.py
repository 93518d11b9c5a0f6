"""Only an admin puts a version live, whatever the path; the last active admin key of a tenant cannot be revoked.

The dashboard's side of both is in tests/web/test_web_roles.py. The rule for training requests: an admin's
``deploy`` defaults to ``if_better``; any other role's defaults to ``never`` (the job's params say so), and a
non-admin who asks for ``always`` or ``if_better`` gets 403.
"""

from __future__ import annotations

import threading

import pytest

from support import load_demo, make_tenant, wait_for_job
from tendero.errors import LastAdminKey
from tendero.store import tenants
from tendero.store.db import session_scope


@pytest.fixture(scope="module")
def shop(client, demo_store):
    tenant = make_tenant("derechos")
    load_demo(tenant.id, demo_store)
    return tenant


def _deployed(client, shop, model: str) -> str | None:
    answer = client.get(f"/v1/models/{model}", headers=shop.headers())
    return answer.json()["deployed_version"] if answer.status_code == 200 else None


def _jobs(client, shop) -> int:
    return client.get("/v1/jobs", headers=shop.headers()).json()["total"]


@pytest.mark.parametrize("deploy", ["always", "if_better"])
def test_a_non_admin_asking_to_deploy_is_refused_on_every_training_path(client, shop, deploy):
    before = _jobs(client, shop)
    paths = [
        ("/v1/models/ventas/train", {"kind": "baseline", "deploy": deploy}),
        ("/v1/forecasts/train", {"level": "total", "freq": "M", "deploy": deploy}),
    ]
    for path, body in paths:
        answer = client.post(path, json=body, headers=shop.headers("analyst"))
        assert answer.status_code == 403, (path, answer.text)
        problem = answer.json()
        assert answer.headers["content-type"] == "application/problem+json"
        assert "never" in problem["detail"] and problem["errors"][0]["field"] == "body.deploy"
        english = client.post(path, json=body, headers={**shop.headers("analyst"), "accept-language": "en"})
        assert "deploying is for admin keys" in english.json()["detail"]
        spanish = client.post(path, json=body, headers={**shop.headers("analyst"), "accept-language": "es"})
        assert "desplegar" in spanish.json()["detail"]
        assert client.post(path, json=body, headers=shop.headers("service")).status_code == 403
    assert _jobs(client, shop) == before  # nothing queued


def test_a_non_admins_training_is_kept_ready_not_deployed(client, shop):
    answer = client.post("/v1/models/del-analista/train", json={"kind": "baseline"}, headers=shop.headers("analyst"))
    assert answer.status_code == 202 and answer.json()["params"]["deploy"] == "never"  # the answer says so
    job = wait_for_job(client, shop, answer.json()["id"])
    assert job["status"] == "completed" and job["result"]["deployed"] is False
    assert _deployed(client, shop, "del-analista") is None  # not even as the first version
    explicit = client.post(
        "/v1/models/del-analista/train", json={"kind": "baseline", "deploy": "never"}, headers=shop.headers("analyst")
    )
    assert explicit.status_code == 202
    wait_for_job(client, shop, explicit.json()["id"])
    refused = client.post("/v1/models/del-analista/versions/1.0.0/deploy", headers=shop.headers("analyst"))
    promote = client.post("/v1/models/del-analista/versions/1.1.0/promote", json={"metric": "mae"},
                          headers=shop.headers("analyst"))  # fmt: skip
    assert refused.status_code == 403 and promote.status_code == 403
    assert _deployed(client, shop, "del-analista") is None
    deployed = client.post("/v1/models/del-analista/versions/1.0.0/deploy", headers=shop.headers())
    assert deployed.status_code == 200 and _deployed(client, shop, "del-analista") == "1.0.0"


def test_an_admins_training_deploys_by_default(client, shop):
    answer = client.post("/v1/models/del-admin/train", json={"kind": "baseline"}, headers=shop.headers())
    assert answer.status_code == 202 and answer.json()["params"]["deploy"] == "if_better"
    assert wait_for_job(client, shop, answer.json()["id"])["result"]["deployed"] is True
    assert _deployed(client, shop, "del-admin") == "1.0.0"


def _admin_key_ids(tenant) -> list[str]:
    with session_scope() as session:
        return [k.id for k in tenants.list_keys(session, tenant.id) if k.role == "admin" and k.revoked_at is None]


def test_the_last_active_admin_key_cannot_be_revoked_over_http(client):
    tenant = make_tenant("ultima")
    (only,) = _admin_key_ids(tenant)
    answer = client.post(f"/v1/keys/{only}/revoke", headers={**tenant.headers(), "accept-language": "en"})
    assert answer.status_code == 409
    assert "last active admin key" in answer.json()["detail"] and "create another admin key" in answer.json()["detail"]
    assert (
        "última clave admin"
        in client.post(f"/v1/keys/{only}/revoke", headers={**tenant.headers(), "accept-language": "es"}).json()[
            "detail"
        ]
    )
    assert _admin_key_ids(tenant) == [only]
    assert client.get("/v1/keys", headers=tenant.headers()).status_code == 200  # still in
    second = client.post("/v1/keys", json={"name": "segunda", "role": "admin"}, headers=tenant.headers()).json()
    assert client.post(f"/v1/keys/{only}/revoke", headers=tenant.headers()).status_code == 200  # one remains
    again = client.post(f"/v1/keys/{second['id']}/revoke", headers={"Authorization": f"Bearer {second['key']}"})
    assert again.status_code == 409 and _admin_key_ids(tenant) == [second["id"]]


def test_two_revokes_racing_for_the_last_two_admin_keys_leave_one(client):
    for _ in range(3):
        tenant = make_tenant("carrera")
        with session_scope() as session:
            tenants.create_key(session, tenant.id, "otra", "admin")
        ids = _admin_key_ids(tenant)
        barrier = threading.Barrier(len(ids))
        outcomes: list[str] = []

        def revoke(
            key_id: str, tenant_id: str = tenant.id, barrier: threading.Barrier = barrier, outcomes: list = outcomes
        ) -> None:
            barrier.wait()
            try:
                with session_scope() as session:
                    tenants.revoke_key(session, tenant_id, key_id)
                outcomes.append("revoked")
            except LastAdminKey:
                outcomes.append("refused")

        threads = [threading.Thread(target=revoke, args=(key_id,)) for key_id in ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sorted(outcomes) == ["refused", "revoked"]
        assert len(_admin_key_ids(tenant)) == 1
