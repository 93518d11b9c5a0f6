"""ORM tables of experiments: the experiment, its variants, who got which variant, and what happened.

Assignments and events are high-volume rows: like the commerce tables they keep the tenant id as a plain
column (the tenant always comes from an authenticated key) and reach their experiment by id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tendero.store.tables import Base, new_id, utcnow


class Experiment(Base):
    __tablename__ = "experiments"
    __table_args__ = (UniqueConstraint("tenant_id", "name", name="uq_experiments_name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="running")
    salt: Mapped[str] = mapped_column(String(64))
    metrics: Mapped[list[Any]] = mapped_column(default=list)
    covariate: Mapped[str | None] = mapped_column(String(64))
    alpha: Mapped[float] = mapped_column(Float, default=0.05)
    sequential: Mapped[bool] = mapped_column(Boolean, default=True)
    tuning: Mapped[float] = mapped_column(Float, default=5000.0)
    model_name: Mapped[str | None] = mapped_column(String(200))
    model_mode: Mapped[str | None] = mapped_column(String(16))
    winner: Mapped[str | None] = mapped_column(String(64))
    final_result: Mapped[dict[str, Any] | None] = mapped_column()
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExperimentVariant(Base):
    __tablename__ = "experiment_variants"
    __table_args__ = (UniqueConstraint("experiment_id", "key", name="uq_experiment_variants_key"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(32), index=True)
    experiment_id: Mapped[str] = mapped_column(ForeignKey("experiments.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    weight: Mapped[float] = mapped_column(Float)
    model_version: Mapped[str | None] = mapped_column(String(32))


class ExperimentAssignment(Base):
    """A unit's variant, fixed the first time it is assigned: later weight changes never move it."""

    __tablename__ = "experiment_assignments"

    experiment_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    unit: Mapped[str] = mapped_column(String(200), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(32))
    variant: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ExperimentEvent(Base):
    """Exposures, outcomes and pre-period covariates, idempotent by the sender's event id."""

    __tablename__ = "experiment_events"
    __table_args__ = (
        UniqueConstraint("experiment_id", "event_id", name="uq_experiment_events_event_id"),
        Index("ix_experiment_events_experiment_type", "experiment_id", "type"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(32))
    experiment_id: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(200))
    variant: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(16))
    event: Mapped[str | None] = mapped_column(String(64))
    value: Mapped[float] = mapped_column(Float, default=1.0)
    at: Mapped[datetime] = mapped_column()
