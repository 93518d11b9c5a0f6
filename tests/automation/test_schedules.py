"""Schedules: the API (cron in a time zone, next runs, history), exactly one run per due time with processes
that race and die, and due times missed during downtime run once."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from automation_support import wait_for

from support import make_tenant, using_postgres, wait_for_job
from tendero.bench.server import free_port
from tendero.jobs import cron, scheduler
from tendero.jobs.scheduler import SchedulerLoop, covered_times, start_scheduler
from tendero.store import automation as rows
from tendero.store.automation_tables import Schedule, ScheduleRun
from tendero.store.db import session_scope

HERE = Path(__file__).resolve().parent


def _create(client, tenant, **body) -> dict:
    body = {"name": "weekly", "cron": "0 8 * * 1", "timezone": "Europe/Madrid", "action": "drift_check", **body}
    answer = client.post("/v1/schedules", json=body, headers=tenant.headers())
    assert answer.status_code == 201, answer.text
    return answer.json()


def stop_scheduler() -> None:
    """Stop this process's scheduler (the session app is its only holder), so that only the test claims."""
    scheduler.stop_scheduler()
    assert scheduler._loop is None, "another app of this process still holds the scheduler"


def _set_next_due(schedule_id: str, when: datetime) -> None:
    with session_scope() as session:
        row = session.get(Schedule, schedule_id)
        row.next_due_at = when
        row.revision += 1


def _runs(schedule_id: str) -> list[ScheduleRun]:
    with session_scope() as session:
        found = session.query(ScheduleRun).filter(ScheduleRun.schedule_id == schedule_id).all()
        for run in found:
            session.expunge(run)
        return found


def test_a_schedule_reads_its_cron_in_its_time_zone_and_shows_the_next_runs(client, tenant):
    made = _create(client, tenant)
    assert made["description"] and len(made["next_runs"]) == 5
    for upcoming in made["next_runs"]:
        local = datetime.fromisoformat(upcoming["local"])
        assert (local.hour, local.minute, local.weekday()) == (8, 0, 0)  # Monday 08:00 in Madrid
        assert datetime.fromisoformat(upcoming["at"]).hour in (6, 7)  # 07:00 UTC in winter, 06:00 in summer
    assert made["next_run_at"] == made["next_runs"][0]["at"]
    monthly = {"cron": "30 6 1 * *", "timezone": "America/Mexico_City"}
    changed = client.patch(f"/v1/schedules/{made['id']}", json=monthly, headers=tenant.headers()).json()
    local = datetime.fromisoformat(changed["next_runs"][0]["local"])
    assert (local.day, local.hour, local.minute) == (1, 6, 30) and local.utcoffset() == timedelta(hours=-6)
    listed = client.get("/v1/schedules", headers=tenant.headers()).json()
    assert [s["id"] for s in listed["items"]] == [made["id"]] and listed["total"] == 1
    off = client.patch(f"/v1/schedules/{made['id']}", json={"enabled": False}, headers=tenant.headers()).json()
    assert off["next_run_at"] is None and off["next_runs"] == []
    assert client.delete(f"/v1/schedules/{made['id']}", headers=tenant.headers()).status_code == 204
    assert client.get(f"/v1/schedules/{made['id']}", headers=tenant.headers()).status_code == 404


@pytest.mark.parametrize(
    "body,field",
    [
        ({"cron": "0 8 * *"}, "body.cron"),
        ({"cron": "61 8 * * *"}, "body.cron"),
        ({"timezone": "Europe/Atlantis"}, "body.timezone"),
        ({"action": "retrain", "params": {}}, "body.params.model"),
        ({"action": "churn_risk", "params": {"min_probability": 1.5}}, "body.params.min_probability"),
        ({"channels": ["no-such-channel"]}, "body.channels.0"),
    ],
)
def test_bad_schedules_are_refused_naming_the_field(client, tenant, body, field):
    answer = client.post("/v1/schedules", headers=tenant.headers(),
                         json={"name": "bad", "cron": "0 8 * * 1", "action": "drift_check", **body})  # fmt: skip
    assert answer.status_code == 422, answer.text
    assert field in [error["field"] for error in answer.json()["errors"]], answer.text


def test_only_admins_and_analysts_see_or_define_schedules_and_only_admins_set_retention(client, tenant):
    made = _create(client, tenant, name="roles")
    service = tenant.headers("service")
    assert client.post("/v1/schedules", json={"name": "x", "cron": "@daily", "action": "drift_check"},
                       headers=service).status_code == 403  # fmt: skip
    assert client.get(f"/v1/schedules/{made['id']}", headers=service).status_code == 403
    assert client.get(f"/v1/schedules/{made['id']}", headers=tenant.headers("analyst")).status_code == 200
    assert client.patch("/v1/retention", json={"days": 30}, headers=tenant.headers("analyst")).status_code == 403


