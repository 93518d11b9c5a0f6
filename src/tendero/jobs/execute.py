"""What runs inside a job's child process: load the job, run its handler, report progress to the table."""

from __future__ import annotations

import contextlib
import ctypes
import faulthandler
import importlib
import logging
import os
import shutil
import signal
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tendero.catalogue.jobs import job_text
from tendero.config import get_settings
from tendero.errors import Conflict, Invalid, NotFound
from tendero.kinds import Cancelled
from tendero.store import jobs as job_rows
from tendero.store.db import reset_engine, session_scope

log = logging.getLogger(__name__)

# job kind -> "module:function" taking a JobContext and returning the job's result (JSON-able dict)
HANDLERS: dict[str, str] = {
    "train": "tendero.registry.training:run_training",
    "batch_predict": "tendero.registry.batch:run_batch_prediction",
    "search_index": "tendero.services.search:run_index_job",
    "schedule": "tendero.services.automation:run_scheduled",
    "retention": "tendero.services.retention:run_retention",
    "insights": "tendero.services.insights:run_analysis_job",
}

# job kind -> "module:function" taking the job id, run once a job of that kind has ended (done, failed,
# cancelled or out of attempts) to remove what its attempts stored and nothing registered; the runner knows
# no more of artifacts than this table
CLEANUPS: dict[str, str] = {
    "train": "tendero.store.artifacts:discard_unregistered_versions",
    "schedule": "tendero.store.artifacts:discard_unregistered_versions",  # a retrain publishes versions too
}


class JobFailed(Exception):
    """A job that cannot succeed (bad params, bad data): fail it at once with this readable reason."""


@dataclass
class DbProgress:
    """Progress that lands in ``job_events``: buffered, flushed at most every ``flush_every`` seconds.

    Checking the cancel flag rides on the same flush, so a cancelled job stops within one interval.
    """

    job_id: str
    tenant_id: str
    attempt: int
    flush_every: float = 0.5
    _buffer: list[dict[str, Any]] = field(default_factory=list)
    _last_flush: float = 0.0
    _started: float = field(default_factory=time.monotonic)

    def update(self, step: int, total: int | None = None, *, message: str = "", **metrics: float) -> None:
        elapsed = time.monotonic() - self._started
        eta = elapsed / step * (total - step) if total and step > 0 else None
        self._buffer.append(
            {
                "step": int(step),
                "total": int(total) if total else None,
                "metrics": {k: float(v) for k, v in metrics.items()},
                "message": message[:2000],
                "eta_seconds": eta,
            }
        )
        now = time.monotonic()
        if now - self._last_flush >= self.flush_every or (total and step >= total):
            self.flush()

    def flush(self) -> None:
        self._last_flush = time.monotonic()
        with session_scope() as session:
            job_rows.record_events(session, self.job_id, self.tenant_id, self.attempt, self._buffer)
            self._buffer = []
            cancel = job_rows.load_job(session, self.job_id).cancel_requested
        if cancel:
            raise Cancelled("the job was cancelled")


@dataclass
class JobContext:
    job_id: str
    tenant_id: str
    attempt: int
    params: dict[str, Any]
    progress: DbProgress
    work_dir: Path


def work_root() -> Path:
    return get_settings().home / "work"


def attempt_dir(job_id: str, attempt: int) -> Path:
    return work_root() / job_id / f"attempt-{attempt}"


def crash_trace_path(job_id: str, attempt: int) -> Path:
    """Where an attempt's child writes the Python stacks of a fatal signal (``faulthandler``)."""
    return work_root() / job_id / f"attempt-{attempt}.crash"


def resolve_handler(kind: str) -> Callable[[JobContext], dict[str, Any]]:
    if kind not in HANDLERS:
        raise JobFailed(f"unknown job kind {kind!r}; known: {', '.join(sorted(HANDLERS))}")
    module_name, attribute = HANDLERS[kind].split(":")
    return getattr(importlib.import_module(module_name), attribute)


