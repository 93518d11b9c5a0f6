"""ORM tables of automation: schedules and their runs, channels, events, deliveries, and usage roll-ups.

A schedule's next due time lives on its row; claiming a due time is one compare-and-set UPDATE on it,
and the run it creates is unique per (schedule, trigger, due time), so a due time can never run twice.
Deliveries are the outbox: one row per (event, channel), sent and retried by whichever process claims it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from tendero.store.tables import Base, new_id, utcnow


class Schedule(Base):
    """A cron expression in a time zone, an action with its params, and the channels that hear about it."""

    __tablename__ = "schedules"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name", name="uq_schedules_name"),
        Index("ix_schedules_due", "enabled", "next_due_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(30))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    cron: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    channels: Mapped[list[Any]] = mapped_column(default=list)
    next_due_at: Mapped[datetime | None]
    last_due_at: Mapped[datetime | None]
    revision: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SystemTask(Base):
    """A schedule of the installation itself (the daily retention sweep), claimed like a tenant's."""

    __tablename__ = "system_tasks"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    cron: Mapped[str] = mapped_column(String(120))
    next_due_at: Mapped[datetime]
    last_due_at: Mapped[datetime | None]
    revision: Mapped[int] = mapped_column(Integer, default=0)


class RetentionSetting(Base):
    """How long a tenant keeps jobs, progress events, audit rows and deliveries (default: the installation's)."""

    __tablename__ = "retention_settings"

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True)
    days: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScheduleRun(Base):
    """One claimed due time (or a manual or drift-triggered run) and the job that carries it."""

    __tablename__ = "schedule_runs"
    __table_args__ = (
        UniqueConstraint("schedule_id", "trigger", "due_at", name="uq_schedule_runs_due"),
        Index("ix_schedule_runs_tenant_created", "tenant_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    schedule_id: Mapped[str] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"), index=True)
    tenant_id: Mapped[str] = mapped_column(String(32))
    trigger: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime]
    missed: Mapped[int] = mapped_column(Integer, default=0)
    first_missed_at: Mapped[datetime | None]
    job_id: Mapped[str | None] = mapped_column(String(32), index=True)
    claimed_by: Mapped[str] = mapped_column(String(200), default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Channel(Base):
    """Where alerts go: a webhook (Slack-compatible or generic JSON, signed) or an email list.

    ``config`` holds what may be shown; ``sealed`` holds the secrets (URL, signing secret, SMTP
    password) encrypted with a key derived from the installation's secret, and is never shown.
    """

    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("tenant_id", "name", name="uq_channels_name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(2), default="es")
    events: Mapped[list[Any]] = mapped_column(default=list)
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    sealed: Mapped[str] = mapped_column(Text, default="")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AutomationEvent(Base):
    """Something people should hear about (a list, a retraining result, drift, a failed job); idempotent by key."""

    __tablename__ = "automation_events"
    __table_args__ = (
        UniqueConstraint("tenant_id", "key", name="uq_automation_events_key"),
        Index("ix_automation_events_tenant_created", "tenant_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(30))
    key: Mapped[str] = mapped_column(String(300))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    schedule_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Delivery(Base):
    """An event on its way to one channel: status, attempts, the last response, and each attempt's record."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("tenant_id", "dedupe_key", name="uq_deliveries_dedupe"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
        Index("ix_deliveries_tenant_created", "tenant_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    tenant_id: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[int] = mapped_column(ForeignKey("automation_events.id", ondelete="CASCADE"), index=True)
    event_kind: Mapped[str] = mapped_column(String(30))
    channel_id: Mapped[str] = mapped_column(String(32), index=True)
    channel_name: Mapped[str] = mapped_column(String(200))
    channel_kind: Mapped[str] = mapped_column(String(16))
    dedupe_key: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    log: Mapped[list[Any]] = mapped_column(default=list)
    replay_of: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class UsageRollup(Base):
    """Audit rows rolled up before retention deletes them, so ``/v1/usage`` keeps its figures.

    One row per (tenant, day, endpoint, model) per retention batch; latencies as counts in fixed
    log-spaced buckets (``tendero.store.retention.LATENCY_EDGES_MS``), from which p95 is read.
    """

    __tablename__ = "usage_rollups"
    __table_args__ = (Index("ix_usage_rollups_tenant_day", "tenant_id", "day"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(32))
    day: Mapped[date] = mapped_column(Date)
    endpoint: Mapped[str] = mapped_column(String(300))
    model_name: Mapped[str | None] = mapped_column(String(200))
    requests: Mapped[int] = mapped_column(BigInteger)
    errors: Mapped[int] = mapped_column(BigInteger)
    latency_sum_ms: Mapped[float] = mapped_column(Float)
    latency_buckets: Mapped[list[Any]] = mapped_column(default=list)
