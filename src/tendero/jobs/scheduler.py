"""The scheduler: every API process and every worker claims due schedule times and queues their jobs.

Exactly one run per due time, with any number of processes: claiming a due time is one compare-and-set
UPDATE of the schedule's ``next_due_at`` (and ``revision``), in the same transaction as the run row
(unique per schedule, trigger and due time) and its job. Two processes that race both try; one sees the
row change, the other sees nothing to change. A process killed before its commit claimed nothing, so
another claims the time on its next tick; killed after, the job is in the table and the runners' lease
recovery carries it. Due times missed while nothing was running are run once, not once each: the run
covers them all (``missed`` counts the earlier ones).

The clock is injected (``SchedulerLoop(clock=...)``, ``claim_due(now=...)``), so a simulation can move
time as fast as it likes. Besides schedules, the loop runs the duties other layers register by path
(the delivery outbox's sender), each in its own thread, so a slow webhook never delays a claim.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from tendero.config import get_settings
from tendero.jobs import cron
from tendero.store import automation as automation_rows
from tendero.store import jobs as job_rows
from tendero.store import retention as retention_rows
from tendero.store.db import session_scope
from tendero.store.tables import utcnow

log = logging.getLogger(__name__)

SCHEDULE_JOB = "schedule"
RETENTION_JOB = "retention"
RETENTION_TASK = "retention"
RETENTION_CRON = "17 3 * * *"  # every day at 03:17 UTC
MAX_COVERED = 10_000  # due times counted one by one after downtime; beyond that the run says "at least"
# duties run beside the schedule claims: name -> "module:function" taking (now, worker)
DUTIES: dict[str, str] = {
    "deliveries": "tendero.services.deliveries:send_due",
}

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Claimed:
    """A due time this process claimed, and the job that carries it."""

    schedule_id: str
    tenant_id: str
    run_id: str
    job_id: str
    due_at: datetime
    missed: int


def queue_run(
    session: Session,
    schedule: Any,
    trigger: str,
    due_at: datetime,
    *,
    claimed_by: str = "",
    missed: int = 0,
    first_missed_at: datetime | None = None,
    extra: dict[str, Any] | None = None,
) -> tuple[Any, Any] | None:
    """A run of ``schedule`` and its job, in the caller's transaction; None when this (trigger, due time)
    already has a run. The runner must be told after the commit (``notify``)."""
    run = automation_rows.add_run(
        session,
        schedule.id,
        schedule.tenant_id,
        trigger,
        due_at,
        missed=missed,
        first_missed_at=first_missed_at,
        claimed_by=claimed_by,
    )
    if run is None:
        return None
    params = {
        **(schedule.params or {}),
        "schedule_id": schedule.id,
        "schedule": schedule.name,
        "run_id": run.id,
        "action": schedule.action,
        "trigger": trigger,
        "due_at": due_at.isoformat(),
        "missed": missed,
        "channels": list(schedule.channels or []),
        **(extra or {}),
    }
    job, _ = job_rows.submit_job(
        session,
        schedule.tenant_id,
        SCHEDULE_JOB,
        params,
        idempotency_key=f"schedule-run:{run.id}",
        max_attempts=get_settings().job_attempts,
    )
    run.job_id = job.id
    session.flush()
    return run, job


def covered_times(first: datetime, cron_text: str, timezone: str, now: datetime) -> tuple[list[datetime], datetime]:
    """Due times from ``first`` up to ``now`` (at most ``MAX_COVERED``), and the next one after ``now``."""
    covered = [first]
    for due in cron.due_times(cron_text, timezone, first):
        if due > now:
            return covered, due
        covered.append(due)
        if len(covered) >= MAX_COVERED:
            break
    return covered, cron.next_due(cron_text, timezone, now)


def claim_due(now: datetime, worker: str, *, limit: int = 200) -> list[Claimed]:
    """Claim every due time that has come, queue a job per claim, and return what this process claimed."""
    with session_scope() as session:
        due = automation_rows.due_schedules(session, now, limit)
    claimed = []
    for item in due:
        try:
            one = _claim_one(item, now, worker)
        except Exception:  # a lost race on SQLite ("database is locked") or a bad row: the next tick retries
            log.warning(
                "claim of schedule %s at %s failed; retried next tick", item.id, item.next_due_at, exc_info=True
            )
            continue
        if one is not None:
            claimed.append(one)
    return claimed


def _claim_one(item: automation_rows.DueSchedule, now: datetime, worker: str) -> Claimed | None:
    covered, following = covered_times(item.next_due_at, item.cron, item.timezone, now)
    latest = covered[-1]
    with session_scope() as session:
        if not automation_rows.claim_due_time(session, item, following, latest):
            return None
        schedule = automation_rows.get_schedule(session, item.tenant_id, item.id)
        queued = queue_run(
            session,
            schedule,
            "cron",
            latest,
            claimed_by=worker,
            missed=len(covered) - 1,
            first_missed_at=covered[0] if len(covered) > 1 else None,
        )
        if queued is None:  # impossible after a won compare-and-set; the unique run is the last line of defence
            return None
        run, job = queued
        result = Claimed(item.id, item.tenant_id, run.id, job.id, latest, len(covered) - 1)
    return result


def sweep_retention(now: datetime, worker: str) -> list[str]:
    """The installation's daily retention sweep: when its due time is claimed, one retention job per tenant
    that has rows older than its retention. Returns the jobs queued."""
    settings = get_settings()
    with session_scope() as session:
        task = retention_rows.ensure_system_task(
            session, RETENTION_TASK, RETENTION_CRON, cron.next_due(RETENTION_CRON, "UTC", now)
        )
        if task.next_due_at > now:
            return []
        following = cron.next_due(task.cron, "UTC", now)
        if not retention_rows.claim_system_task(session, task, following, task.next_due_at):
            return []
        day = task.next_due_at.date().isoformat()
        queued = []
        for tenant_id, days in retention_rows.tenants_with_old_rows(session, now, settings.retention_days):
            job, created = job_rows.submit_job(
                session,
                tenant_id,
                RETENTION_JOB,
                {"days": days, "trigger": "daily sweep", "day": day},
                idempotency_key=f"retention:{day}",
                max_attempts=settings.job_attempts,
            )
            if created:
                queued.append(job.id)
    return queued


def _notify(job_ids: list[str]) -> None:
    from tendero.jobs.runner import get_runner

    runner = get_runner()
    for job_id in job_ids:
        try:
            runner.notify(job_id)
        except Exception:  # the job is in the table: a poll or the recovery sweep will carry it
            log.warning("could not notify the runner of job %s", job_id, exc_info=True)


def resolve_duty(path: str) -> Callable[[datetime, str], Any]:
    module_name, attribute = path.split(":")
    return getattr(importlib.import_module(module_name), attribute)


class SchedulerLoop:
    """Threads that tick: one claims schedules (and the retention sweep), one per registered duty."""

    def __init__(
        self,
        clock: Clock = utcnow,
        interval: float | None = None,
        worker: str | None = None,
        duties: tuple[str, ...] | None = None,
    ) -> None:
        from tendero.jobs.runner import worker_name

        self.clock = clock
        self.interval = interval if interval is not None else get_settings().scheduler_interval_seconds
        self.worker = worker or worker_name()
        self.duties = tuple(DUTIES) if duties is None else duties
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.claimed = 0

    def start(self) -> None:
        self._stop.clear()
        targets: list[tuple[str, Callable[[], Any]]] = [("schedules", self.tick)]
        for name in self.duties:
            duty = resolve_duty(DUTIES[name])
            targets.append((name, lambda duty=duty: duty(self.clock(), self.worker)))
        for name, target in targets:
            thread = threading.Thread(target=self._loop, args=(name, target), name=f"tendero-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(15)
        self._threads = []

    def healthy(self) -> bool:
        return bool(self._threads) and all(thread.is_alive() for thread in self._threads)

    def tick(self) -> list[Claimed]:
        """One pass: claim what is due now and tell the runner about the jobs queued."""
        now = self.clock()
        claimed = claim_due(now, self.worker)
        self.claimed += len(claimed)
        queued = [c.job_id for c in claimed] + sweep_retention(now, self.worker)
        _notify(queued)
        return claimed

    def _loop(self, name: str, target: Callable[[], Any]) -> None:
        while not self._stop.is_set():
            try:
                target()
            except Exception:  # keep ticking through database hiccups
                log.exception("scheduler duty %s failed; it runs again next tick", name)
            self._stop.wait(self.interval)


_loop: SchedulerLoop | None = None
_users = 0  # apps (and workers) of this process that started the loop and have not stopped it yet
_users_lock = threading.Lock()


def start_scheduler() -> SchedulerLoop | None:
    """The process's scheduler, started once when the settings turn it on (the default); every caller
    (an app's lifespan, a worker) holds it until its own ``stop_scheduler``."""
    global _loop, _users
    if not get_settings().scheduler:
        return None
    with _users_lock:
        _users += 1
        if _loop is None:
            _loop = SchedulerLoop()
            _loop.start()
        return _loop


def stop_scheduler() -> None:
    """Release this caller's hold; the loop stops when no app of the process holds it any more."""
    global _loop, _users
    with _users_lock:
        _users = max(0, _users - 1)
        if _users > 0 or _loop is None:
            return
        loop, _loop = _loop, None
    loop.stop()
