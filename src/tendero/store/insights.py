"""Stored sales analyses, always for one tenant: the whole analysis as JSON, its periods to list them by."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from tendero.store.tables import Base, new_id, utcnow
from tendero.store.tenants import NotFound


class InsightAnalysis(Base):
    """One analysis of one period: what was compared, in which currency, and everything it found."""

    __tablename__ = "insight_analyses"
    __table_args__ = (Index("ix_insight_analyses_tenant_created", "tenant_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32), default="sales")
    period_start: Mapped[str] = mapped_column(String(10))
    period_end: Mapped[str] = mapped_column(String(10))
    compare_start: Mapped[str] = mapped_column(String(10))
    compare_end: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    job_id: Mapped[str | None] = mapped_column(String(32))
    result: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


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
