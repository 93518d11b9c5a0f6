"""Stored sales analyses, always for one tenant: the whole analysis as JSON, its periods to list them by."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tendero.errors import NotFound
from tendero.store.insight_tables import InsightAnalysis


def save_analysis(session: Session, tenant_id: str, fields: dict[str, Any], result: dict[str, Any]) -> InsightAnalysis:
    row = InsightAnalysis(tenant_id=tenant_id, result=result, **fields)
    session.add(row)
    session.flush()
    return row


def get_analysis(session: Session, tenant_id: str, analysis_id: str) -> InsightAnalysis:
    """By id; another tenant's analysis is not found either."""
    row = session.scalar(
        select(InsightAnalysis).where(InsightAnalysis.tenant_id == tenant_id, InsightAnalysis.id == analysis_id)
    )
    if row is None:
        raise NotFound(f"no analysis {analysis_id!r}")
    return row


def list_analyses(
    session: Session, tenant_id: str, limit: int = 50, offset: int = 0
) -> tuple[Sequence[InsightAnalysis], int]:
    query = select(InsightAnalysis).where(InsightAnalysis.tenant_id == tenant_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(InsightAnalysis.created_at.desc(), InsightAnalysis.id).limit(limit).offset(offset)
    ).all()
    return rows, total
