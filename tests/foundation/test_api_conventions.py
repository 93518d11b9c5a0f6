"""Problem details everywhere, field-level errors, pagination, request ids, body and rate limits."""

from __future__ import annotations


def test_validation_errors_name_the_field(client, tenant):
    answer = client.post(
        "/v1/models/m1/train", json={"kind": "baseline", "params": {"weeks": 0}}, headers=tenant.headers()
    )
    assert answer.status_code == 422
    body = answer.json()
    assert answer.headers["content-type"] == "application/problem+json"
    assert any(error["field"].endswith("weeks") for error in body["errors"])


def test_unknown_hyperparameter_is_refused_by_name(client, tenant):
    answer = client.post(
        "/v1/models/m1/train", json={"kind": "baseline", "params": {"wekks": 3}}, headers=tenant.headers()
    )
    assert answer.status_code == 422
    assert any("wekks" in error["field"] for error in answer.json()["errors"])


def test_unknown_kind_is_422_naming_known_kinds(client, tenant):
    answer = client.post("/v1/models/m1/train", json={"kind": "crystal-ball"}, headers=tenant.headers())
    assert answer.status_code == 422
    assert "baseline" in answer.json()["detail"]


def test_request_id_is_echoed_or_made(client):
    assert client.get("/health", headers={"X-Request-Id": "abc-123"}).headers["x-request-id"] == "abc-123"
    assert len(client.get("/health").headers["x-request-id"]) == 32


def test_lists_paginate(client, tenant):
    page = client.get("/v1/jobs?limit=2&offset=0", headers=tenant.headers()).json()
    assert set(page) == {"items", "total", "limit", "offset"} and page["limit"] == 2
    assert client.get("/v1/jobs?limit=0", headers=tenant.headers()).status_code == 422


def test_body_over_the_limit_is_413(client, tenant):
    huge = b'{"days": ["' + b"x" * (11 * 1024 * 1024) + b'"]}'
    answer = client.post(
        "/v1/models/m/predict", content=huge, headers={**tenant.headers(), "content-type": "application/json"}
    )
    assert answer.status_code == 413
    assert answer.json()["status"] == 413
