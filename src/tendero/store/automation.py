"""Rows of automation: schedules, the claim of a due time, runs, channels, events and the delivery outbox.

Tenant-facing functions take the tenant and filter by it. The scheduler's and the sender's functions
(``due_schedules``, ``claim_due_time``, ``claim_deliveries``, ``finish_attempt``) act across tenants on
rows they were handed, as the job runner's do, and every claim is a compare-and-set UPDATE: of two
processes racing for the same row exactly one sees ``rowcount == 1``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tendero.store.automation_tables import AutomationEvent, Channel, Delivery, Schedule, ScheduleRun
from tendero.store.tables import Job, new_id, utcnow
from tendero.store.tenants import Conflict, NotFound

DELIVERY_FINAL = ("delivered", "dead")

# ---- schedules ------------------------------------------------------------------------------------


def create_schedule(session: Session, tenant_id: str, **fields: Any) -> Schedule:
    """A new schedule; ``Conflict`` when the tenant already has one with that name."""
    if session.scalar(select(Schedule.id).where(Schedule.tenant_id == tenant_id, Schedule.name == fields["name"])):
        raise Conflict(f"a schedule named {fields['name']!r} already exists")
    now = utcnow()
    schedule = Schedule(id=new_id(), tenant_id=tenant_id, created_at=now, updated_at=now, **fields)
    try:
        with session.begin_nested():
            session.add(schedule)
    except IntegrityError as error:
        raise Conflict(f"a schedule named {fields['name']!r} already exists") from error
    return schedule


def get_schedule(session: Session, tenant_id: str, schedule_id: str) -> Schedule:
    row = session.scalar(select(Schedule).where(Schedule.tenant_id == tenant_id, Schedule.id == schedule_id))
    if row is None:
        raise NotFound(f"no schedule {schedule_id!r}")
    return row


def list_schedules(
    session: Session, tenant_id: str, *, action: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[Sequence[Schedule], int]:
    query = select(Schedule).where(Schedule.tenant_id == tenant_id)
    if action:
        query = query.where(Schedule.action == action)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Schedule.name).limit(limit).offset(offset)).all()
    return rows, total


def update_schedule(session: Session, schedule: Schedule, **changes: Any) -> Schedule:
    """Apply changes; a new revision makes any claim computed from the old row fail."""
    if "name" in changes and changes["name"] != schedule.name:
        taken = session.scalar(
            select(Schedule.id).where(Schedule.tenant_id == schedule.tenant_id, Schedule.name == changes["name"])
        )
        if taken:
            raise Conflict(f"a schedule named {changes['name']!r} already exists")
    for key, value in changes.items():
        setattr(schedule, key, value)
    schedule.revision = schedule.revision + 1
    schedule.updated_at = utcnow()
    session.flush()
    return schedule


def delete_schedule(session: Session, tenant_id: str, schedule_id: str) -> None:
    session.delete(get_schedule(session, tenant_id, schedule_id))


@dataclass(frozen=True)
class DueSchedule:
    """What the scheduler needs to claim one due time of a schedule."""

    id: str
    tenant_id: str
    next_due_at: datetime
    cron: str
    timezone: str
    revision: int


def due_schedules(session: Session, now: datetime, limit: int = 200) -> list[DueSchedule]:
    """Enabled schedules whose next due time has come, oldest first (all tenants)."""
    rows = session.execute(
        select(
            Schedule.id, Schedule.tenant_id, Schedule.next_due_at, Schedule.cron, Schedule.timezone, Schedule.revision
        )
        .where(Schedule.enabled.is_(True), Schedule.next_due_at.is_not(None), Schedule.next_due_at <= now)
        .order_by(Schedule.next_due_at)
        .limit(limit)
    ).all()
    return [DueSchedule(*row) for row in rows]


def claim_due_time(session: Session, due: DueSchedule, new_next: datetime, last_due: datetime) -> bool:
    """Move the schedule from ``due.next_due_at`` to ``new_next`` if nobody did: the claim of that due time."""
    result = session.execute(
        update(Schedule)
        .where(
            Schedule.id == due.id,
            Schedule.enabled.is_(True),
            Schedule.next_due_at == due.next_due_at,
            Schedule.revision == due.revision,
        )
        .values(next_due_at=new_next, last_due_at=last_due)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def add_run(
    session: Session,
    schedule_id: str,
    tenant_id: str,
    trigger: str,
    due_at: datetime,
    *,
    missed: int = 0,
    first_missed_at: datetime | None = None,
    claimed_by: str = "",
) -> ScheduleRun | None:
    """Record a run; None when this (schedule, trigger, due time) already has one."""
    run = ScheduleRun(
        id=new_id(),
        schedule_id=schedule_id,
        tenant_id=tenant_id,
        trigger=trigger,
        due_at=due_at,
        missed=missed,
        first_missed_at=first_missed_at,
        claimed_by=claimed_by,
        created_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(run)
    except IntegrityError:
        return None
    return run


@dataclass(frozen=True)
class RunView:
    """A run with its job's state (the job table is the truth about status and times)."""

    run: ScheduleRun
    status: str
    attempts: int
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None