def test_due_times_missed_while_nothing_ran_are_run_once():
    tenant = make_tenant("downtime")
    start = datetime(2026, 3, 2, 9, 0, 30, tzinfo=UTC)
    with session_scope() as session:
        schedule = rows.create_schedule(
            session, tenant.id, name="hourly", action="drift_check", params={}, cron="0 * * * *", timezone="UTC",
            enabled=True, channels=[], next_due_at=cron.next_due("0 * * * *", "UTC", start), revision=0,
        )  # fmt: skip
        schedule_id = schedule.id
    loop = SchedulerLoop(clock=lambda: start + timedelta(hours=3, minutes=20), worker="after-downtime", duties=())
    claimed = [c for c in loop.tick() if c.schedule_id == schedule_id]
    assert len(claimed) == 1 and claimed[0].missed == 2  # 10:00, 11:00 and 12:00 came: one run covers them
    assert claimed[0].due_at == datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    again = SchedulerLoop(clock=loop.clock, worker="second-process", duties=())
    assert [c for c in again.tick() if c.schedule_id == schedule_id] == []
    (run,) = _runs(schedule_id)
    assert run.first_missed_at == datetime(2026, 3, 2, 10, 0, tzinfo=UTC) and run.missed == 2
    with session_scope() as session:
        assert session.get(Schedule, schedule_id).next_due_at == datetime(2026, 3, 2, 13, 0, tzinfo=UTC)


def test_a_daily_schedule_across_the_daylight_saving_change_runs_once_a_day():
    """Madrid moves 02:00 -> 03:00 on 29 March 2026 and 03:00 -> 02:00 on 25 October."""
    spring = cron.upcoming("30 2 * * *", "Europe/Madrid", datetime(2026, 3, 27, 12, tzinfo=UTC), 4)
    assert [d.day for d in spring] == [28, 29, 30, 31]  # the skipped 02:30 runs once (at 03:00 local)
    autumn = cron.upcoming("30 2 * * *", "Europe/Madrid", datetime(2026, 10, 24, 12, tzinfo=UTC), 3)
    assert [d.day for d in autumn] == [25, 26, 27]  # the repeated 02:30 runs once
    times, following = covered_times(spring[0], "30 2 * * *", "Europe/Madrid", spring[-1])
    assert times == spring and following > spring[-1]


def test_a_schedule_changed_while_a_claim_is_computed_is_not_claimed_with_the_old_time(client, tenant):
    made = _create(client, tenant, name="changing", cron="* * * * *", timezone="UTC")
    due_at = datetime.now(UTC) - timedelta(seconds=5)
    stop_scheduler()  # this test claims by hand
    try:
        _set_next_due(made["id"], due_at)
        with session_scope() as session:
            (stale,) = [d for d in rows.due_schedules(session, datetime.now(UTC)) if d.id == made["id"]]
        client.patch(f"/v1/schedules/{made['id']}", json={"cron": "0 0 1 1 *"}, headers=tenant.headers())
        with session_scope() as session:
            assert not rows.claim_due_time(session, stale, due_at + timedelta(minutes=1), due_at)
        assert _runs(made["id"]) == []
    finally:
        start_scheduler()


def test_run_now_runs_once_and_keeps_the_history(client, tenant):
    made = _create(client, tenant, name="manual")
    run = client.post(f"/v1/schedules/{made['id']}/run", headers=tenant.headers())
    assert run.status_code == 202, run.text
    job = wait_for_job(client, tenant, run.json()["job_id"])
    assert job["status"] == "completed", job
    history = client.get(f"/v1/schedules/{made['id']}/runs", headers=tenant.headers()).json()
    assert [r["trigger"] for r in history["items"]] == ["manual"] and history["items"][0]["status"] == "completed"
    assert history["items"][0]["summary"] == "0 forecasts checked, 0 drifted"
    shown = client.get(f"/v1/schedules/{made['id']}", headers=tenant.headers()).json()
    assert shown["last_run"]["id"] == run.json()["id"]
    assert (
        client.get(f"/v1/schedules/{made['id']}", headers=tenant.headers()).json()["next_run_at"] == made["next_run_at"]
    )


# ---- processes that race and die ------------------------------------------------------------------------------


def _kill(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)


