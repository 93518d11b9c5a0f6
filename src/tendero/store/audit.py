"""Audit rows: bulk insert, filtered listing, and usage summaries — always for one tenant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import func, select

from tendero.store.db import get_engine, session_scope
from tendero.store.tables import AuditEntry


def insert_entries(rows: list[dict[str, Any]]) -> None:
    with get_engine().begin() as connection:
        connection.execute(AuditEntry.__table__.insert(), rows)


def _filtered(
    tenant_id: str,
    since: datetime | None,
    until: datetime | None,
    action: str | None,
    model: str | None,
    status: int | None,
):  # type: ignore[no-untyped-def]
    query = select(AuditEntry).where(AuditEntry.tenant_id == tenant_id)
    if since:
        query = query.where(AuditEntry.at >= since)
    if until:
        query = query.where(AuditEntry.at < until)
    if action:
        query = query.where(AuditEntry.action == action)
    if model:
        query = query.where(AuditEntry.model_name == model)
    if status:
        query = query.where(AuditEntry.status_code == status)
    return query


def list_entries(
    tenant_id: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    action: str | None = None,
    model: str | None = None,
    status: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[AuditEntry], int]:
    query = _filtered(tenant_id, since, until, action, model, status)
    with session_scope() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)).all()
        return rows, total


def usage(tenant_id: str, since: datetime, until: datetime) -> dict[str, Any]:
    """Totals, per endpoint and per model: calls, error rate, mean and p95 latency.

    Days whose audit rows retention deleted count from their roll-ups (whole days: a roll-up day inside
    the window counts in full); p95 is then read from latency buckets (within one bucket, 26 %)."""
    from tendero.store.retention import histogram_percentile, latency_histogram, usage_rollups

    query = select(AuditEntry.endpoint, AuditEntry.model_name, AuditEntry.status_code, AuditEntry.latency_ms).where(
        AuditEntry.tenant_id == tenant_id, AuditEntry.at >= since, AuditEntry.at < until
    )
    with get_engine().connect() as connection:
        rows = connection.execute(query).all()
    rollups = usage_rollups(tenant_id, since, until)

    def summary(items: list[Any], rolled: list[Any]) -> dict[str, Any]:
        latencies = np.array([row.latency_ms for row in items], dtype=float)
        requests = len(items) + sum(int(r.requests) for r in rolled)
        errors = sum(1 for row in items if row.status_code >= 400) + sum(int(r.errors) for r in rolled)
        latency_sum = float(latencies.sum()) + sum(float(r.latency_sum_ms) for r in rolled)
        if rolled:
            counts = np.array(latency_histogram(latencies), dtype=np.int64)
            for r in rolled:
                counts = counts + np.array(r.latency_buckets, dtype=np.int64)
            p95 = histogram_percentile(counts.tolist(), 95)
        else:
            p95 = float(np.percentile(latencies, 95)) if len(items) else 0.0
        return {
            "requests": requests,
            "errors": errors,
            "error_rate": errors / requests if requests else 0.0,
            "avg_latency_ms": latency_sum / requests if requests else 0.0,
            "p95_latency_ms": p95,
        }

    by_endpoint: dict[str, tuple[list[Any], list[Any]]] = {}
    by_model: dict[str, tuple[list[Any], list[Any]]] = {}
    for row in rows:
        by_endpoint.setdefault(row.endpoint, ([], []))[0].append(row)
        if row.model_name:
            by_model.setdefault(row.model_name, ([], []))[0].append(row)
    for rolled in rollups:
        by_endpoint.setdefault(rolled.endpoint, ([], []))[1].append(rolled)
        if rolled.model_name:
            by_model.setdefault(rolled.model_name, ([], []))[1].append(rolled)
    return {
        "since": since,
        "until": until,
        "recommendations": feedback_summary(tenant_id, since, until),
        "totals": summary(list(rows), rollups),
        "by_endpoint": [{"endpoint": k, **summary(*v)} for k, v in sorted(by_endpoint.items())],
        "by_model": [{"model": k, **summary(*v)} for k, v in sorted(by_model.items())],
    }


def add_feedback(tenant_id: str, rows: list[dict[str, Any]]) -> None:
    from tendero.store.tables import RecommendationFeedback

    with get_engine().begin() as connection:
        connection.execute(RecommendationFeedback.__table__.insert(), [{"tenant_id": tenant_id, **r} for r in rows])


def feedback_summary(tenant_id: str, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Impressions, clicks, conversions, CTR and conversion rate per model version."""
    from tendero.store.tables import RecommendationFeedback as F

    query = (
        select(F.model_name, F.model_version, F.event, func.count())
        .where(F.tenant_id == tenant_id, F.at >= since, F.at < until)
        .group_by(F.model_name, F.model_version, F.event)
    )
    with get_engine().connect() as connection:
        rows = connection.execute(query).all()
    table: dict[tuple[str | None, str | None], dict[str, int]] = {}
    for name, version, event, count in rows:
        table.setdefault((name, version), {"impression": 0, "click": 0, "conversion": 0})[event] = int(count)
    out = []
    for (name, version), counts in sorted(table.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))):
        shown = counts["impression"]
        out.append({
            "model": name, "version": version, "impressions": shown, "clicks": counts["click"],
            "conversions": counts["conversion"], "ctr": counts["click"] / shown if shown else 0.0,
            "conversion_rate": counts["conversion"] / shown if shown else 0.0,
        })  # fmt: skip
    return out