def clean_up_after(job_id: str) -> None:
    """Remove the job's work folder, then run its kind's clean-up from ``CLEANUPS``, if it has one."""
    shutil.rmtree(work_root() / job_id, ignore_errors=True)
    with session_scope() as session:
        try:
            kind = job_rows.load_job(session, job_id).kind
        except NotFound:
            return
    if kind in CLEANUPS:
        module_name, attribute = CLEANUPS[kind].split(":")
        getattr(importlib.import_module(module_name), attribute)(job_id)


def _die_with_parent(parent_pid: int) -> None:
    """A child must not outlive its supervisor: if the worker is SIGKILLed, the job is re-run elsewhere."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG

    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:
                os._exit(70)
            time.sleep(0.5)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def run_in_child(job_id: str, attempt: int, parent_pid: int) -> int:
    """Entry point of the spawned child. Exit codes: 0 done, 3 cancelled, 4 failed (job row updated)."""
    _die_with_parent(parent_pid)
    for stale in (work_root() / job_id).glob("attempt-*"):  # any attempt's folder and crash trace left behind
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)
    trace = crash_trace_path(job_id, attempt)
    trace.parent.mkdir(parents=True, exist_ok=True)
    # a crash in native code leaves every thread's Python stack in a file the supervisor logs (standard error
    # may be a terminal's log file or a test's capture, and the tenant's error line should not hold a trace)
    faulthandler.enable(file=trace.open("w", encoding="utf-8"), all_threads=True)
    reset_engine()
    work = attempt_dir(job_id, attempt)
    work.mkdir(parents=True)
    with session_scope() as session:
        job = job_rows.load_job(session, job_id)
        tenant_id, kind, params = job.tenant_id, job.kind, dict(job.params)
    progress = DbProgress(job_id, tenant_id, attempt)
    try:
        handler = resolve_handler(kind)
        result = handler(JobContext(job_id, tenant_id, attempt, params, progress, work))
        progress.flush()
    except Cancelled:
        with session_scope() as session:
            job_rows.finish_job(session, job_id, attempt, "cancelled", error=job_text("failure.cancelled"))
        return 3
    except JobFailed as error:
        _fail(job_id, attempt, job_text("failure.could_not_run", detail=str(error)))
        return 4
    except Exception as error:  # anything else: the job fails with a readable line, details in the log
        log.exception("job %s attempt %s failed", job_id, attempt)
        _fail(job_id, attempt, failure_line(error, job_id), traceback.format_exc(limit=5))
        return 4
    finally:
        shutil.rmtree(work, ignore_errors=True)
    with session_scope() as session:
        job_rows.finish_job(session, job_id, attempt, "completed", result=result)
    return 0


def failure_line(error: BaseException, job_id: str) -> str:
    """What the tenant reads of a failure that is not a ``JobFailed``: a refusal our own code raised about the data or
    the request (``ValueError``, ``KeyError``, ``Invalid``, ``NotFound``, ``Conflict``) with its words; anything
    else (a library's internals, a bug) as one catalogue line with the job id, the trace only in the server's log."""
    ours = isinstance(error, Invalid | NotFound | Conflict)
    if isinstance(error, ValueError | KeyError) and not ours:
        frames = traceback.extract_tb(error.__traceback__)
        ours = bool(frames) and f"{os.sep}tendero{os.sep}" in frames[-1].filename
    if ours:
        detail = error.args[0] if isinstance(error, KeyError) and error.args else error
        return job_text("failure.could_not_run", detail=str(detail))
    return job_text("failure.unexpected", job_id=job_id)


def _fail(job_id: str, attempt: int, reason: str, detail: str = "") -> None:
    if detail:
        log.debug("job %s: %s", job_id, detail)
    with session_scope() as session:
        job_rows.finish_job(session, job_id, attempt, "failed", error=without_server_paths(reason)[:4000])


def without_server_paths(text: str) -> str:
    """A job's error as its tenant reads it: the server's own folders (TENDERO_HOME, the artifact store) named,
    not spelled out; an exception's message often carries the file it was reading."""
    settings = get_settings()
    roots = {settings.artifacts.rstrip("/"): "<artifacts>", str(settings.home.resolve()): "<TENDERO_HOME>"}
    for root, name in sorted(roots.items(), key=lambda item: -len(item[0])):
        if root:
            text = text.replace(root, name)
    return text
