"""Tenant scoping of every dashboard route: a second shop's admin sees and touches nothing of the first."""

from __future__ import annotations

import pytest
from web_helpers import browser, sign_in

from support import load_demo, make_tenant, wait_for_job


@pytest.fixture(scope="module")
def victim(client, demo_store):
    tenant = make_tenant("victima")
    load_demo(tenant.id, demo_store)
    job = client.post("/v1/models/modelo-secreto/train", json={"kind": "baseline", "deploy": "always"},
                      headers=tenant.headers()).json()  # fmt: skip
    assert wait_for_job(client, tenant, job["id"])["status"] == "completed"
    slow = {"kind": "slow", "params": {"steps": 400, "seconds_per_step": 0.05}}
    pending = client.post("/v1/models/lento/train", json=slow, headers=tenant.headers()).json()
    rows = {"rows": [{"product_id": "SKU-SECRETO", "name": "Turrón secreto"}]}
    imported = client.post("/v1/data/products", json=rows, headers=tenant.headers()).json()
    keys = client.get("/v1/keys", headers=tenant.headers()).json()["items"]
    yield {"tenant": tenant, "job": job["id"], "slow": pending["id"], "import": imported["id"], "key": keys[1]}
    client.post(f"/v1/jobs/{pending['id']}/cancel", headers=tenant.headers())


def test_pages_show_nothing_of_another_shop(client, victim):
    intruder = make_tenant("intruso")
    web = browser(client)
    sign_in(web, intruder)
    secrets = [victim["tenant"].name, "modelo-secreto", victim["job"], victim["slow"], victim["import"],
               victim["key"]["prefix"], "SKU-SECRETO", "Turrón"]  # fmt: skip
    for path in ("/app", "/app?days=7", "/app/data", "/app/models", "/app/jobs", "/app/settings", "/app/forecast",
                 "/app/customers", "/app/recommendations"):  # fmt: skip
        text = web.get(path).text
        assert not [s for s in secrets if s in text], path
    progress = web.get(f"/app/jobs/progress.json?ids={victim['job']},{victim['slow']}").json()
    assert progress == {"jobs": {}}
    assert web.get(f"/app/data/imports/{victim['import']}").status_code == 404


def test_actions_on_another_shops_things_are_404_and_change_nothing(client, victim):
    tenant = victim["tenant"]
    intruder = make_tenant("intruso")
    web = browser(client)
    token = sign_in(web, intruder)
    before = client.get("/v1/models/modelo-secreto/versions", headers=tenant.headers()).json()["items"]
    for path in (
        "/app/models/modelo-secreto/versions/1.0.0/deploy",
        "/app/models/modelo-secreto/rollback",
        "/app/models/modelo-secreto/versions/1.0.0/archive",
        f"/app/jobs/{victim['slow']}/cancel",
        f"/app/settings/keys/{victim['key']['id']}/revoke",
        f"/app/settings/keys/{victim['key']['prefix']}/revoke",
    ):
        answer = web.post(path, data={"csrf": token})
        assert answer.status_code == 404, (path, answer.status_code)
        assert "Traceback" not in answer.text
    assert client.get("/v1/models/modelo-secreto/versions", headers=tenant.headers()).json()["items"] == before
    assert not client.get(f"/v1/jobs/{victim['slow']}", headers=tenant.headers()).json()["cancel_requested"]
    keys = {k["id"]: k for k in client.get("/v1/keys", headers=tenant.headers()).json()["items"]}
    assert keys[victim["key"]["id"]]["revoked_at"] is None
    # what the intruder trains from the dashboard lands in its own shop
    web.post("/app/models/train", data={"csrf": token, "model": "modelo-secreto", "kind": "slow", "steps": "1",
             "seconds_per_step": "0"})  # fmt: skip
    mine = client.get("/v1/jobs", headers=intruder.headers()).json()
    assert mine["total"] == 1 and mine["items"][0]["params"]["model"] == "modelo-secreto"
