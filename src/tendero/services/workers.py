"""What a process runs beside its face: the job runner, the scheduler and the audit writer of a server, a
Procrastinate worker, a job run in this very process, and the stop a server's shutdown sends to reads in flight."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from tendero.data.budget import stop_reading
from tendero.jobs.runner import get_runner
from tendero.jobs.scheduler import start_scheduler, stop_scheduler
from tendero.observability.audit import audit_writer
from tendero.registry.service import deployed_models
from tendero.services.database import install_job_schema, upgrade_database


@contextmanager
def serving(*, run_jobs: bool, migrate: bool) -> Iterator[None]:
    """A server's lifetime: the schema migrated, the embedded job runner (when this process runs jobs), the audit
    writer and the scheduler (due schedule times and the delivery outbox, in every API process) started, and
    stopped in the reverse order."""
    if migrate:
        upgrade_database()
    runner = get_runner() if run_jobs else None
    if runner is not None:
        runner.start()
    audit_writer.start()
    start_scheduler()
    try:
        yield
    finally:
        stop_scheduler()
        audit_writer.stop()
        if runner is not None:
            runner.stop()


def run_worker(concurrency: int) -> None:
    """A Procrastinate worker: the schema migrated, the queue's tables installed before the scheduler starts (what
    it queues goes into them), the scheduler (a worker also claims due schedule times and sends deliveries),
    then jobs until stopped."""
    from tendero.jobs.distributed import run_worker as run_procrastinate

    upgrade_database()
    install_job_schema()
    start_scheduler()
    run_procrastinate(concurrency)


def run_job_in_thread(job_id: str) -> threading.Thread:
    """Run a queued job in a thread of this process (another runner may take it first: claims are atomic)."""
    from tendero.jobs.supervisor import supervise, worker_name

    thread = threading.Thread(target=supervise, args=(job_id, worker_name()), daemon=True)
    thread.start()
    return thread


def stop_reads() -> None:
    """A server is stopping: a long file read in progress gives up at its next check."""
    stop_reading()


def freeze_served_models() -> None:
    """Models loaded from now on live as long as the server: keep them out of full garbage collections."""
    deployed_models.freeze_after_load = True
