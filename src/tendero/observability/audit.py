"""The audit log: a row for every prediction and training call, written in batches off the hot path."""

from __future__ import annotations

import atexit
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime

from tendero.store.audit import insert_entries
from tendero.store.tables import utcnow

log = logging.getLogger(__name__)


@dataclass
class AuditRecord:
    tenant_id: str
    key_prefix: str
    method: str
    endpoint: str
    action: str
    latency_ms: float
    status_code: int
    model_name: str | None = None
    model_version: str | None = None
    error: str | None = None
    at: datetime = field(default_factory=utcnow)


class AuditWriter:
    """Buffers records and writes them every ``interval`` seconds (and on demand before reads)."""

    def __init__(self, interval: float = 0.5) -> None:
        self.interval = interval
        self._buffer: list[AuditRecord] = []
        self._lock = threading.Lock()
        self._writing = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, record: AuditRecord) -> None:
        with self._lock:
            self._buffer.append(record)
        if self._thread is None or not self._thread.is_alive():
            self.start()

    def flush(self) -> None:
        """Write what is buffered; returns only once rows added before the call are in the database,
        including those a concurrent flush (the background thread's) took and is still writing."""
        with self._writing:
            with self._lock:
                batch, self._buffer = self._buffer, []
            if batch:
                try:
                    insert_entries([dict(vars(record)) for record in batch])  # asdict deep-copies: slow
                except Exception:
                    log.exception("could not write %d audit rows", len(batch))

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="tendero-audit", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        self.flush()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.flush()


audit_writer = AuditWriter()
atexit.register(audit_writer.flush)