@contextlib.contextmanager
def _own_database(tmp_path: Path):
    """A database of the simulation's own (so that the suite's runner never sees its jobs), as a URL."""
    admin = os.environ.get("TENDERO_TEST_DATABASE_URL", "")
    if not admin:
        yield f"sqlite:///{tmp_path / 'simulation.db'}"
        return
    import psycopg

    name = f"tendero_sim_{os.getpid()}_{random.randrange(10**6)}"
    with psycopg.connect(admin.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{admin.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin.replace("+psycopg", ""), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _clock_process(env: dict[str, str], *args: str, wait: bool = True) -> subprocess.Popen | str:
    command = [sys.executable, str(HERE / "scheduler_clock.py"), *args]
    if wait:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # fmt: skip


def test_a_thousand_due_times_with_racing_processes_killed_at_random_run_once_each(tmp_path):
    """20 minutely schedules over 50 simulated minutes (1,000 due times), three scheduler processes on a clock
    60x fast, one of them SIGKILLed every 1-3 s (sometimes all are down): every due time is covered
    by exactly one run (a run after downtime covers the due times it missed), and every run has one job."""
    schedules, minutes, speed = 20, 50, 60.0
    rng = random.Random(20)
    t0 = datetime(2026, 3, 29, 0, 30, 30, tzinfo=UTC)  # Madrid's clocks jump at 01:00 UTC in the middle
    until = t0 + timedelta(minutes=minutes)
    with _own_database(tmp_path) as url:
        env = {**os.environ, "TENDERO_DATABASE_URL": url, "TENDERO_LOG_LEVEL": "ERROR"}
        _clock_process(env, "setup", str(schedules), t0.isoformat())
        wall0 = time.time() + 1.0
        args = (t0.isoformat(), str(wall0), str(speed), until.isoformat())
        alive = {f"w{i}": _clock_process(env, "tick", f"w{i}", *args, wait=False) for i in range(3)}
        kills = 0
        generation = 0
        end_wall = wall0 + minutes * 60 / speed
        try:
            while time.time() < end_wall:
                time.sleep(rng.uniform(1.0, 3.0))
                running = [name for name, p in alive.items() if p.poll() is None]
                if running:
                    _kill(alive[rng.choice(running)])
                    kills += 1
                if rng.random() < 0.3:  # now and then every process is down for a while
                    for name in running:
                        _kill(alive[name])
                    time.sleep(rng.uniform(0.5, 2.0))
                generation += 1
                for name in [n for n, p in alive.items() if p.poll() is not None]:
                    alive[name] = _clock_process(env, "tick", f"{name}.{generation}", *args, wait=False)
            for process in alive.values():  # past the end, each makes one last claim and exits
                process.wait(120)
        finally:
            for process in alive.values():
                _kill(process)
        _clock_process(env, "tick", "after-the-end", until.isoformat(), str(time.time()), "1", until.isoformat())
        report = json.loads(str(_clock_process(env, "report")))
    expected = list(itertools.takewhile(lambda d: d <= until, cron.due_times("* * * * *", "Europe/Madrid", t0)))
    assert len(expected) == minutes
    covered: dict[str, list[datetime]] = {sid: [] for sid in report["schedules"]}
    for run in report["runs"]:
        due = datetime.fromisoformat(run["due_at"])
        first = datetime.fromisoformat(run["first_missed_at"]) if run["first_missed_at"] else due
        span = [d for d in expected if first <= d <= due]
        assert len(span) == run["missed"] + 1, run
        covered[run["schedule_id"]] += span
    duplicates = sum(len(times) - len(set(times)) for times in covered.values())
    lost = sum(len(set(expected) - set(times)) for times in covered.values())
    coalesced = sum(run["missed"] for run in report["runs"])
    print(f"due times {schedules * minutes}, runs {len(report['runs'])}, kills {kills}, coalesced {coalesced}, "
          f"duplicates {duplicates}, lost {lost}")  # fmt: skip
    assert schedules * minutes == 1000 and duplicates == 0 and lost == 0
    assert kills >= 10
    job_keys = [job["key"] for job in report["jobs"]]
    assert len(job_keys) == len(report["runs"]) == len(set(job_keys))
    assert {job["id"] for job in report["jobs"]} == {run["job_id"] for run in report["runs"]}
    assert len({run["claimed_by"] for run in report["runs"]}) > 3  # many processes claimed, racing


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "tendero.cli", *command], env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip


def _ready(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.mark.slow
def test_two_processes_racing_for_the_same_due_times_run_each_once(client, tmp_path):
    """Real processes on the real clock: on SQLite two API processes (the embedded runner), on PostgreSQL two
    Procrastinate workers; eight schedules come due at the same instant; each due time runs exactly once."""
    from tendero.jobs.runner import get_runner

    tenant = make_tenant("race")
    made = [_create(client, tenant, name=f"race-{i}", cron="*/5 * * * *", timezone="UTC") for i in range(8)]
    env = {**os.environ, "TENDERO_SCHEDULER_INTERVAL_SECONDS": "0.2", "TENDERO_LOG_LEVEL": "INFO"}
    embedded = get_runner()
    stop_scheduler()  # only the two processes may claim
    embedded.stop()
    logs = [tmp_path / "racer-0.log", tmp_path / "racer-1.log"]
    if using_postgres():
        env["TENDERO_JOB_RUNNER"] = "procrastinate"
        racers = [_start(["worker"], env, log) for log in logs]
        # a worker has no readiness probe: its log says when it listens
        wait_for(lambda: all(b"Starting worker" in log.read_bytes() for log in logs), 90, "both workers to start")
    else:
        ports = [free_port(), free_port()]
        racers = [_start(["serve", "--port", str(port)], env, log) for port, log in zip(ports, logs, strict=True)]
        wait_for(lambda: all(_ready(port) for port in ports), 90, "both API processes to be ready")
    try:
        due_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
        for schedule in made:
            _set_next_due(schedule["id"], due_at)
        wait_for(lambda: all(_runs(s["id"]) for s in made), 60, "every schedule to be claimed")

        def finished() -> bool:
            return all(wait_for_job(client, tenant, r.job_id, 120)["status"] == "completed"
                       for s in made for r in _runs(s["id"]))  # fmt: skip

        wait_for(finished, 180, "every run's job to complete")
    except AssertionError as failure:
        tails = "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for log in logs)
        raise AssertionError(f"{failure}\n{tails}") from failure
    finally:
        for racer in racers:
            _kill(racer)
        embedded.start()
        start_scheduler()
    claimers = set()
    for schedule in made:
        at_due = [r for r in _runs(schedule["id"]) if r.due_at == due_at]
        assert len(at_due) == 1, [(r.due_at, r.claimed_by) for r in _runs(schedule["id"])]
        claimers.add(at_due[0].claimed_by)
        job = wait_for_job(client, tenant, at_due[0].job_id)
        assert job["status"] == "completed" and job["attempts"] == 1
    print(f"claimed by {sorted(claimers)}")


def test_an_api_restart_between_a_due_time_and_its_run_runs_it_once(client, tmp_path):
    """The API process dies; the due time passes while it is down; the next process start runs it once."""
    from tendero.jobs.runner import get_runner

    tenant = make_tenant("restart")
    made = _create(client, tenant, name="restart", cron="0 0 1 1 *", timezone="UTC")  # due only when the test says
    embedded = get_runner()
    stop_scheduler()
    embedded.stop()
    env = {**os.environ, "TENDERO_SCHEDULER_INTERVAL_SECONDS": "0.2", "TENDERO_JOB_RUNNER": "inprocess"}
    port = free_port()
    first = _start(["serve", "--port", str(port)], env, tmp_path / "first.log")
    try:
        wait_for(lambda: _ready(port), 90, "the first API process")
        _kill(first)  # the API goes down ...
        due_at = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)
        _set_next_due(made["id"], due_at)  # ... and its due time comes while it is down
        second = _start(["serve", "--port", str(port)], env, tmp_path / "second.log")
        try:
            wait_for(lambda: _ready(port), 90, "the restarted API process")
            (run,) = wait_for(lambda: _runs(made["id"]), 30, "the missed due time to be claimed")
            assert wait_for_job(client, tenant, run.job_id, 120)["status"] == "completed"
            assert run.due_at == due_at and run.trigger == "cron"
        finally:
            _kill(second)
    finally:
        _kill(first)
        embedded.start()
        start_scheduler()
    assert len(_runs(made["id"])) == 1


def test_a_field_sent_as_null_is_left_as_it_is(client, tenant, receiver):
    made = _create(client, tenant, name="nulls")
    patched = client.patch(f"/v1/schedules/{made['id']}", headers=tenant.headers(),
                           json={"channels": None, "timezone": None, "params": None, "enabled": False})  # fmt: skip
    assert patched.status_code == 200, patched.text
    assert patched.json()["timezone"] == "Europe/Madrid" and patched.json()["enabled"] is False
    channel = client.post("/v1/channels", headers=tenant.headers(), json={"name": "nulls", "kind": "webhook",
                          "webhook": {"url": receiver.url, "secret": receiver.secret}}).json()  # fmt: skip
    changed = client.patch(f"/v1/channels/{channel['id']}", headers=tenant.headers(),
                           json={"name": None, "events": None, "enabled": None, "language": "en"})  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == "nulls" and changed.json()["language"] == "en" and changed.json()["enabled"]
