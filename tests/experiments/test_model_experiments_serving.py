"""Model experiments on the serving endpoints: /v1/recommendations, /v1/predict and /v1/models/{name}/predict answer
with the version the unit's variant names (sticky, and said in the answer), feedback counts for the version that
served (once per event id), a shadow challenger answers unseen, and a stopped experiment hands traffic back."""

from __future__ import annotations

import logging
import time

import pytest

from support import load_demo, make_tenant, wait_for_job
from tendero.services import experiments as service

SMALL = {"hybrid": {"als_trials": 1, "ease_grid": [150.0], "half_life_grid": [None], "ranker": "none"}}


def _train(client, tenant, name: str, body: dict, deploy: str) -> None:  # type: ignore[no-untyped-def]
    job = client.post(f"/v1/models/{name}/train", json={**body, "deploy": deploy}, headers=tenant.headers())
    assert job.status_code == 202, job.text
    assert wait_for_job(client, tenant, job.json()["id"], timeout=300)["status"] == "completed"


@pytest.fixture(scope="module")
def shop(client, demo_store):  # type: ignore[no-untyped-def]
    """Two recommender versions (1.0.0 deployed, 1.1.0 not) and two baseline versions, trained through the API."""
    tenant = make_tenant("servidos")
    load_demo(tenant.id, demo_store)
    for deploy in ("always", "never"):
        _train(client, tenant, "recommender", {"kind": "recommender", "params": SMALL}, deploy)
    for weeks, deploy in ((8, "always"), (4, "never")):
        _train(client, tenant, "ventas", {"kind": "baseline", "params": {"weeks": weeks}}, deploy)
    return tenant


def _experiment(client, tenant, name: str, model: str, mode: str, unit: str) -> dict:  # type: ignore[no-untyped-def]
    body = {"name": name, "unit": unit, "model": {"name": model, "mode": mode},
            "variants": [{"key": "champion", "weight": 1, "model_version": "1.0.0"},
                         {"key": "challenger", "weight": 1, "model_version": "1.1.0"}],
            "metrics": [{"name": "ctr", "kind": "proportion", "event": "click"}]}  # fmt: skip
    answer = client.post("/v1/experiments", json=body, headers=tenant.headers())
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_recommendations_follow_the_units_variant_and_feedback_counts_for_the_serving_version(client, shop):
    experiment = _experiment(client, shop, "recs-ab", "recommender", "split", "customer")
    headers = shop.headers("service")
    users = [f"C{i:05d}" for i in range(1, 41)]
    served = {}
    for user in users:
        answer = client.post("/v1/recommendations", json={"user_id": user, "k": 5}, headers=headers).json()
        assert answer["path"] == "model" and answer["experiment"]["id"] == experiment["id"], answer
        routed = service.route(shop.id, "recommender", user)
        assert answer["version"] == answer["experiment"]["version"] == routed.version
        assert answer["experiment"]["unit"] == user
        served[user] = answer["version"]
    assert set(served.values()) == {"1.0.0", "1.1.0"}  # both versions serve, by the same assignment
    for user in users[:10]:  # sticky: the same customer keeps the same version, on both endpoints
        again = client.post("/v1/recommendations", json={"user_id": user, "k": 5}, headers=headers).json()
        scores = client.post("/v1/predict", json={"user_id": user, "candidate_items": ["P0001"]}, headers=headers)
        assert again["version"] == scores.json()["version"] == served[user], scores.text
    anonymous = client.post("/v1/recommendations", json={"k": 5}, headers=headers).json()
    assert anonymous["version"] == "1.0.0" and "experiment" not in anonymous  # no customer: not in the experiment

    user = users[0]
    click = {"user_id": user, "item_ids": ["P0001"], "event": "click", "version": served[user], "event_id": "clk-1"}
    first = client.post("/v1/recommendations/feedback", json=click, headers=headers)
    assert first.status_code == 202 and first.json()["experiment"] == {"accepted": 1, "rejected": []}, first.text
    repeated = client.post("/v1/recommendations/feedback", json=click, headers=headers).json()
    assert repeated["experiment"]["accepted"] == 0  # the same event id counts once
    other_version = "1.0.0" if served[user] == "1.1.0" else "1.1.0"
    wrong = client.post("/v1/recommendations/feedback", headers=headers,
                        json={**click, "version": other_version, "event_id": "clk-2"}).json()  # fmt: skip
    assert wrong["experiment"]["accepted"] == 0 and wrong["experiment"]["rejected"][0]["field"] == "variant"
    outside = client.post("/v1/recommendations/feedback", headers=headers,
                          json={**click, "version": "9.9.9", "event_id": "clk-3"})  # fmt: skip
    assert outside.status_code == 422 and outside.json()["errors"][0]["field"] == "body.version"
    results = client.get(f"/v1/experiments/{experiment['id']}/results", headers=shop.headers()).json()
    ctr = results["metrics"][0]
    assert ctr["metric"] == "ctr" and results["units"] == len(users)  # every routed customer is a unit
    clicked = next(arm for arm in ctr["variants"] if arm["variant"] == ("champion" if served[user] == "1.0.0" else
                                                                    "challenger"))  # fmt: skip
    assert clicked["mean"] > 0  # the one click counts for the variant whose version served it

    other = make_tenant("servidos-otro")  # the same model name elsewhere runs no experiment
    elsewhere = client.post("/v1/recommendations", json={"user_id": user, "k": 5}, headers=other.headers("service"))
    assert "experiment" not in elsewhere.json()

    stopped = client.post(f"/v1/experiments/{experiment['id']}/stop", json={}, headers=shop.headers())
    assert stopped.status_code == 200, stopped.text
    for user in users[:10]:  # stopped: the deployed version serves everyone again
        answer = client.post("/v1/recommendations", json={"user_id": user, "k": 5}, headers=headers).json()
        assert answer["version"] == "1.0.0" and "experiment" not in answer


