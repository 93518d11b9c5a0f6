"""Model experiments through the service: a request's unit is routed to a version by the same sticky assignment,
feedback is attributed to the version that served, and ending the experiment deploys the winner through the
registry (the serving endpoints call the same functions: test_model_experiments_serving.py)."""

from __future__ import annotations

import pytest

from support import load_demo, make_tenant, wait_for_job
from tendero.errors import Invalid
from tendero.services import experiments as service


@pytest.fixture(scope="module")
def two_versions(client, demo_store):
    tenant = make_tenant("modelos")
    load_demo(tenant.id, demo_store)
    for weeks, deploy in ((8, "always"), (4, "never")):
        job = client.post("/v1/models/ventas/train", json={"kind": "baseline", "deploy": deploy,
                          "params": {"weeks": weeks}}, headers=tenant.headers()).json()  # fmt: skip
        assert wait_for_job(client, tenant, job["id"])["status"] == "completed"
    return tenant


def _body(name: str, mode: str = "split", challenger: str = "1.1.0") -> service.ExperimentIn:
    return service.ExperimentIn.model_validate({
        "name": name, "unit": "request" if mode == "shadow" else "customer", "model": {"name": "ventas", "mode": mode},
        "variants": [{"key": "champion", "weight": 1, "model_version": "1.0.0"},
                     {"key": "challenger", "weight": 1, "model_version": challenger}],
        "metrics": [{"name": "ctr", "kind": "proportion", "event": "click"}],
        "tuning": 400,  # the always-valid bound is tightest near the units expected
    })  # fmt: skip


def test_split_routes_attributes_and_promotes_the_winner(client, two_versions):
    tenant = two_versions
    assert client.get("/v1/models/ventas", headers=tenant.headers()).json()["deployed_version"] == "1.0.0"
    experiment = service.create(tenant.id, _body("ventas-ab"))
    routes = {f"c{i}": service.route(tenant.id, "ventas", f"c{i}") for i in range(400)}
    assert {r.version for r in routes.values()} == {"1.0.0", "1.1.0"}
    assert all(service.route(tenant.id, "ventas", u).version == r.version for u, r in list(routes.items())[:20])
    for i, (unit, served) in enumerate(routes.items()):
        clicked = (i % 2 == 0) if served.version == "1.1.0" else (i % 10 == 0)  # the challenger gets more clicks
        if clicked:
            report = service.attribute(tenant.id, "ventas", unit, "click", f"click-{unit}", version=served.version)
            assert report is not None and report["accepted"] == 1, report
    with pytest.raises(Invalid):  # feedback naming a version outside the experiment
        service.attribute(tenant.id, "ventas", "c1", "click", "x-1", version="9.9.9")
    wrong = service.attribute(tenant.id, "ventas", "c0", "click", "x-2",
                              version="1.0.0" if routes["c0"].version == "1.1.0" else "1.1.0")  # fmt: skip
    assert wrong["accepted"] == 0 and wrong["rejected"][0]["field"] == "variant"
    promoted = service.end_and_promote(tenant.id, experiment["id"], "en")
    assert promoted["verdict"]["winner"] == "challenger", (promoted["verdict"], promoted["metrics"])
    assert promoted["promoted_version"] == "1.1.0"
    assert client.get("/v1/models/ventas", headers=tenant.headers()).json()["deployed_version"] == "1.1.0"
    assert service.route(tenant.id, "ventas", "c1") is None  # stopped: the deployed version serves everyone
    assert service.attribute(tenant.id, "ventas", "c1", "click", "late") is None


def test_shadow_serves_the_champion_and_names_the_challengers(client, two_versions):
    tenant = two_versions
    experiment = service.create(tenant.id, _body("ventas-shadow", mode="shadow", challenger="1.0.0"))
    route = service.route(tenant.id, "ventas", "request-1")
    assert route.variant == "champion" and route.version == "1.0.0" and route.shadow_versions == ("1.0.0",)
    report = service.attribute(tenant.id, "ventas", "request-1", "click", "shadow-click-1")
    assert report["accepted"] == 2 and report["new_units"] == 1  # exposure of the champion + the click
    with pytest.raises(service.Conflict):
        service.create(tenant.id, _body("ventas-second"))  # one running experiment per model
    nothing = service.end_and_promote(tenant.id, experiment["id"])
    assert nothing["promoted_version"] is None


def test_a_model_experiment_needs_real_versions(client, two_versions):
    answer = client.post("/v1/experiments", json={
        "name": "ghost", "model": {"name": "ventas"}, "metrics": [{"name": "ctr", "kind": "proportion"}],
        "variants": [{"key": "a", "weight": 1, "model_version": "1.0.0"}, {"key": "b", "weight": 1,
                                                                          "model_version": "7.0.0"}],
    }, headers=two_versions.headers())  # fmt: skip
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "body.variants.1.model_version"
    plain = client.post("/v1/experiments", json={"name": "not-a-model", "metrics": [{"name": "ctr"}],
                        "variants": [{"key": "a", "weight": 1}, {"key": "b", "weight": 1}]},
                        headers=two_versions.headers()).json()  # fmt: skip
    refused = client.post(f"/v1/experiments/{plain['id']}/promote", json={}, headers=two_versions.headers())
    assert refused.status_code == 409 and "does not test a model" in refused.text
