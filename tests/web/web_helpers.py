"""Signing in to the dashboard over HTTP, each test with its own cookie jar on the shared running app."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from support import TenantKeys

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def browser(client: TestClient, base_url: str = "http://testserver") -> TestClient:
    """A client with its own cookies on the already started app (the session ``client`` runs the lifespan)."""
    return TestClient(client.app, base_url=base_url, follow_redirects=False)


def csrf_of(page_html: str) -> str:
    found = CSRF.search(page_html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def sign_in(web: TestClient, tenant: TenantKeys, role: str = "admin") -> str:
    """Sign in with the tenant's key for ``role``; returns the session's CSRF token."""
    token = csrf_of(web.get("/app/login").text)
    answer = web.post("/app/login", data={"csrf": token, "tenant": tenant.name, "key": getattr(tenant, role)})
    assert answer.status_code == 303, answer.text
    return csrf_of(web.get("/app/jobs" if role != "service" else "/app/data").text)


TRAINED_MODELS: list[tuple[str, dict]] = [
    ("forecast-category-M", {"kind": "forecast", "params": {"level": "category", "freq": "M", "horizon": 3,
                                                            "history_months": 24}}),
    ("forecast-total-D", {"kind": "forecast", "params": {"level": "total", "freq": "D", "horizon": 30,
                                                         "history_months": 24}}),
    ("customers", {"kind": "customers", "params": {}}),
    ("recommender", {"kind": "recommender", "params": {}}),
]  # fmt: skip
_trained: dict[str, TenantKeys] = {}


def trained_shop(client: TestClient) -> TenantKeys:
    """One shop with ~26 months of generated sales and the capability models trained through the real job runner,
    shared by every web test module that needs them (training once keeps the suite fast)."""
    if "shop" not in _trained:
        from support import load_demo, make_tenant, wait_for_job
        from tendero.data.demo import generate_store

        tenant = make_tenant("entrenada")
        load_demo(tenant.id, generate_store(seed=11, customers=250, days=800))
        jobs = []
        for model, request in TRAINED_MODELS:
            answer = client.post(f"/v1/models/{model}/train", json={**request, "deploy": "always"},
                                 headers=tenant.headers())  # fmt: skip
            assert answer.status_code == 202, answer.text
            jobs.append(answer.json()["id"])
        for job_id in jobs:
            job = wait_for_job(client, tenant, job_id, timeout=280)
            assert job["status"] == "completed", job["error"]
        _trained["shop"] = tenant
    return _trained["shop"]
