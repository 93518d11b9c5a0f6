"""Signing in to the dashboard over HTTP, each test with its own cookie jar on the shared running app."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from conftest import TenantKeys

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
