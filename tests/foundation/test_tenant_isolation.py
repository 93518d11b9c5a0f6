"""Walk every route of the OpenAPI schema with a second tenant's admin key: it sees nothing of the first.

Routes that name a resource must answer 404 for the first tenant's resources; list routes must not
contain them; no answer may carry the first tenant's identifiers; and the first tenant's state must be
unchanged afterwards. A POST route needs a valid example body here, so that a 422 cannot hide a leak.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from support import load_demo, make_tenant, wait_for_job

# a valid body per POST route template (a new route must add one, or the walk fails)
EXAMPLE_BODIES: dict[str, dict] = {
    "/v1/recommend": {"query_text": "cerveza", "user_id": "{customer_id}"},
    "/v1/keys": {"name": "walk", "role": "service"},
    "/v1/keys/{key_id}/revoke": {},
    "/v1/jobs/{job_id}/cancel": {},
    "/v1/models/{name}/train": {"kind": "baseline", "deploy": "never"},
    "/v1/models/{name}/versions/{version}/deploy": {},
    "/v1/models/{name}/rollback": {},
    "/v1/models/{name}/versions/{version}/archive": {},
    "/v1/models/{name}/versions/{version}/promote": {"metric": "mae", "higher_is_better": False},
    "/v1/models/{name}/predict": {"days": ["2026-01-05"]},
    "/v1/data/{entity}": {"rows": [{"product_id": "W1", "name": "walk"}]},
    "/v1/training-jobs": {"name": "walk", "dataset": "{dataset_id}"},
    "/v1/forecasts/train": {"level": "total", "freq": "M", "horizon": 2, "history_months": 12},
    "/v1/recommendations": {"user_id": "SECRET-CUSTOMER", "k": 5},
    "/v1/predict": {"user_id": "SECRET-CUSTOMER", "candidate_items": ["SECRET-SKU"]},
    "/v1/recommendations/feedback": {"user_id": "u", "item_ids": ["SECRET-SKU"], "event": "click"},
    "/v1/predict/churn/{customer_id}": {},
    "/v1/models/{name}/batch-predictions": {"dataset": "{dataset_id}"},
    "/v1/experiments": {
        "name": "walk",
        "variants": [{"key": "A", "weight": 1}, {"key": "B", "weight": 1}],
        "metrics": [{"name": "conversion", "kind": "proportion"}],
    },
    "/v1/experiments/{experiment_id}/events": {"events": [{"event_id": "w1", "unit": "u1", "event": "conversion"}]},
    "/v1/experiments/{experiment_id}/weights": {"weights": {"A": 1.0}},
    "/v1/experiments/{experiment_id}/stop": {},
    "/v1/experiments/{experiment_id}/promote": {},
    "/v1/predict/price": {"product_id": "SECRET-SKU"},
    "/v1/insights/sales": {"period": "2026-01"},
    "/v1/suggestions/products": {"type": "all"},
    "/v1/schedules": {"name": "walk", "cron": "0 8 * * 1", "action": "drift_check"},
    "/v1/schedules/{schedule_id}/run": {},
    "/v1/channels": {
        "name": "walk",
        "kind": "webhook",
        "webhook": {"url": "https://hooks.example.com/walk", "secret": "walk-secret-0123456789"},
    },
    "/v1/channels/{channel_id}/test": {},
    "/v1/deliveries/{delivery_id}/replay": {},
    "/v1/retention/run": {},
    "/v1/assistant/query": {"query": "¿cuánto vendimos el mes pasado?"},
}
# a valid body per PATCH route template (without one a 422 could hide a leak)
PATCH_BODIES: dict[str, dict] = {
    "/v1/schedules/{schedule_id}": {"enabled": False},
    "/v1/channels/{channel_id}": {"enabled": False},
    "/v1/retention": {"days": 30},
    "/v1/settings": {"currency": "USD", "exclude_non_products": False, "mark_products": ["SECRET-SKU"]},
}
# multipart routes: a valid file (and form) per route template
EXAMPLE_FILES: dict[str, tuple[dict, dict]] = {
    "/v1/data/{entity}/imports": ({"file": ("walk.csv", b"product_id,name\nW2,walk\n", "text/csv")}, {}),
    "/v1/datasets": (
        {"file": ("walk.csv", b"x,y\n1,2\n2,4\n3,6\n", "text/csv")},
        {"name": "walk", "task": "regression", "target": "y"},
    ),
}
CREATES_OWN_RESOURCE = {
    "/v1/keys",
    "/v1/models/{name}/train",
    "/v1/data/{entity}",
    "/v1/data/{entity}/imports",
    "/v1/datasets",
    "/v1/forecasts/train",
    "/v1/recommendations",
    "/v1/predict",
    "/v1/recommendations/feedback",
    "/v1/experiments",
    "/v1/schedules",
    "/v1/channels",
}
# routes whose body (not path) names the first tenant's resource: they must answer 404 too
BODY_NAMES_RESOURCE = {"/v1/training-jobs"}
# routes that answer 404 to a tenant with no trained model of that capability, whatever is asked
NEEDS_OWN_MODEL = {
    "/v1/customers/segments",
    "/v1/customers/at-risk",
    "/v1/customers/likely-buyers",
    "/v1/forecasts",
    "/v1/forecasts/candidates",
    "/v1/dashboard/sales",
    "/v1/predict/price",
    "/v1/pricing/elasticities",
    "/v1/insights/sales",  # a shop with no order lines has nothing to analyse
    "/v1/suggestions/products",
}


@pytest.fixture(scope="module")
def victim(client, demo_store):
    tenant = make_tenant("victim")
    load_demo(tenant.id, demo_store)
    first = client.post("/v1/models/secret-model/train", json={"kind": "baseline", "deploy": "always"},
                        headers=tenant.headers()).json()  # fmt: skip
    assert wait_for_job(client, tenant, first["id"])["status"] == "completed"
    second = client.post("/v1/models/secret-model/train", json={"kind": "baseline", "deploy": "always",
                         "params": {"weeks": 3}}, headers=tenant.headers()).json()  # fmt: skip
    assert wait_for_job(client, tenant, second["id"])["status"] == "completed"
    client.post("/v1/models/secret-model/predict", json={"days": ["2026-01-05"]}, headers=tenant.headers())
    keys = client.get("/v1/keys", headers=tenant.headers()).json()["items"]
    version = client.get("/v1/models/secret-model/versions/1.1.0", headers=tenant.headers()).json()
    imported = client.post("/v1/data/products", json={"rows": [{"product_id": "SECRET-SKU", "name": "Secreto"}]},
                           headers=tenant.headers()).json()  # fmt: skip
    marked = client.patch("/v1/settings", json={"currency": "JPY", "mark_non_products": ["SECRET-SKU"]},
                          headers=tenant.headers())  # fmt: skip
    assert marked.status_code == 200, marked.text
    experiment = client.post("/v1/experiments", json={"name": "secret-experiment", "metrics": [{"name": "conversion"}],
                             "variants": [{"key": "A", "weight": 1}, {"key": "B", "weight": 1}]},
                             headers=tenant.headers()).json()  # fmt: skip
    last_month = str(pd.Timestamp(demo_store.orders["ordered_at"].max()).to_period("M"))
    analysis = client.post("/v1/insights/sales", json={"period": last_month}, headers=tenant.headers()).json()
    channel = client.post("/v1/channels", json={"name": "secret-channel", "kind": "webhook", "webhook": {
        "url": "https://hooks.example.com/secret-hook", "secret": "secret-signing-key-0123"}},
        headers=tenant.headers()).json()  # fmt: skip
    schedule_body = {
        "name": "secret-schedule",
        "cron": "0 8 * * 1",
        "action": "drift_check",
        "channels": [channel["id"]],
    }
    schedule = client.post("/v1/schedules", json=schedule_body, headers=tenant.headers()).json()
    run = client.post(f"/v1/schedules/{schedule['id']}/run", headers=tenant.headers()).json()
    assert wait_for_job(client, tenant, run["job_id"])["status"] == "completed"
    delivery = client.post(f"/v1/channels/{channel['id']}/test", headers=tenant.headers()).json()
    chat = client.post("/v1/assistant/query", json={"query": "ventas del mes pasado"}, headers=tenant.headers()).json()
    dataset = client.post(
        "/v1/datasets",
        data={"name": "secret-table", "task": "regression", "target": "y"},
        files={"file": ("s.csv", b"x,y\n1,2\n2,4\n3,6\n4,8\n")},
        headers=tenant.headers(),
    ).json()
    return {
        "tenant": tenant,
        "values": {"name": "secret-model", "version": "1.0.0", "job_id": first["id"], "key_id": keys[1]["id"],
                   "id": first["id"], "entity": "products", "import_id": imported["id"], "dataset_id": dataset["id"],
                   "customer_id": "C00001", "item_id": "SECRET-SKU", "days_ahead": "7",
                   "experiment_id": experiment["id"], "insight_id": analysis["id"], "schedule_id": schedule["id"],
                   "run_id": run["id"], "channel_id": channel["id"], "delivery_id": delivery["id"],
                   "conversation_id": chat["conversation_id"]},
        "secrets": [tenant.id, tenant.name, first["id"], second["id"], version["artifact_sha256"], imported["id"],
                    dataset["id"], "secret-table", experiment["id"], "secret-experiment", analysis["id"],
                    "SECRET-SKU", "Secreto", schedule["id"], "secret-schedule", run["id"], channel["id"],
                    "secret-channel", "secret-hook", delivery["id"], chat["conversation_id"],
                    *[k["prefix"] for k in keys], *[k["id"] for k in keys]],
    }  # fmt: skip


def _routes(client) -> list[tuple[str, str]]:
    schema = client.get("/openapi.json").json()
    return [(method.upper(), path) for path, item in schema["paths"].items() for method in item]


def test_every_route_hides_the_first_tenants_data(client, victim):
    intruder = make_tenant("intruder")
    routes = _routes(client)
    assert len(routes) >= 15
    missing = [p for m, p in routes if m == "POST" and p not in EXAMPLE_BODIES and p not in EXAMPLE_FILES]
    missing += [p for m, p in routes if m == "PATCH" and p not in PATCH_BODIES]
    assert not missing, f"add example bodies for {missing}"
    for method, template in routes:
        path = re.sub(r"\{(\w+)\}", lambda m: str(victim["values"][m.group(1)]), template)
        sent = set(victim["values"].values())
        if template in EXAMPLE_FILES and method == "POST":
            files, form = EXAMPLE_FILES[template]
            answer = client.request(method, path, files=files, data=form, headers=intruder.headers())
        else:
            body = {"POST": EXAMPLE_BODIES, "PATCH": PATCH_BODIES}.get(method, {}).get(template)
            if body is not None:
                body = {k: (victim["values"][v[1:-1]] if isinstance(v, str) and v.startswith("{") else v)
                        for k, v in body.items()}  # fmt: skip
            answer = client.request(method, path, json=body, headers=intruder.headers())
        text = answer.text
        for secret in victim["secrets"]:
            if secret not in sent:
                assert secret not in text, f"{method} {template} leaked {secret!r}"
        names_resource = ("{" in template and template not in CREATES_OWN_RESOURCE) or template in BODY_NAMES_RESOURCE
        if names_resource or template in NEEDS_OWN_MODEL:
            assert answer.status_code == 404, f"{method} {template} answered {answer.status_code}: {text[:200]}"
        else:
            assert answer.status_code < 400, f"{method} {template}: {answer.status_code} {text[:200]}"


def test_the_first_tenant_is_untouched_after_the_walk(client, victim):
    tenant = victim["tenant"]
    model = client.get("/v1/models/secret-model", headers=tenant.headers()).json()
    assert model["deployed_version"] == "1.1.0" and model["versions"] == 2
    keys = client.get("/v1/keys", headers=tenant.headers()).json()["items"]
    assert all(k["revoked_at"] is None for k in keys)
    job = client.get(f"/v1/jobs/{victim['values']['job_id']}", headers=tenant.headers()).json()
    assert job["status"] == "completed" and not job["cancel_requested"]
    from tendero.store import commerce

    products = set(commerce.read_products(tenant.id)["product_id"])
    assert "SECRET-SKU" in products and not {"W1", "W2"} & products  # the intruder's rows stayed its own
    schedule = client.get(f"/v1/schedules/{victim['values']['schedule_id']}", headers=tenant.headers()).json()
    channel = client.get(f"/v1/channels/{victim['values']['channel_id']}", headers=tenant.headers()).json()
    assert schedule["enabled"] and channel["enabled"]  # the intruder's PATCH and DELETE reached nothing
    runs = client.get(f"/v1/schedules/{schedule['id']}/runs", headers=tenant.headers()).json()
    assert runs["total"] == 1  # the intruder's "run now" ran nothing of the first tenant's
    assert client.get("/v1/retention", headers=tenant.headers()).json()["days"] == 90
    settings = client.get("/v1/settings", headers=tenant.headers()).json()
    # the intruder's PATCH changed its own settings only
    assert settings["currency"] == "JPY" and settings["exclude_non_products"] is True
    assert settings["non_product_marks"] == {"SECRET-SKU": True}
    audit = client.get("/v1/audit", headers=tenant.headers()).json()
    assert audit["total"] >= 3 and all(row["key_prefix"].startswith("tdr_") for row in audit["items"])
