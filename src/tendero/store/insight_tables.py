"""ORM table of stored sales analyses (imported at the end of ``tables.py``, so the metadata sees it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tendero.store.tables import Base, new_id, utcnow


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
