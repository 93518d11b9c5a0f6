"""Scale-out transport: Procrastinate on the same PostgreSQL, workers started by ``tendero worker``.

Procrastinate only carries job ids. Each worker supervises the attempt exactly as the embedded runner
does, so progress, cancel and history are the same on both. Recovery runs every few seconds on the
workers: Procrastinate's own stalled-job retry (workers that stopped heart-beating) and ours (job
rows whose lease expired), which re-defers the re-queued jobs. An attempt whose child process crashed
while its worker lived is retried by that worker.
"""

from __future__ import annotations

import logging

import procrastinate
import procrastinate.manager
import procrastinate.tasks

from tendero.config import get_settings
from tendero.jobs.supervisor import recover_once, supervise, worker_name
from tendero.store.db import table_exists

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
    """Run the job; an attempt whose process crashed (status back to pending) is retried here at once."""
    while supervise(job_id, worker_name()) == "pending":
        log.warning("job %s: its process crashed; running its next attempt", job_id)


# croniter puts seconds in the sixth field: every 3 seconds (``*/3 * * * * *`` would be every 3 minutes)
@app.periodic(cron="* * * * * */3")
@app.task(name="tendero.recover_jobs", queue=QUEUE, queueing_lock="tendero.recover_jobs", pass_context=True)
async def recover_jobs(context: procrastinate.JobContext, timestamp: int) -> None:
    manager = context.app.job_manager
    for stalled in await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_WORKER_SECONDS):
        if stalled.task_name == "tendero.run_job":
            await manager.retry_job(stalled)
    for job_id in recover_once():
        await run_job.defer_async(job_id=job_id)


def install_schema() -> bool:
    """Create Procrastinate's tables once; returns whether it did. Two workers starting together on a fresh
    database both find no tables: the one that loses the race gets a unique violation once the other's
    schema commits, and goes on with it."""
    if table_exists("procrastinate_jobs"):
        return False
    connector = procrastinate.SyncPsycopgConnector(conninfo=conninfo())
    with app.replace_connector(connector):
        app.open()
        try:
            app.schema_manager.apply_schema()
        except procrastinate.exceptions.ConnectorException:
            if not table_exists("procrastinate_jobs"):
                raise
            return False
        finally:
            app.close()
    return True


def run_worker(concurrency: int = 1) -> None:
    """Block running a worker (``tendero worker``, which starts the scheduler beside it)."""
    install_schema()
    with app.replace_connector(procrastinate.PsycopgConnector(conninfo=conninfo())):
        app.run_worker(
            queues=[QUEUE],
            concurrency=concurrency,
            update_heartbeat_interval=HEARTBEAT_SECONDS,
            stalled_worker_timeout=STALLED_WORKER_SECONDS,
        )


class ProcrastinateRunner:
    """The API side: queuing a job defers a Procrastinate task; workers elsewhere run it."""

    name = "procrastinate"

    def __init__(self) -> None:
        self._connector: procrastinate.SyncPsycopgConnector | None = None

    def start(self) -> None:
        install_schema()
        self._connector = procrastinate.SyncPsycopgConnector(conninfo=conninfo())
        self._connector.open()

    def stop(self) -> None:
        if self._connector is not None:
            self._connector.close()
            self._connector = None

    def notify(self, job_id: str) -> None:
        if self._connector is None:
            self.start()
        assert self._connector is not None
        manager = procrastinate.manager.JobManager(self._connector)
        deferrer = procrastinate.tasks.configure_task(name="tendero.run_job", job_manager=manager, queue=QUEUE)
        deferrer.defer(job_id=job_id)

    def healthy(self) -> bool:
        return self._connector is not None