def _run_views(session: Session, rows: Sequence[ScheduleRun]) -> list[RunView]:
    ids = [row.job_id for row in rows if row.job_id]
    jobs = {job.id: job for job in session.scalars(select(Job).where(Job.id.in_(ids)))} if ids else {}
    out = []
    for row in rows:
        job = jobs.get(row.job_id or "")
        if job is None:
            out.append(RunView(row, "unknown", 0, None, None, None))
        else:
            out.append(RunView(row, job.status, job.attempts, job.started_at, job.finished_at, job.error))
    return out


def list_runs(
    session: Session, tenant_id: str, schedule_id: str | None = None, *, limit: int = 50, offset: int = 0
) -> tuple[list[RunView], int]:
    query = select(ScheduleRun).where(ScheduleRun.tenant_id == tenant_id)
    if schedule_id is not None:
        query = query.where(ScheduleRun.schedule_id == schedule_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(ScheduleRun.due_at.desc(), ScheduleRun.created_at.desc()).limit(limit).offset(offset)
    ).all()
    return _run_views(session, rows), total


def get_run(session: Session, tenant_id: str, run_id: str) -> RunView:
    row = session.scalar(select(ScheduleRun).where(ScheduleRun.tenant_id == tenant_id, ScheduleRun.id == run_id))
    if row is None:
        raise NotFound(f"no schedule run {run_id!r}")
    return _run_views(session, [row])[0]


def load_run(session: Session, run_id: str) -> ScheduleRun:
    """The run a job was handed (not tenant-facing)."""
    row = session.get(ScheduleRun, run_id, populate_existing=True)
    if row is None:
        raise NotFound(f"no schedule run {run_id!r}")
    return row


def last_runs(session: Session, schedule_ids: Iterable[str]) -> dict[str, RunView]:
    """The newest run of each schedule."""
    ids = list(schedule_ids)
    if not ids:
        return {}
    newest = (
        select(ScheduleRun.schedule_id, func.max(ScheduleRun.created_at).label("at"))
        .where(ScheduleRun.schedule_id.in_(ids))
        .group_by(ScheduleRun.schedule_id)
        .subquery()
    )
    rows = session.scalars(
        select(ScheduleRun).join(
            newest, (ScheduleRun.schedule_id == newest.c.schedule_id) & (ScheduleRun.created_at == newest.c.at)
        )
    ).all()
    return {view.run.schedule_id: view for view in _run_views(session, rows)}


def set_run_result(session: Session, run_id: str, result: dict[str, Any]) -> None:
    session.execute(
        update(ScheduleRun)
        .where(ScheduleRun.id == run_id)
        .values(result=result)
        .execution_options(synchronize_session=False)
    )


def drift_schedules(session: Session, tenant_id: str, model: str) -> list[Schedule]:
    """Enabled retrain schedules of ``model`` whose policy retrains on drift."""
    rows = session.scalars(
        select(Schedule).where(
            Schedule.tenant_id == tenant_id, Schedule.action == "retrain", Schedule.enabled.is_(True)
        )
    ).all()
    return [row for row in rows if row.params.get("model") == model and row.params.get("on_drift") == "retrain"]


# ---- channels -------------------------------------------------------------------------------------


def create_channel(session: Session, tenant_id: str, **fields: Any) -> Channel:
    if session.scalar(select(Channel.id).where(Channel.tenant_id == tenant_id, Channel.name == fields["name"])):
        raise Conflict(f"a channel named {fields['name']!r} already exists")
    now = utcnow()
    channel = Channel(id=new_id(), tenant_id=tenant_id, created_at=now, updated_at=now, **fields)
    try:
        with session.begin_nested():
            session.add(channel)
    except IntegrityError as error:
        raise Conflict(f"a channel named {fields['name']!r} already exists") from error
    return channel


