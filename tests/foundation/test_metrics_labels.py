"""/metrics: labels from a fixed set (route templates or "unmatched", never a raw path), tenant and model names
only where the operator opts in, and an optional bearer token."""

from __future__ import annotations

import secrets

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from support import load_demo, wait_for_job
from tendero.api.ratelimit import MemoryRateLimiter, RateLimits
from tendero.config import reset_settings


def _series(name: str = "tendero_http_requests_total") -> set[tuple[tuple[str, str], ...]]:
    found = set()
    for family in REGISTRY.collect():
        for sample in family.samples:
            if sample.name == name:
                found.add(tuple(sorted(sample.labels.items())))
    return found


def _value(name: str, labels: dict[str, str]) -> float | None:
    for family in REGISTRY.collect():
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return None


def _routes() -> set[str]:
    return {dict(labels)["route"] for labels in _series()}


def test_random_paths_add_no_series(client, tenant):
    client.get("/v1/nothing-here", headers=tenant.headers())
    before = _series()
    for _ in range(5000):
        client.get(f"/{secrets.token_hex(6)}/{secrets.token_hex(4)}")
    assert _series() == before
    assert not [route for route in _routes() if not (route == "unmatched" or route.startswith("/"))]


@pytest.fixture
def limited_app():
    from tendero.app import create_app

    limits = RateLimits(MemoryRateLimiter(1), 1, 1_000_000, 1000, 1000)
    with TestClient(create_app(run_jobs=False, migrate=False, limits=limits)) as limited:
        yield limited


def test_answers_given_before_routing_are_labelled_by_the_route_template(client, limited_app, tenant, other_tenant):
    """A 429 or 413 is answered before routing: its label is still the template, never another tenant's id."""
    for customer in ("C00833", "C00834"):
        for _ in range(2):
            limited_app.get(f"/v1/customers/{customer}/insights", headers=other_tenant.headers())
    huge = b'{"rows": ["' + b"x" * (11 * 1024 * 1024) + b'"]}'
    answer = client.post("/v1/models/SECRET-MODEL-NAME/predict", content=huge,
                         headers={**tenant.headers(), "content-type": "application/json"})  # fmt: skip
    assert answer.status_code == 413
    nul = client.get("/v1/jobs/JOB%00X", headers=tenant.headers())
    assert nul.status_code == 422
    metrics = client.get("/metrics").text
    assert 'route="/v1/customers/{customer_id}/insights",status="429"' in metrics
    assert 'route="/v1/models/{name}/predict",status="413"' in metrics
    assert 'route="/v1/jobs/{job_id}",status="422"' in metrics
    for leaked in ("C00833", "C00834", "SECRET-MODEL-NAME", "JOB"):
        assert leaked not in metrics


def test_unknown_methods_are_one_label(client):
    before = _series()
    for _ in range(20):
        client.request(f"X{secrets.token_hex(3).upper()}", "/health")
    methods = {dict(labels)["method"] for labels in _series() - before}
    assert methods <= {"other"}


@pytest.fixture
def configured(monkeypatch):
    """Set TENDERO_* variables for what the test builds, and forget them afterwards."""
    changed: list[str] = []

    def set_(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(f"TENDERO_{name.upper()}", value)
            changed.append(name)
        reset_settings()

    yield set_
    for name in changed:
        monkeypatch.delenv(f"TENDERO_{name.upper()}")
    reset_settings()


def test_tenant_and_model_names_label_predictions_only_when_the_operator_opts_in(
    client, tenant, demo_store, configured
):
    load_demo(tenant.id, demo_store)
    job = client.post("/v1/models/rotulado/train", json={"kind": "baseline"}, headers=tenant.headers()).json()
    assert wait_for_job(client, tenant, job["id"])["status"] == "completed"
    predict = {"days": ["2026-02-01"]}
    assert client.post("/v1/models/rotulado/predict", json=predict, headers=tenant.headers()).status_code == 200
    assert "rotulado" not in client.get("/metrics").text
    configured(metrics_tenant_labels="true")
    assert client.post("/v1/models/rotulado/predict", json=predict, headers=tenant.headers()).status_code == 200
    labels = {"kind": "baseline", "tenant": tenant.name, "model": "rotulado", "version": "1.0.0"}
    assert _value("tendero_predictions_total", labels) == 1.0


def test_metrics_can_require_a_bearer_token(configured):
    from tendero.app import create_app

    configured(metrics_token="token-de-metricas-largo")
    with TestClient(create_app(run_jobs=False, migrate=False)) as guarded:
        assert guarded.get("/metrics").status_code == 401
        wrong = guarded.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
        assert "TENDERO_METRICS_TOKEN" in wrong.json()["detail"]
        right = guarded.get("/metrics", headers={"Authorization": "Bearer token-de-metricas-largo"})
        assert right.status_code == 200 and "tendero_http_requests_total" in right.text
        assert guarded.get("/health").status_code == 200  # probes stay open
