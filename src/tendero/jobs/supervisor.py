"""The supervisor: claims a job, runs one attempt in a spawned child process, and finishes what the child could not.

It holds the job's lease while the child lives, kills the child on cancel, and finishes the attempt if the child
dies without doing so (killed for memory, say). A supervisor that dies itself stops renewing the lease;
``recover_once`` then re-queues the job for another attempt. Both runners (in-process threads and the
Procrastinate workers) carry jobs here.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import time

from tendero.catalogue.jobs import job_text
from tendero.config import get_settings
from tendero.jobs.execute import clean_up_after, crash_trace_path, run_in_child
from tendero.observability import metrics
from tendero.store import automation as automation_rows
from tendero.store import jobs as job_rows
from tendero.store.db import session_scope

log = logging.getLogger(__name__)

CANCEL_GRACE_SECONDS = 2.0
POLL_SECONDS = 0.25


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
                job_rows.finish_job(session, job_id, claim.attempt, "cancelled", error=job_text("failure.cancelled"))
            else:  # a crash (signal, out of memory) loses this attempt only, as a lost worker would
                again = job.attempts < job.max_attempts
                then = job_text("failure.retried" if again else "failure.out_of_attempts")
                error = death_line(job_id, claim.attempt, child.exitcode, then)
                job_rows.finish_job(session, job_id, claim.attempt, "pending" if again else "failed", error=error)
        final = job_rows.load_job(session, job_id)
        status = final.status
        if status == "failed":  # the tenant's channels that listen for job failures hear of it
            automation_rows.record_job_failure(session, final)
        if final.started_at and final.finished_at:
            metrics.job_seconds.labels(final.kind).observe((final.finished_at - final.started_at).total_seconds())
    metrics.jobs_finished.labels(claim.kind, status).inc()
    clean_up_after(job_id)
    return status


def death_line(job_id: str, attempt: int, exit_code: int | None, then: str) -> str:
    """The job's error line for a child that died without finishing its attempt, by how it died; a fatal signal's
    Python stacks (written by the child's ``faulthandler``) go to the server's log, with the job id."""
    if exit_code == -signal.SIGKILL:
        return job_text("failure.process_killed", attempt=attempt, then=then)
    if exit_code is not None and exit_code < 0:
        name = signal.Signals(-exit_code).name if -exit_code in signal.valid_signals() else str(-exit_code)
        trace_file = crash_trace_path(job_id, attempt)
        trace = trace_file.read_text(encoding="utf-8", errors="replace").strip() if trace_file.is_file() else ""
        log.error("job %s attempt %s: the child died of %s; its stacks:\n%s", job_id, attempt, name, trace or "(none)")
        return job_text("failure.process_crashed", attempt=attempt, signal=name, job_id=job_id, then=then)
    return job_text("failure.process_died", attempt=attempt, exit_code=exit_code, then=then)


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
    for job_id in failed:
        clean_up_after(job_id)
    return requeued
