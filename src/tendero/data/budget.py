"""What one read of a table may cost: rows, columns, cells and seconds, and a process-wide stop.

Every reader calls ``tick`` between pieces of work (a block of records, a chunk, a column), so a read
that runs past its time, or that is still going when the server is asked to stop, ends within one
piece instead of holding a core (and the shutdown) until it is done.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from tendero.data.issues import ReadStopped, TableRejected
from tendero.data.messages import say

_STOP = threading.Event()


def stop_reading() -> None:
    """Make every read in this process stop at its next check (called when the server is told to stop)."""
    _STOP.set()


def resume_reading() -> None:
    _STOP.clear()


@dataclass(frozen=True)
class Limits:
    """Defaults match the settings' (``TENDERO_MAX_ROWS`` ...); ``from_settings`` reads the configured ones."""

    max_rows: int = 20_000_000
    max_columns: int = 2_000
    max_cells: int = 200_000_000
    seconds: float = 600.0

    @classmethod
    def from_settings(cls) -> Limits:
        from tendero.config import get_settings

        settings = get_settings()
        return cls(settings.max_rows, settings.max_columns, settings.max_dataset_cells, settings.max_read_seconds)


class Budget:
    """One read's allowance; the clock starts when the budget is made."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self.deadline = time.monotonic() + self.limits.seconds

    def tick(self, row: int = 0) -> None:
        """Raise if the process is stopping or the time is up (``row``: where the read is, for the message)."""
        if _STOP.is_set():
            raise ReadStopped()
        if time.monotonic() > self.deadline:
            raise TableRejected(say("read.too_slow", seconds=int(self.limits.seconds), row=row))

    def check_rows(self, rows: int) -> None:
        if rows > self.limits.max_rows:
            raise TableRejected(say("read.too_many_rows", limit=self.limits.max_rows))

    def check_columns(self, columns: int) -> None:
        if columns > self.limits.max_columns:
            raise TableRejected(say("header.too_many_columns", columns=columns, limit=self.limits.max_columns))

    def check_cells(self, rows: int, columns: int) -> None:
        """Datasets are held whole in memory: rows × columns is bounded too."""
        if rows * columns > self.limits.max_cells:
            raise TableRejected(say("read.too_many_cells", cells=rows * columns, rows=rows, columns=columns,
                                    limit=self.limits.max_cells))  # fmt: skip
