"""Roles on every page and button: forbidden buttons are absent, and their endpoints refuse with nothing changed."""

from __future__ import annotations

import pytest
from web_helpers import browser, sign_in

from support import load_demo, make_tenant, wait_for_job

PAGES = ["/app", "/app/data", "/app/models", "/app/jobs", "/app/settings"]
CAN_OPEN = {
    "admin": {"/app", "/app/data", "/app/models", "/app/jobs", "/app/settings"},
    "analyst": {"/app", "/app/data", "/app/models", "/app/jobs"},
    "service": {"/app/data"},
}


@pytest.fixture(scope="module")
def shop(client, demo_store):
    """A shop with a model of two versions: 1.0.0 deployed, 1.1.0 ready."""
    tenant = make_tenant("roles")
    load_demo(tenant.id, demo_store)
    for weeks, deploy in ((4, "always"), (3, "never")):
        job = client.post("/v1/models/ventas/train", json={"kind": "baseline", "deploy": deploy,
                          "params": {"weeks": weeks}}, headers=tenant.headers()).json()  # fmt: skip
        assert wait_for_job(client, tenant, job["id"])["status"] == "completed"
    return tenant


def _state(client, tenant) -> tuple:
    model = client.get("/v1/models/ventas", headers=tenant.headers()).json()
    versions = client.get("/v1/models/ventas/versions", headers=tenant.headers()).json()["items"]
    keys = client.get("/v1/keys", headers=tenant.headers()).json()["items"]
    jobs = client.get("/v1/jobs", headers=tenant.headers()).json()["total"]
    return (model["deployed_version"], sorted((v["version"], v["status"]) for v in versions),
            sorted((k["prefix"], k["revoked_at"]) for k in keys), jobs)  # fmt: skip


@pytest.mark.parametrize("role", ["admin", "analyst", "service"])
def test_each_role_opens_only_its_pages_and_sees_only_its_links(client, shop, role):
    web = browser(client)
    sign_in(web, shop, role)
    for path in PAGES:
        answer = web.get(path)
        if path in CAN_OPEN[role]:
            assert answer.status_code == 200, (role, path, answer.text[:300])
        elif role == "service" and path == "/app":
            assert answer.status_code == 303 and answer.headers["location"] == "/app/data"
        else:
            assert answer.status_code == 403, (role, path)
            assert "cannot do this" in answer.text and "Traceback" not in answer.text
    nav = web.get("/app/data").text.split('<nav class="nav"')[1].split("</nav>")[0]
    for path in PAGES:
        assert (f'href="{path}"' in nav) == (path in CAN_OPEN[role]), (role, path)


def test_admin_sees_every_button(client, shop):
    web = browser(client)
    sign_in(web, shop, "admin")
    models = web.get("/app/models").text
    for action in ("deploy", "rollback", "archive"):
        assert f'data-action="{action}"' in models
    assert 'id="train-link"' in models
    assert 'id="upload-form"' in web.get("/app/data").text
    assert 'data-action="revoke"' in web.get("/app/settings").text


def test_analyst_has_no_admin_buttons_and_the_endpoints_refuse(client, shop):
    web = browser(client)
    token = sign_in(web, shop, "analyst")
    models = web.get("/app/models").text
    assert 'id="train-link"' in models  # analysts train
    for action in ("deploy", "rollback", "archive"):
        assert f'data-action="{action}"' not in models
    assert 'id="upload-form"' not in web.get("/app/data").text  # analysts read data, do not ingest
    before = _state(client, shop)
    refused = [
        ("/app/models/ventas/versions/1.1.0/deploy", {}),
        ("/app/models/ventas/rollback", {}),
        ("/app/models/ventas/versions/1.1.0/archive", {}),
        ("/app/settings/keys", {"name": "mine", "role": "admin"}),
        ("/app/settings/keys/" + before[2][0][0] + "/revoke", {}),
    ]
    for path, form in refused:
        answer = web.post(path, data={"csrf": token, **form})
        assert answer.status_code == 403, (path, answer.status_code)
    upload = web.post("/app/data/imports", data={"csrf": token, "entity": "products"},
                      files={"file": ("p.csv", b"product_id,name\nX9,x\n", "text/csv")})  # fmt: skip
    assert upload.status_code == 403
    assert _state(client, shop) == before


