"""Scale-out transport: Procrastinate on the same PostgreSQL, workers started by ``tendero worker``.

Procrastinate only carries job ids. Each worker supervises the attempt exactly as the embedded runner
does, so progress, cancel and history are the same on both. Recovery runs every few seconds on the
workers: Procrastinate's own stalled-job retry (workers that stopped heart-beating) and ours (job
rows whose lease expired), which re-defers the re-queued jobs.
"""

from __future__ import annotations

import logging

import procrastinate
from sqlalchemy import text

from tendero.config import get_settings
from tendero.jobs.runner import recover_once, supervise, worker_name
from tendero.store.db import get_engine

log = logging.getLogger(__name__)

QUEUE = "tendero"
HEARTBEAT_SECONDS = 2.0
STALLED_WORKER_SECONDS = 10.0


def conninfo() -> str:
    url = get_settings().database_url
    if not url.startswith("postgresql"):
        raise RuntimeError("the procrastinate job runner needs TENDERO_DATABASE_URL to point at PostgreSQL")
    return "postgresql://" + url.split("://", 1)[1]


app = procrastinate.App(connector=procrastinate.PsycopgConnector())


@app.task(name="tendero.run_job", queue=QUEUE)
def run_job(job_id: str) -> None:
    supervise(job_id, worker_name())


@app.periodic(cron="*/3 * * * * *")
@app.task(name="tendero.recover_jobs", queue=QUEUE, queueing_lock="tendero.recover_jobs", pass_context=True)
async def recover_jobs(context: procrastinate.JobContext, timestamp: int) -> None:
    manager = context.app.job_manager
    for stalled in await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_WORKER_SECONDS):
        if stalled.task_name == "tendero.run_job":
            await manager.retry_job(stalled)
    for job_id in recover_once():
        await run_job.defer_async(job_id=job_id)


def install_schema() -> bool:
    """Create Procrastinate's tables once; returns whether it did."""
    with get_engine().connect() as connection:
        exists = connection.execute(text("select to_regclass('procrastinate_jobs')")).scalar()
    if exists:
        return False
    sync_app = app.with_connector(procrastinate.SyncPsycopgConnector(conninfo=conninfo()))
    with sync_app.open():
        sync_app.schema_manager.apply_schema()
    return True


def run_worker(concurrency: int = 1) -> None:
    """Block running a worker: ``tendero worker``."""
    install_schema()
    worker_app = app.with_connector(procrastinate.PsycopgConnector(conninfo=conninfo()))
    worker_app.run_worker(
        queues=[QUEUE],
        concurrency=concurrency,
        update_heartbeat_interval=HEARTBEAT_SECONDS,
        stalled_worker_timeout=STALLED_WORKER_SECONDS,
    )


class ProcrastinateRunner:
    """The API side: queuing a job defers a Procrastinate task; workers elsewhere run it."""

    name = "procrastinate"

    def __init__(self) -> None:
        self._app: procrastinate.App | None = None

    def start(self) -> None:
        install_schema()
        self._app = app.with_connector(procrastinate.SyncPsycopgConnector(conninfo=conninfo()))
        self._app.open()

    def stop(self) -> None:
        if self._app is not None:
            self._app.close()
            self._app = None

    def notify(self, job_id: str) -> None:
        if self._app is None:
            self.start()
        assert self._app is not None
        self._app.configure_task("tendero.run_job", queue=QUEUE).defer(job_id=job_id)

    def healthy(self) -> bool:
        return self._app is not None