def get_channel(session: Session, tenant_id: str, channel_id: str) -> Channel:
    row = session.scalar(select(Channel).where(Channel.tenant_id == tenant_id, Channel.id == channel_id))
    if row is None:
        raise NotFound(f"no channel {channel_id!r}")
    return row


def list_channels(
    session: Session, tenant_id: str, *, limit: int = 100, offset: int = 0
) -> tuple[Sequence[Channel], int]:
    query = select(Channel).where(Channel.tenant_id == tenant_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return session.scalars(query.order_by(Channel.name).limit(limit).offset(offset)).all(), total


def update_channel(session: Session, channel: Channel, **changes: Any) -> Channel:
    if "name" in changes and changes["name"] != channel.name:
        taken = session.scalar(
            select(Channel.id).where(Channel.tenant_id == channel.tenant_id, Channel.name == changes["name"])
        )
        if taken:
            raise Conflict(f"a channel named {changes['name']!r} already exists")
    for key, value in changes.items():
        setattr(channel, key, value)
    channel.updated_at = utcnow()
    session.flush()
    return channel


def delete_channel(session: Session, tenant_id: str, channel_id: str) -> None:
    session.delete(get_channel(session, tenant_id, channel_id))


def load_channel(session: Session, channel_id: str) -> Channel | None:
    """The channel a delivery names (not tenant-facing); None once it was deleted."""
    return session.get(Channel, channel_id, populate_existing=True)


# ---- events and the delivery outbox -------------------------------------------------------------------


def record_event(
    session: Session,
    tenant_id: str,
    kind: str,
    key: str,
    payload: dict[str, Any],
    *,
    schedule_id: str | None = None,
    channel_ids: Iterable[str] = (),
    default_attempts: int = 5,
) -> tuple[AutomationEvent, list[Delivery]]:
    """An event and one pending delivery per channel that should hear it: the channels named (by the
    schedule that produced it) and those subscribed to ``kind``. Idempotent by ``key``: a second call
    with the same key returns the first event and creates nothing."""
    existing = session.scalar(
        select(AutomationEvent).where(AutomationEvent.tenant_id == tenant_id, AutomationEvent.key == key)
    )
    if existing is not None:
        return existing, []
    event = AutomationEvent(
        tenant_id=tenant_id, kind=kind, key=key[:300], payload=payload, schedule_id=schedule_id, created_at=utcnow()
    )
    try:
        with session.begin_nested():
            session.add(event)
            session.flush()
    except IntegrityError:  # a concurrent call with the same key won
        found = session.scalar(
            select(AutomationEvent).where(AutomationEvent.tenant_id == tenant_id, AutomationEvent.key == key)
        )
        assert found is not None
        return found, []
    named = set(channel_ids)
    channels = session.scalars(
        select(Channel).where(Channel.tenant_id == tenant_id, Channel.enabled.is_(True)).order_by(Channel.name)
    ).all()
    deliveries = []
    now = utcnow()
    for channel in channels:
        if channel.id not in named and kind not in (channel.events or []):
            continue
        attempts = int((channel.config or {}).get("retry", {}).get("attempts", default_attempts))
        delivery = Delivery(
            id=new_id(),
            tenant_id=tenant_id,
            event_id=event.id,
            event_kind=kind,
            channel_id=channel.id,
            channel_name=channel.name,
            channel_kind=channel.kind,
            dedupe_key=f"{event.id}:{channel.id}",
            status="pending",
            attempts=0,
            max_attempts=attempts,
            next_attempt_at=now,
            log=[],
            created_at=now,
        )
        session.add(delivery)
        deliveries.append(delivery)
    session.flush()
    return event, deliveries


def record_job_failure(session: Session, job: Job) -> None:
    """A ``job_failed`` event for a job that ended failed (channels subscribed to it are told)."""
    params = job.params or {}
    payload = {
        "job_id": job.id, "kind": job.kind, "model": params.get("model"), "schedule": params.get("schedule"),
        "action": params.get("action"), "attempts": job.attempts, "error": (job.error or "")[:2000],
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }  # fmt: skip
    record_event(session, job.tenant_id, "job_failed", f"job_failed:{job.id}", payload,
                 schedule_id=params.get("schedule_id"))  # fmt: skip


def list_deliveries(
    session: Session,
    tenant_id: str,
    *,
    status: str | None = None,
    channel_id: str | None = None,
    event_kind: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[Sequence[Delivery], int]:
    query = select(Delivery).where(Delivery.tenant_id == tenant_id)
    if status:
        query = query.where(Delivery.status == status)
    if channel_id:
        query = query.where(Delivery.channel_id == channel_id)
    if event_kind:
        query = query.where(Delivery.event_kind == event_kind)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Delivery.created_at.desc(), Delivery.id).limit(limit).offset(offset)).all()
    return rows, total


