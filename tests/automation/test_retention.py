"""Retention: a tenant's jobs, progress events, audit rows, deliveries and events older than its setting are
deleted in batches; what is newer, and jobs still running, stay; ``/v1/usage`` keeps its totals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import insert

from support import make_tenant, wait_for_job
from tendero.store import automation as automation_rows
from tendero.store.automation_tables import Delivery
from tendero.store.db import get_engine, session_scope
from tendero.store.retention import count_rows
from tendero.store.tables import AuditEntry, Job, JobEvent, new_id

OLD_AUDIT, NEW_AUDIT = 2_500, 40


def _age(tenant_id: str) -> None:
    """Rows as a tenant would have them after months of use: most of them 100 days old."""
    now = datetime.now(UTC)
    old, recent = now - timedelta(days=100), now - timedelta(days=2)
    rng = np.random.default_rng(5)
    audit = [
        {"tenant_id": tenant_id, "key_prefix": "tdr_old", "method": "POST", "endpoint": "/v1/forecasts",
         "action": "predict", "model_name": "sales", "latency_ms": float(rng.lognormal(3.0, 0.8)),
         "status_code": 500 if i % 50 == 0 else 200, "at": (old if i < OLD_AUDIT else recent) + timedelta(seconds=i)}
        for i in range(OLD_AUDIT + NEW_AUDIT)
    ]  # fmt: skip
    jobs, events = [], []
    for i in range(30):
        when = old if i < 25 else recent
        job_id = new_id()
        jobs.append({"id": job_id, "tenant_id": tenant_id, "kind": "train", "params": {}, "status": "completed",
                     "attempts": 1, "max_attempts": 3, "progress": 1.0, "idempotency_key": f"old-{i}",
                     "cancel_requested": False, "created_at": when, "started_at": when,
                     "finished_at": when})  # fmt: skip
        events += [{"job_id": job_id, "tenant_id": tenant_id, "attempt": 1, "step": s, "total": 4, "metrics": {},
                    "message": "", "at": when} for s in range(4)]  # fmt: skip
    running = new_id()  # started long ago and still running: kept whatever its age
    still = {"id": running, "tenant_id": tenant_id, "kind": "train", "params": {}, "status": "running",
                 "attempts": 1, "max_attempts": 3, "progress": 0.5, "idempotency_key": "still-running",
                 "cancel_requested": False, "created_at": old, "started_at": old, "worker": "elsewhere:1",
                 "lease_until": now + timedelta(days=1), "heartbeat_at": now}  # fmt: skip
    events.append({"job_id": running, "tenant_id": tenant_id, "attempt": 1, "step": 1, "total": 2, "metrics": {},
                   "message": "", "at": old})  # fmt: skip
    with get_engine().begin() as connection:
        connection.execute(insert(AuditEntry), audit)
        connection.execute(insert(Job), jobs)
        connection.execute(insert(Job), [still])
        connection.execute(insert(JobEvent), events)
    with session_scope() as session:
        for i, when in enumerate([old, old, recent]):
            event, _ = automation_rows.record_event(session, tenant_id, "test", f"aged-{i}", {"channel": "x"})
            event.created_at = when
            session.add(Delivery(id=new_id(), tenant_id=tenant_id, event_id=event.id, event_kind="test",
                                 channel_id=new_id(), channel_name="gone", channel_kind="webhook",
                                 dedupe_key=f"aged-{i}", status="delivered", attempts=1, max_attempts=3,
                                 next_attempt_at=when, log=[], created_at=when, finished_at=when))  # fmt: skip


def test_retention_deletes_old_rows_in_batches_and_usage_keeps_its_totals(client):
    tenant = make_tenant("retention")
    _age(tenant.id)
    before = count_rows(tenant.id)
    usage_before = client.get("/v1/usage?hours=4000", headers=tenant.headers()).json()
    assert client.get("/v1/retention", headers=tenant.headers()).json()["days"] == 90
    assert client.patch("/v1/retention", json={"days": 30}, headers=tenant.headers()).json()["days"] == 30
    queued = client.post("/v1/retention/run", headers=tenant.headers())
    assert queued.status_code == 202, queued.text
    job = wait_for_job(client, tenant, queued.json()["job_id"], 120)
    assert job["status"] == "completed", job
    result = job["result"]
    assert result["deleted"] == {"jobs": 25, "job_events": 0, "audit_rows": OLD_AUDIT, "deliveries": 2, "events": 2}
    assert result["batches"] >= 3 + 1 + 1 + 1  # 2,500 audit rows go 1,000 at a time: each batch its own commit
    after = count_rows(tenant.id)
    assert after["audit_rows"] >= NEW_AUDIT and before["audit_rows"] - after["audit_rows"] == OLD_AUDIT
    assert after["jobs"] == before["jobs"] - 25 + 1  # the retention job itself is new
    assert after["job_events"] >= before["job_events"] - 100
    with session_scope() as session:
        running = session.query(Job).filter(Job.tenant_id == tenant.id, Job.status == "running").one()
        assert running.idempotency_key == "still-running"
    usage_after = client.get("/v1/usage?hours=4000", headers=tenant.headers()).json()
    for figure in ("requests", "errors", "error_rate"):
        assert usage_after["totals"][figure] == usage_before["totals"][figure], figure
    assert usage_after["totals"]["avg_latency_ms"] == pytest.approx(usage_before["totals"]["avg_latency_ms"])
    p95_before, p95_after = usage_before["totals"]["p95_latency_ms"], usage_after["totals"]["p95_latency_ms"]
    assert p95_before <= p95_after <= p95_before * 1.26  # read from the roll-up's buckets: within one bucket
    (forecasts,) = [e for e in usage_after["by_endpoint"] if e["endpoint"] == "/v1/forecasts"]
    assert forecasts["requests"] == OLD_AUDIT + NEW_AUDIT
    assert forecasts["errors"] == len(range(0, OLD_AUDIT + NEW_AUDIT, 50))  # every 50th answered 500
    again = wait_for_job(client, tenant, client.post("/v1/retention/run", headers=tenant.headers()).json()["job_id"])
    assert sum(again["result"]["deleted"].values()) == 0  # nothing left to delete; the roll-ups are not doubled
    assert client.get("/v1/usage?hours=4000", headers=tenant.headers()).json()["totals"] == usage_after["totals"]
