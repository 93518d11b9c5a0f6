"""The whole walk: train through the job runner → register → deploy → predict, and the registry rules."""

from __future__ import annotations

import pytest

from support import load_demo, wait_for_job
from tendero.errors import Conflict
from tendero.store import registry as registry_rows
from tendero.store.db import session_scope
from tendero.store.registry import NewVersion


@pytest.fixture
def shop(client, tenant, demo_store):
    load_demo(tenant.id, demo_store)
    return tenant


def train(client, shop, model="sales-baseline", **body):
    answer = client.post(f"/v1/models/{model}/train", json={"kind": "baseline", **body}, headers=shop.headers())
    assert answer.status_code == 202, answer.text
    return wait_for_job(client, shop, answer.json()["id"])


def test_train_registers_deploys_and_predicts(client, shop):
    job = train(client, shop, params={"weeks": 6})
    assert job["status"] == "completed", job
    assert job["result"]["version"] == "1.0.0" and job["result"]["deployed"]
    assert job["duration_seconds"] > 0
    progress = client.get(f"/v1/jobs/{job['id']}/progress", headers=shop.headers()).json()
    assert [e["step"] for e in progress["events"]] == list(range(1, 7))
    version = client.get("/v1/models/sales-baseline/versions/1.0.0", headers=shop.headers()).json()
    assert version["status"] == "deployed" and "champion" in version["aliases"]
    assert version["metrics"]["mae"] >= 0
    assert len(version["artifact_sha256"]) == 64 and version["artifact_bytes"] > 0
    assert version["serving"]["p95_ms"] >= version["serving"]["p50_ms"] >= 0
    answer = client.post(
        "/v1/models/sales-baseline/predict",
        json={"days": ["2026-01-05", "2026-01-10"]},
        headers=shop.headers("service"),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["version"] == "1.0.0" and len(body["predictions"]) == 2
    assert all(p["revenue"] > 0 for p in body["predictions"])


def test_bad_prediction_input_names_the_field(client, shop):
    assert train(client, shop)["status"] == "completed"
    answer = client.post(
        "/v1/models/sales-baseline/predict", json={"days": ["not-a-date"]}, headers=shop.headers("service")
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"].startswith("days")


def test_retrain_bumps_minor_and_rollback_returns_to_previous(client, shop):
    train(client, shop)
    second = train(client, shop, params={"weeks": 4})
    assert second["result"]["version"] == "1.1.0"
    models = client.get("/v1/models", headers=shop.headers()).json()["items"]
    assert models[0]["deployed_version"] == "1.1.0" and models[0]["versions"] == 2
    rolled = client.post("/v1/models/sales-baseline/rollback", headers=shop.headers())
    assert rolled.status_code == 200 and rolled.json()["version"] == "1.0.0"
    predicted = client.post(
        "/v1/models/sales-baseline/predict", json={"days": ["2026-01-05"]}, headers=shop.headers()
    ).json()
    assert predicted["version"] == "1.0.0"
    archived = client.post("/v1/models/sales-baseline/versions/1.1.0/archive", headers=shop.headers())
    assert archived.json()["status"] == "archived"
    refused = client.post("/v1/models/sales-baseline/versions/1.1.0/deploy", headers=shop.headers())
    assert refused.status_code == 409
    busy = client.post("/v1/models/sales-baseline/versions/1.0.0/archive", headers=shop.headers())
    assert busy.status_code == 409


def test_deploy_never_keeps_the_champion(client, shop):
    train(client, shop)
    job = train(client, shop, deploy="never")
    assert job["result"] == {"model": "sales-baseline", "version": "1.1.0", "deployed": False}
    model = client.get("/v1/models/sales-baseline", headers=shop.headers()).json()
    assert model["deployed_version"] == "1.0.0" and model["aliases"]["challenger"] == "1.1.0"


def test_idempotency_key_returns_the_same_job(client, shop):
    body = {"kind": "baseline", "idempotency_key": "nightly-2026-11-23"}
    first = client.post("/v1/models/m/train", json=body, headers=shop.headers()).json()
    again = client.post("/v1/models/m/train", json=body, headers=shop.headers()).json()
    assert first["id"] == again["id"]
    wait_for_job(client, shop, first["id"])


def test_training_without_data_fails_with_a_reason(client, tenant):
    answer = client.post("/v1/models/empty/train", json={"kind": "baseline"}, headers=tenant.headers())
    job = wait_for_job(client, tenant, answer.json()["id"])
    assert job["status"] == "failed"
    assert "import orders" in job["error"] and "Traceback" not in job["error"]


def _new(key: str, algorithm: str, metric: float) -> NewVersion:
    return NewVersion(algorithm, {}, {"ndcg": metric}, {}, {}, f"/tmp/{key}", 1, "0" * 64, None, key)


def test_registry_versions_aliases_and_promotion(tenant):
    from tendero.registry.service import promote_if_better

    with session_scope() as session:
        model = registry_rows.get_or_create_model(session, tenant.id, "recs", "baseline")
        v1, created = registry_rows.register_version(session, tenant.id, model, _new("a", "als", 0.40))
        again, created_again = registry_rows.register_version(session, tenant.id, model, _new("a", "als", 0.40))
        assert created and not created_again and again.id == v1.id
        v2, _ = registry_rows.register_version(session, tenant.id, model, _new("b", "als", 0.405))
        v3, _ = registry_rows.register_version(session, tenant.id, model, _new("c", "hybrid", 0.45))
        assert (v1.version, v2.version, v3.version) == ("1.0.0", "1.1.0", "2.0.0")
        registry_rows.deploy(session, tenant.id, "recs", "1.0.0")
        assert not promote_if_better(session, tenant.id, "recs", "1.1.0", "ndcg", 0.02)
        assert promote_if_better(session, tenant.id, "recs", "2.0.0", "ndcg", 0.02)
        assert registry_rows.deployed_version(session, tenant.id, "recs").version == "2.0.0"
        assert registry_rows.aliases(session, tenant.id, model)["champion"] == "2.0.0"
        with pytest.raises(Conflict):
            registry_rows.get_or_create_model(session, tenant.id, "recs", "forecast")


def test_the_serving_cache_answers_at_once_and_picks_up_a_deploy_made_elsewhere(client, shop):
    """The event-loop path never waits on the database: a stale entry still answers while one background
    re-check runs; a deploy made by another process (here: straight in the database, no invalidation)
    is served soon after the re-check time."""
    import time

    from tendero.registry.service import DeployedModels

    train(client, shop)
    train(client, shop, params={"weeks": 4})  # 1.1.0 deployed
    cache = DeployedModels(recheck_seconds=0.2)
    assert cache.fresh(shop.id, "sales-baseline") is None  # nothing cached: callers take the waiting path
    assert cache.get(shop.id, "sales-baseline").version == "1.1.0"
    with session_scope() as session:
        registry_rows.rollback(session, shop.id, "sales-baseline")  # as another process would
    assert cache.fresh(shop.id, "sales-baseline").version == "1.1.0"  # fresh: no database read
    time.sleep(0.25)
    assert cache.fresh(shop.id, "sales-baseline").version == "1.1.0"  # stale: answers, re-checks behind
    deadline = time.monotonic() + 5
    while cache.fresh(shop.id, "sales-baseline").version != "1.0.0":
        assert time.monotonic() < deadline, "the background re-check never picked up the rollback"
        time.sleep(0.02)