def get_delivery(session: Session, tenant_id: str, delivery_id: str) -> Delivery:
    row = session.scalar(select(Delivery).where(Delivery.tenant_id == tenant_id, Delivery.id == delivery_id))
    if row is None:
        raise NotFound(f"no delivery {delivery_id!r}")
    return row


def event_of(session: Session, delivery: Delivery) -> AutomationEvent:
    event = session.get(AutomationEvent, delivery.event_id)
    if event is None:
        raise NotFound(f"the event of delivery {delivery.id!r} is gone")
    return event


def replay_delivery(session: Session, tenant_id: str, delivery_id: str) -> Delivery:
    """A new pending delivery of the same event to the same channel (the original keeps its record)."""
    original = get_delivery(session, tenant_id, delivery_id)
    if original.status not in DELIVERY_FINAL:
        raise Conflict(f"delivery {delivery_id} is still {original.status}: only a delivered or dead one is replayed")
    channel = session.scalar(select(Channel).where(Channel.tenant_id == tenant_id, Channel.id == original.channel_id))
    if channel is None:
        raise Conflict(f"channel {original.channel_name!r} was deleted: there is nowhere to replay to")
    now = utcnow()
    replay = Delivery(
        id=new_id(),
        tenant_id=tenant_id,
        event_id=original.event_id,
        event_kind=original.event_kind,
        channel_id=channel.id,
        channel_name=channel.name,
        channel_kind=channel.kind,
        dedupe_key=f"replay:{new_id()}",
        status="pending",
        attempts=0,
        max_attempts=original.max_attempts,
        next_attempt_at=now,
        log=[],
        replay_of=original.id,
        created_at=now,
    )
    session.add(replay)
    session.flush()
    return replay


def claim_deliveries(session: Session, now: datetime, worker: str, lease_seconds: float, limit: int = 20) -> list[str]:
    """Take up to ``limit`` deliveries that are due (pending, retrying, or whose sender's lease ran out)."""
    candidates = session.scalars(
        select(Delivery.id)
        .where(
            or_(
                Delivery.status.in_(("pending", "retrying")) & (Delivery.next_attempt_at <= now),
                (Delivery.status == "sending") & (Delivery.lease_until < now),
            )
        )
        .order_by(Delivery.next_attempt_at)
        .limit(limit)
    ).all()
    claimed = []
    lease = now + timedelta(seconds=lease_seconds)
    for delivery_id in candidates:
        result = session.execute(
            update(Delivery)
            .where(
                Delivery.id == delivery_id,
                or_(
                    Delivery.status.in_(("pending", "retrying")) & (Delivery.next_attempt_at <= now),
                    (Delivery.status == "sending") & (Delivery.lease_until < now),
                ),
            )
            .values(status="sending", claimed_by=worker, lease_until=lease)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(delivery_id)
    return claimed


def load_delivery(session: Session, delivery_id: str) -> Delivery:
    row = session.get(Delivery, delivery_id, populate_existing=True)
    if row is None:
        raise NotFound(f"no delivery {delivery_id!r}")
    return row


def finish_attempt(
    session: Session,
    delivery_id: str,
    worker: str,
    record: dict[str, Any],
    *,
    status: str,
    next_attempt_at: datetime | None = None,
) -> bool:
    """Record one attempt (``record`` has at, status_code, error, duration_ms) and the new status;
    only the sender holding the lease may. Returns whether it did."""
    row = session.get(Delivery, delivery_id, populate_existing=True, with_for_update=True)
    if row is None or row.status != "sending" or row.claimed_by != worker:
        return False
    row.attempts = row.attempts + 1
    row.log = [*(row.log or []), {"attempt": row.attempts, **record}]
    row.last_status_code = record.get("status_code")
    row.last_error = record.get("error")
    row.status = status
    row.lease_until = None
    row.claimed_by = None
    if status in DELIVERY_FINAL:
        row.finished_at = utcnow()
    elif next_attempt_at is not None:
        row.next_attempt_at = next_attempt_at
    session.flush()
    return True
