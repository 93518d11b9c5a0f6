"""Score rows stored for the training users whose histories are too long to score per request.

A request's EASE scores read one row of B (4 bytes × the items EASE covers) per history item: 1,000 books
on 9,655 items read 38 MB, about 4 ms of one core, which made the request tail; the sequence and content
scores sum a sparse row per history item too (1–2 ms more for 2,000 items). Users whose history needs
more than ``ease_request_mb`` of B get these rows computed once, at fit and update, by the very code a
request runs, so their answers are the ones a request would compute; their request reads stored rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np


def stored_bytes(covered_items: int, n_items: int, recency: bool) -> int:
    """One stored user's rows: EASE's (one or two float32 rows over its items), sequence and content."""
    return 4 * covered_items * (2 if recency else 1) + 2 * 8 * n_items


def long_history_items(covered_items: int, request_mb: float) -> int:
    """The most history items (inside EASE) whose rows of B one request may read within ``request_mb``."""
    if covered_items <= 0:
        return 0
    return max(1, int(request_mb * 2**20 // (4 * covered_items)))


@dataclass
class StoredRows:
    """Per stored user (``users``: training positions, ascending) the EASE scores over EASE's items, from
    the whole history (``plain``) and recency-weighted (``recent``, empty when recency is off), and the
    sequence and content scores over the catalogue (double precision, as a request computes them)."""

    users: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    plain: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    recent: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    sequence: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float64))
    content: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float64))

    def find(self, user: int | None) -> int | None:
        """The stored row of training user ``user``, or None."""
        if user is None or len(self.users) == 0:
            return None
        where = int(np.searchsorted(self.users, user))
        return where if where < len(self.users) and self.users[where] == user else None

    def rows(self, row: int, items: np.ndarray, n_items: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Stored row ``row`` over the whole catalogue (1 × n_items each; zeros outside EASE's ``items``)."""
        plain = np.zeros((1, n_items), np.float32)
        plain[0, items] = self.plain[row]
        if len(self.recent) == 0:
            return plain, None
        recent = np.zeros((1, n_items), np.float32)
        recent[0, items] = self.recent[row]
        return plain, recent

    def megabytes(self) -> float:
        return sum(getattr(self, name).nbytes for name in _ARRAYS) / 2**20

    # -- persistence ---------------------------------------------------------------------------
    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}_{name}": getattr(self, name) for name in _ARRAYS}

    @classmethod
    def restore(cls, arrays: Mapping[str, np.ndarray], prefix: str) -> StoredRows:
        """The stored rows, or none for a model saved before they existed (it scores every request)."""
        if f"{prefix}_users" not in arrays:
            return cls()
        return cls(**{name: arrays[f"{prefix}_{name}"] for name in _ARRAYS})


_ARRAYS = ("users", "plain", "recent", "sequence", "content")
