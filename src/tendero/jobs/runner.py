"""Runners carry jobs to a supervisor that runs each attempt in a spawned child process.

The supervisor holds the job's lease while the child lives, kills the child on cancel, and finishes
the attempt if the child dies without doing so (killed for memory, say). A supervisor that dies
itself stops renewing the lease; ``recover_expired`` then re-queues the job for another attempt.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import threading
import time
from typing import Protocol

from tendero.config import get_settings
from tendero.jobs.execute import run_in_child
from tendero.observability import metrics
from tendero.store import automation as automation_rows
from tendero.store import jobs as job_rows
from tendero.store.db import session_scope

log = logging.getLogger(__name__)

CANCEL_GRACE_SECONDS = 2.0
POLL_SECONDS = 0.25


class Runner(Protocol):
    """Transport for jobs: the state is always in the ``jobs`` table, whatever carries it."""

    name: str

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def notify(self, job_id: str) -> None:
        """A job was queued: run it soon."""
        ...

    def healthy(self) -> bool: ...


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def supervise(job_id: str, worker: str) -> str | None:
    """Claim ``job_id`` and run one attempt of it in a child; returns the final status, None if not claimed."""
    settings = get_settings()
    lease = settings.job_lease_seconds
    with session_scope() as session:
        claim = job_rows.claim_job(session, job_id, worker, lease)
    if claim is None:
        return None
    context = multiprocessing.get_context("spawn")
    child = context.Process(
        target=run_in_child, args=(job_id, claim.attempt, os.getpid()), name=f"job-{job_id[:8]}", daemon=True
    )
    child.start()
    cancel_seen_at: float | None = None
    last_beat = 0.0
    while child.is_alive():
        child.join(POLL_SECONDS)
        now = time.monotonic()
        if now - last_beat >= min(1.0, lease / 3):
            last_beat = now
            with session_scope() as session:
                cancel = job_rows.heartbeat(session, job_id, claim.attempt, lease)
            if cancel and cancel_seen_at is None:
                cancel_seen_at = now
        if cancel_seen_at is not None and now - cancel_seen_at > CANCEL_GRACE_SECONDS and child.is_alive():
            child.kill()
            child.join(5)
    with session_scope() as session:
        job = job_rows.load_job(session, job_id)
        if job.status == "running" and job.attempts == claim.attempt:
            if cancel_seen_at is not None or job.cancel_requested:
                job_rows.finish_job(session, job_id, claim.attempt, "cancelled", error="cancelled on request")
            else:  # a crash (signal, out of memory) loses this attempt only, as a lost worker would
                again = job.attempts < job.max_attempts
                job_rows.finish_job(
                    session,
                    job_id,
                    claim.attempt,
                    "pending" if again else "failed",
                    error=f"attempt {claim.attempt}: the job's process died (exit code {child.exitcode}); "
                    + ("it will be retried" if again else "out of attempts; out of memory?"),
                )
        final = job_rows.load_job(session, job_id)
        status = final.status
        if status == "failed":
            automation_rows.record_job_failure(session, final)
        if final.started_at and final.finished_at:
            metrics.job_seconds.labels(final.kind).observe((final.finished_at - final.started_at).total_seconds())
    metrics.jobs_finished.labels(claim.kind, status).inc()
    from tendero.registry.training import discard_unregistered_artifacts

    discard_unregistered_artifacts(job_id)
    return status


class InProcessRunner:
    """The embedded default: threads in the API process claim jobs from the table with a lease."""

    name = "inprocess"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or get_settings().job_workers
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._worker = worker_name()

    def start(self) -> None:
        self._stop.clear()
        for index in range(self.workers):
            thread = threading.Thread(target=self._loop, name=f"tendero-jobs-{index}", daemon=True)
            thread.start()
            self._threads.append(thread)
        recovery = threading.Thread(target=self._recover_loop, name="tendero-jobs-recovery", daemon=True)
        recovery.start()
        self._threads.append(recovery)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._threads:
            thread.join(10)
        self._threads = []

    def notify(self, job_id: str) -> None:
        self._wake.set()

    def healthy(self) -> bool:
        return bool(self._threads) and all(thread.is_alive() for thread in self._threads)

    def _loop(self) -> None:
        while not self._stop.is_set():
            ran = False
            try:
                with session_scope() as session:
                    candidates = job_rows.next_pending(session)
                for job_id in candidates:
                    if self._stop.is_set():
                        break
                    if supervise(job_id, self._worker) is not None:
                        ran = True
                        break
            except Exception:  # keep the loop alive through database hiccups
                log.exception("job loop error")
            if not ran:
                self._wake.wait(1.0)
                self._wake.clear()

    def _recover_loop(self) -> None:
        while not self._stop.wait(2.0):
            try:
                recover_once()
                self._wake.set()
            except Exception:
                log.exception("job recovery error")


def recover_once() -> list[str]:
    """Re-queue or fail jobs whose worker went silent; returns the re-queued ids."""
    with session_scope() as session:
        requeued, failed = job_rows.recover_expired(session)
        session.flush()
        for job_id in failed:
            job = job_rows.load_job(session, job_id)
            if job.status == "failed":
                automation_rows.record_job_failure(session, job)
    if requeued or failed:
        log.warning("recovered jobs: requeued=%s failed=%s", requeued, failed)
    from tendero.registry.training import discard_unregistered_artifacts

    for job_id in failed:
        discard_unregistered_artifacts(job_id)
    return requeued


_runner: Runner | None = None


def get_runner() -> Runner:
    """The runner the settings choose, created once per process."""
    global _runner
    if _runner is None:
        if get_settings().job_runner == "procrastinate":
            from tendero.jobs.distributed import ProcrastinateRunner

            _runner = ProcrastinateRunner()
        else:
            _runner = InProcessRunner()
    return _runner


def reset_runner() -> None:
    global _runner
    if _runner is not None:
        _runner.stop()
    _runner = None
