"""Runners carry jobs to the supervisor (``jobs.supervisor``), which runs each attempt in a spawned child process.

The in-process runner is the embedded default; ``get_runner`` picks the one the settings choose.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from tendero.config import get_settings
from tendero.jobs.supervisor import recover_once, supervise, worker_name
from tendero.store import jobs as job_rows
from tendero.store.db import session_scope

log = logging.getLogger(__name__)


class Runner(Protocol):
    """Transport for jobs: the state is always in the ``jobs`` table, whatever carries it."""

    name: str

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def notify(self, job_id: str) -> None:
        """A job was queued: run it soon."""
        ...

    def healthy(self) -> bool: ...


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
