"""Jobs: cancel within 5 s with nothing registered, and a killed worker's job re-run exactly once."""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from support import make_tenant, using_postgres, wait_for_job
from tendero.bench.server import free_port
from tendero.config import get_settings
from tendero.errors import NotFound
from tendero.store import registry as registry_rows
from tendero.store.db import session_scope


def _versions(tenant_id: str, model: str) -> int:
    with session_scope() as session:
        try:
            return registry_rows.list_versions(session, tenant_id, model)[1]
        except NotFound:
            return 0


def _artifact_folders(tenant_id: str, model: str) -> list[Path]:
    folder = Path(get_settings().artifacts) / tenant_id / model
    return sorted(folder.iterdir()) if folder.exists() else []


def test_cancel_stops_a_running_job_within_5_s_and_registers_nothing(client, tenant):
    body = {"kind": "slow", "params": {"steps": 200, "seconds_per_step": 0.1}}
    job = client.post("/v1/models/slowpoke/train", json=body, headers=tenant.headers()).json()
    deadline = time.monotonic() + 30
    while client.get(f"/v1/jobs/{job['id']}", headers=tenant.headers()).json()["progress"] < 3:
        assert time.monotonic() < deadline, "the slow job never started"
        time.sleep(0.1)
    asked = time.monotonic()
    assert client.post(f"/v1/jobs/{job['id']}/cancel", headers=tenant.headers()).status_code == 200
    done = wait_for_job(client, tenant, job["id"], timeout=10)
    assert done["status"] == "cancelled"
    assert time.monotonic() - asked < 5.0
    assert _versions(tenant.id, "slowpoke") == 0
    assert _artifact_folders(tenant.id, "slowpoke") == []


def test_a_crashed_job_process_loses_only_that_attempt(client, tenant, tmp_path):
    marker = tmp_path / "crashed"
    body = {"kind": "slow", "deploy": "always",
            "params": {"steps": 3, "seconds_per_step": 0.05, "crash_once_marker": str(marker)}}  # fmt: skip
    job = client.post("/v1/models/crashes-once/train", json=body, headers=tenant.headers()).json()
    done = wait_for_job(client, tenant, job["id"], timeout=60)
    assert marker.exists()
    assert done["status"] == "completed" and done["attempts"] == 2, done
    assert _versions(tenant.id, "crashes-once") == 1


def test_a_crash_in_native_code_names_its_signal_and_logs_the_childs_stacks(client, tenant, tmp_path, caplog):
    marker = tmp_path / "crashed"
    body = {"kind": "slow", "deploy": "always",
            "params": {"steps": 2, "seconds_per_step": 0.05, "crash_once_marker": str(marker),
                       "crash_in_native_code": True}}  # fmt: skip
    with caplog.at_level("ERROR", logger="tendero.jobs.supervisor"):
        job = client.post("/v1/models/segfaults-once/train", json=body, headers=tenant.headers()).json()
        done = wait_for_job(client, tenant, job["id"], timeout=60)
    assert done["status"] == "completed" and done["attempts"] == 2, done
    logged = "\n".join(record.getMessage() for record in caplog.records if job["id"] in record.getMessage())
    assert "died of SIGSEGV" in logged, logged
    assert "slow_kind.py" in logged and "in fit" in logged, logged  # the Python stack where the C call crashed


def test_a_dead_childs_line_says_how_it_died_in_both_languages():
    from tendero.catalogue.jobs import job_text, render_job_text
    from tendero.jobs.supervisor import death_line

    then = job_text("failure.out_of_attempts")
    killed = death_line("j1", 3, -signal.SIGKILL, then)
    assert killed == "attempt 3: the job's process was killed (SIGKILL: out of memory?); out of attempts"
    crashed = death_line("j1", 3, -signal.SIGSEGV, then)
    assert crashed == (
        "attempt 3: the job's process crashed (SIGSEGV); the trace is in the server's log (job j1); out of attempts"
    )
    assert render_job_text(crashed, "es") == (
        "intento 3: el proceso del trabajo falló (SIGSEGV); la traza está en el registro del servidor (trabajo j1); "
        "sin más intentos"
    )
    assert death_line("j1", 1, 70, job_text("failure.retried")) == (
        "attempt 1: the job's process died (exit code 70); it will be retried"
    )


