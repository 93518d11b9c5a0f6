"""Health, readiness, Prometheus metrics, structured logs, the audit log and usage figures."""

from __future__ import annotations

import json
import logging

from support import load_demo, wait_for_job
from tendero.observability.logs import JsonFormatter


def test_health_and_ready(client):
    assert client.get("/health").json()["status"] == "ok"
    ready = client.get("/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "jobs": "ok", "artifacts": "ok"}


def test_prediction_and_training_calls_are_audited_and_counted(client, tenant, demo_store):
    load_demo(tenant.id, demo_store)
    job = client.post("/v1/models/audited/train", json={"kind": "baseline"}, headers=tenant.headers()).json()
    assert wait_for_job(client, tenant, job["id"])["status"] == "completed"
    for _ in range(3):
        ok = client.post("/v1/models/audited/predict", json={"days": ["2026-02-01"]}, headers=tenant.headers("service"))
        assert ok.status_code == 200
    bad = client.post("/v1/models/audited/predict", json={"days": ["nope"]}, headers=tenant.headers("service"))
    assert bad.status_code == 422
    audit = client.get("/v1/audit?action=predict", headers=tenant.headers()).json()
    assert audit["total"] == 4
    row = audit["items"][0]
    assert row["endpoint"] == "/v1/models/{name}/predict" and row["model_name"] == "audited"
    assert row["model_version"] == "1.0.0" and row["status_code"] == 422 and row["error"]
    assert client.get("/v1/audit?action=train", headers=tenant.headers()).json()["total"] == 1
    usage = client.get("/v1/usage?hours=1", headers=tenant.headers()).json()
    assert usage["totals"]["requests"] == 5 and usage["totals"]["errors"] == 1
    by_model = {m["model"]: m for m in usage["by_model"]}
    assert by_model["audited"]["requests"] == 5 and by_model["audited"]["p95_latency_ms"] > 0
    metrics = client.get("/metrics").text
    assert 'tendero_predictions_total{kind="baseline",model="",tenant="",version=""}' in metrics
    assert "audited" not in metrics and tenant.name not in metrics  # names only where the operator opts in
    assert 'route="/v1/models/{name}/predict"' in metrics
    assert "tendero_http_request_seconds_bucket" in metrics
    assert 'tendero_jobs_total{kind="train",status="completed"}' in metrics
    assert 'tendero_job_seconds_count{kind="train"}' in metrics


def test_json_logs_never_carry_a_whole_key():
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "used key tdr_ab12cd34_SECRETPART now", None, None)
    line = json.loads(JsonFormatter().format(record))
    assert "SECRETPART" not in line["message"] and "tdr_ab12cd34" in line["message"]
    assert line["level"] == "info"