def test_model_predict_splits_by_unit_and_a_shadow_answers_unseen(client, shop, caplog):
    headers = shop.headers("service")
    body = {"days": ["2026-01-05", "2026-01-06"]}
    split = _experiment(client, shop, "ventas-ab", "ventas", "split", "customer")
    versions = {}
    for unit in (f"c{i}" for i in range(30)):
        answer = client.post(f"/v1/models/ventas/predict?unit={unit}", json=body, headers=headers).json()
        assert answer["version"] == service.route(shop.id, "ventas", unit).version, answer
        versions[unit] = answer["version"]
    assert set(versions.values()) == {"1.0.0", "1.1.0"}
    plain = client.post("/v1/models/ventas/predict", json=body, headers=headers).json()
    assert plain["version"] == "1.0.0" and "experiment" not in plain  # a customer experiment needs the unit
    client.post(f"/v1/experiments/{split['id']}/stop", json={}, headers=shop.headers())

    _experiment(client, shop, "ventas-shadow", "ventas", "shadow", "request")
    caplog.set_level(logging.DEBUG, logger="tendero.experiments")
    answer = client.post("/v1/models/ventas/predict", json=body, headers=headers).json()
    assert answer["version"] == "1.0.0" and answer["experiment"]["variant"] == "champion"
    deadline = time.monotonic() + 30
    while not any("shadow version 1.1.0 of 'ventas' answered" in r.getMessage() for r in caplog.records):
        assert time.monotonic() < deadline, "the shadow challenger never answered"
        time.sleep(0.05)


def test_a_model_of_another_kind_is_a_clear_404_or_the_rules(client, shop):
    """A customers or recommendations route asked for a model of another kind says so (it used to be a 500)."""
    wrong = client.get("/v1/customers/likely-buyers?model=ventas", headers=shop.headers())
    assert wrong.status_code == 404 and "of kind baseline" in wrong.json()["detail"]
    rules = client.post("/v1/recommendations", json={"user_id": "C00001", "model": "ventas"}, headers=shop.headers())
    assert rules.status_code == 200 and rules.json()["path"] == "rules", rules.text