def test_service_has_only_the_upload_and_every_other_endpoint_refuses(client, shop):
    web = browser(client)
    token = sign_in(web, shop, "service")
    data = web.get("/app/data").text
    assert 'id="upload-form"' in data and 'id="imports"' not in data and 'id="profile"' not in data
    before = _state(client, shop)
    job_id = client.get("/v1/jobs", headers=shop.headers()).json()["items"][0]["id"]
    for path, form in [
        ("/app/models/train", {"model": "x", "kind": "baseline"}),
        ("/app/models/ventas/versions/1.1.0/deploy", {}),
        ("/app/models/ventas/rollback", {}),
        (f"/app/jobs/{job_id}/cancel", {}),
        ("/app/settings/keys", {"name": "mine", "role": "admin"}),
    ]:
        assert web.post(path, data={"csrf": token, **form}).status_code == 403, path
    assert web.get(f"/app/jobs/progress.json?ids={job_id}").status_code == 403
    assert _state(client, shop) == before
    upload = web.post("/app/data/imports", data={"csrf": token, "entity": "products"},
                      files={"file": ("p.csv", b"product_id,name\nSVC1,de servicio\n", "text/csv")})  # fmt: skip
    assert upload.status_code == 303 and upload.headers["location"] == "/app/data"
    assert "1 new" in web.get("/app/data").text


def _total_jobs(client, shop) -> int:
    return client.get("/v1/jobs", headers=shop.headers()).json()["total"]


def test_an_analysts_training_from_the_dashboard_never_deploys(client, demo_store):
    """The API's rule on deploying (tests/foundation/test_deploy_rights.py), from the dashboard's forms."""
    shop = make_tenant("roles-entreno")
    load_demo(shop.id, demo_store)
    web = browser(client)
    token = sign_in(web, shop, "analyst")
    form = web.get("/app/train?kind=baseline").text
    assert 'name="deploy"' not in form and 'id="deploy-note"' in form
    before = _total_jobs(client, shop)
    refused = web.post("/app/models/train", data={"csrf": token, "model": "web-a", "kind": "baseline",
                                                  "deploy": "always"})  # fmt: skip
    assert refused.status_code == 422 and _total_jobs(client, shop) == before
    assert "Only an admin" in refused.text and 'data-error-for="deploy"' in refused.text
    queued = web.post("/app/models/train", data={"csrf": token, "model": "web-a", "kind": "baseline"})
    assert queued.status_code == 303
    assert "until an admin deploys it" in web.get("/app/jobs", headers={"accept-language": "en"}).text
    forecast = web.post("/app/forecast/train", data={"csrf": token, "level": "total", "freq": "M"})
    assert forecast.status_code == 303
    jobs = client.get("/v1/jobs?limit=2", headers=shop.headers()).json()["items"]
    assert [job["params"]["deploy"] for job in jobs] == ["never", "never"]
    for job in jobs:
        if job["params"]["kind"] == "forecast":  # not needed here: stop it
            client.post(f"/v1/jobs/{job['id']}/cancel", headers=shop.headers())
        wait_for_job(client, shop, job["id"], timeout=120)
    assert client.get("/v1/models/web-a", headers=shop.headers()).json()["deployed_version"] is None


def test_the_dashboard_refuses_to_revoke_the_last_admin_key(client):
    tenant = make_tenant("ultima-web")
    (only,) = [
        k["id"] for k in client.get("/v1/keys", headers=tenant.headers()).json()["items"] if k["role"] == "admin"
    ]
    web = browser(client)
    token = sign_in(web, tenant)
    answer = web.post(f"/app/settings/keys/{only}/revoke", data={"csrf": token})
    assert answer.status_code == 303
    page = web.get("/app/settings", headers={"accept-language": "en"})
    assert page.status_code == 200 and "last active admin key" in page.text
    keys = client.get("/v1/keys", headers=tenant.headers()).json()["items"]
    assert [k["id"] for k in keys if k["role"] == "admin" and not k["revoked_at"]] == [only]
