"""A scheduler process on a fast clock, for the simulation test (run as a script, one process per call).

    python scheduler_clock.py setup SCHEDULES T0         migrate, make a tenant and SCHEDULES minutely schedules
    python scheduler_clock.py tick WORKER T0 WALL0 SPEED UNTIL
                                                         claim due times with the clock T0 + (now - WALL0) x SPEED
                                                         until it reaches UNTIL (one last claim at UNTIL)
    python scheduler_clock.py report                     print every schedule's runs and their jobs as JSON

The database is the one ``TENDERO_DATABASE_URL`` names: the test gives these processes one of their own.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime, timedelta


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def setup(count: int, t0: datetime) -> None:
    from tendero.jobs import cron
    from tendero.store import automation as rows
    from tendero.store import tenants
    from tendero.store.db import session_scope
    from tendero.store.migrate import upgrade_database

    upgrade_database()
    with session_scope() as session:
        tenant, _ = tenants.create_tenant(session, "simulated-shop")
        for index in range(count):
            rows.create_schedule(
                session, tenant.id, name=f"every-minute-{index:02d}", action="drift_check", params={},
                cron="* * * * *", timezone="Europe/Madrid", enabled=True, channels=[],
                next_due_at=cron.next_due("* * * * *", "Europe/Madrid", t0), revision=0,
            )  # fmt: skip


def tick(worker: str, t0: datetime, wall0: float, speed: float, until: datetime) -> None:
    from tendero.jobs.scheduler import claim_due

    while True:
        now = min(until, t0 + timedelta(seconds=(time.time() - wall0) * speed))
        claim_due(now, worker)
        if now >= until:
            return
        time.sleep(0.01)  # the loop's tick interval (the real loop waits TENDERO_SCHEDULER_INTERVAL_SECONDS)


def report() -> None:
    from sqlalchemy import select

    from tendero.store.automation_tables import Schedule, ScheduleRun
    from tendero.store.db import session_scope
    from tendero.store.tables import Job

    with session_scope() as session:
        schedules = {s.id: s.name for s in session.scalars(select(Schedule))}
        runs = session.scalars(select(ScheduleRun).order_by(ScheduleRun.due_at)).all()
        jobs = session.execute(select(Job.id, Job.idempotency_key)).all()
        out = {
            "schedules": schedules,
            "runs": [
                {
                    "schedule_id": r.schedule_id,
                    "due_at": r.due_at.isoformat(),
                    "missed": r.missed,
                    "job_id": r.job_id,
                    "first_missed_at": r.first_missed_at.isoformat() if r.first_missed_at else None,
                    "claimed_by": r.claimed_by,
                    "trigger": r.trigger,
                }
                for r in runs
            ],
            "jobs": [{"id": j, "key": k} for j, k in jobs],
        }
    print(json.dumps(out))


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "setup":
        setup(int(args[0]), _at(args[1]))
    elif command == "tick":
        tick(args[0], _at(args[1]), float(args[2]), float(args[3]), _at(args[4]))
    elif command == "report":
        report()
    else:
        raise SystemExit(f"unknown command {command!r}")