def test_cancel_of_a_pending_job_is_immediate(client, tenant):
    from tendero.jobs.runner import get_runner
    from tendero.store import jobs as job_rows

    runner = get_runner()
    runner.stop()  # the embedded runner polls the table: it could claim the job before the cancel
    try:
        with session_scope() as session:
            job, _ = job_rows.submit_job(session, tenant.id, "train", {"model": "x", "kind": "slow"})
            job_id = job.id
        answer = client.post(f"/v1/jobs/{job_id}/cancel", headers=tenant.headers()).json()
    finally:
        runner.start()
    assert answer["status"] == "cancelled"


def _start_server(port: int, extra_env: dict[str, str]) -> subprocess.Popen[bytes]:
    env = {**os.environ, **extra_env}
    return subprocess.Popen(
        [sys.executable, "-m", "tendero.cli", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip


def _start_worker(log_path: Path) -> subprocess.Popen[bytes]:
    # INFO: the log is quoted when a test fails
    env = {**os.environ, "TENDERO_JOB_RUNNER": "procrastinate", "TENDERO_LOG_LEVEL": "INFO"}
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "tendero.cli", "worker"],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def _log_tails(paths: list[Path]) -> str:
    """The end of each worker's log, for a failure message that says what the workers did."""
    return "\n".join(f"--- {path.name}:\n" + path.read_text(errors="replace")[-4000:] for path in paths)


def _wait_ready(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("server did not become ready")


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)


def _job_row(job_id: str):  # type: ignore[no-untyped-def]
    from tendero.store import jobs as job_rows

    with session_scope() as session:
        job = job_rows.load_job(session, job_id)
        session.expunge(job)
        return job


def _assert_recovered_once(tenant, job_id: str, killed_pid: int) -> None:  # type: ignore[no-untyped-def]
    killed_at = time.monotonic()
    while True:
        job = _job_row(job_id)
        if job.status in ("completed", "failed"):
            break
        assert time.monotonic() - killed_at < 60, f"job stuck {job.status} after its worker was killed"
        time.sleep(0.25)
    assert time.monotonic() - killed_at < 30 + 10, "recovery took longer than 30 s (plus the re-run)"
    assert job.status == "completed", job.error
    assert job.attempts == 2
    assert _versions(tenant.id, "crashy") == 1
    assert len(_artifact_folders(tenant.id, "crashy")) == 1
    work = Path(get_settings().home) / "work" / job_id
    deadline = time.monotonic() + 5  # the supervisor sweeps the job's work folder after its child exits
    while work.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not work.exists()


def _run_until_running(job_id: str) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job = _job_row(job_id)
        if job.status == "running" and job.progress >= 10:
            return job.worker or ""
        time.sleep(0.1)
    raise AssertionError("job did not start")


@pytest.mark.slow
def test_killed_api_process_job_is_rerun_by_another_exactly_once():
    """Embedded runner: two API processes share the database; SIGKILL the one running the job."""
    from tendero.jobs.runner import get_runner

    tenant = make_tenant("crash")
    embedded = get_runner()
    embedded.stop()  # only the two server processes may take the job
    ports = [free_port(), free_port()]
    servers = [_start_server(port, {}) for port in ports]
    try:
        for port in ports:
            _wait_ready(port)
        body = {"kind": "slow", "params": {"steps": 30, "seconds_per_step": 0.2}}
        answer = httpx.post(f"http://127.0.0.1:{ports[0]}/v1/models/crashy/train", json=body,
                            headers=tenant.headers(), timeout=10).json()  # fmt: skip
        worker = _run_until_running(answer["id"])
        victim = next((s for s in servers if worker.endswith(f":{s.pid}")), None)
        assert victim is not None, f"job run by {worker!r}, servers are {[s.pid for s in servers]}"
        _kill_group(victim)
        _assert_recovered_once(tenant, answer["id"], victim.pid)
    finally:
        for server in servers:
            _kill_group(server)
        embedded.start()


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.skipif(not using_postgres(), reason="Procrastinate needs PostgreSQL (set TENDERO_TEST_DATABASE_URL)")
def test_killed_procrastinate_worker_job_is_rerun_by_the_other_worker(tmp_path):
    from tendero.jobs.distributed import ProcrastinateRunner
    from tendero.jobs.runner import get_runner
    from tendero.registry.service import OPERATOR, submit_training

    tenant = make_tenant("scale")
    embedded = get_runner()
    embedded.stop()  # the test app's embedded runner must not take the job: only the two workers may
    logs = [tmp_path / "worker-0.log", tmp_path / "worker-1.log"]
    workers = [_start_worker(path) for path in logs]
    runner = ProcrastinateRunner()
    try:
        runner.start()
        with session_scope() as session:
            job, _ = submit_training(
                session, tenant.id, {"model": "crashy", "kind": "slow",
                                     "params": {"steps": 30, "seconds_per_step": 0.2}, "deploy": "always"},
                role=OPERATOR,
            )  # fmt: skip
            job_id = job.id
        runner.notify(job_id)
        worker = _run_until_running(job_id)
        victim = next((w for w in workers if worker.endswith(f":{w.pid}")), None)
        assert victim is not None, f"job run by {worker!r}, workers are {[w.pid for w in workers]}"
        _kill_group(victim)
        try:
            _assert_recovered_once(tenant, job_id, victim.pid)
        except AssertionError as failure:
            raise AssertionError(f"{failure}\n{_log_tails(logs)}") from failure
    finally:
        runner.stop()
        for worker_process in workers:
            _kill_group(worker_process)
        embedded.start()


def test_procrastinate_recovery_runs_every_few_seconds():
    """The lease recovery must run within seconds of a lease expiring, not once every few minutes."""
    from datetime import datetime

    from croniter import croniter

    from tendero.jobs.distributed import app

    periodic = app.periodic_registry.periodic_tasks[("tendero.recover_jobs", "")]
    schedule = croniter(periodic.cron, datetime(2026, 1, 1, 10, 2, 30))
    runs = [schedule.get_next(datetime) for _ in range(5)]
    gaps = {(later - earlier).total_seconds() for earlier, later in itertools.pairwise(runs)}
    assert gaps == {3.0}, runs


@pytest.mark.postgres
@pytest.mark.skipif(not using_postgres(), reason="Procrastinate needs PostgreSQL (set TENDERO_TEST_DATABASE_URL)")
def test_a_crashed_job_process_on_a_procrastinate_worker_is_retried_by_it(tmp_path):
    from tendero.jobs.distributed import ProcrastinateRunner
    from tendero.jobs.runner import get_runner
    from tendero.registry.service import OPERATOR, submit_training

    tenant = make_tenant("crashes")
    embedded = get_runner()
    embedded.stop()
    log_path = tmp_path / "worker.log"
    worker_process = _start_worker(log_path)
    runner = ProcrastinateRunner()
    marker = tmp_path / "crashed"
    try:
        runner.start()
        with session_scope() as session:
            job, _ = submit_training(
                session, tenant.id, {"model": "crashes-once", "kind": "slow", "deploy": "always", "params": {
                    "steps": 3, "seconds_per_step": 0.05, "crash_once_marker": str(marker)}},
                role=OPERATOR,
            )  # fmt: skip
            job_id = job.id
        runner.notify(job_id)
        deadline = time.monotonic() + 60
        while (job := _job_row(job_id)).status not in ("completed", "failed"):
            assert time.monotonic() < deadline, f"job stuck {job.status}\n{_log_tails([log_path])}"
            time.sleep(0.2)
        assert marker.exists()
        assert job.status == "completed" and job.attempts == 2, f"{job.error}\n{_log_tails([log_path])}"
        assert _versions(tenant.id, "crashes-once") == 1
    finally:
        runner.stop()
        _kill_group(worker_process)
        embedded.start()
