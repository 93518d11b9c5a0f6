"""Recency: how much each of a user's events counts by how many newer events followed it.

Recent behaviour says most about what comes next; the half-life (in events) is tuned per data set.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def event_times(history: sp.csr_matrix, at: sp.csr_matrix | None) -> np.ndarray:
    """Times of ``history``'s stored entries, in its data order (0 where ``at`` has none)."""
    history = history.tocsr()
    if at is None or history.nnz == 0:
        return np.zeros(history.nnz)
    at = at.tocsr()
    same = at.shape == history.shape and np.array_equal(at.indptr, history.indptr)
    if same and np.array_equal(at.indices, history.indices):
        return np.asarray(at.data, np.float64)
    rows = np.repeat(np.arange(history.shape[0]), np.diff(history.indptr))
    return np.asarray(at[rows, history.indices], np.float64).ravel()


def recency_weights(history: sp.csr_matrix, at: sp.csr_matrix | None, half_life: float | None) -> sp.csr_matrix:
    """``history``'s pattern weighted by 0.5 ** (age / half_life), age = how many of the row's events are
    newer (ties share an age). Recent behaviour says most about what comes next."""
    history = history.tocsr()
    out = history.copy().astype(np.float32)
    out.data = np.ones(history.nnz, np.float32)
    if half_life is None or history.nnz == 0:
        return out
    times = event_times(history, at)
    rows = np.repeat(np.arange(history.shape[0]), np.diff(history.indptr))
    order = np.lexsort((-times, rows))  # by row, newest first
    sorted_rows, sorted_times = rows[order], times[order]
    position = np.arange(len(order))
    starts = history.indptr[sorted_rows]
    new_value = np.r_[True, (sorted_rows[1:] != sorted_rows[:-1]) | (sorted_times[1:] != sorted_times[:-1])]
    first_of_tie = np.maximum.accumulate(np.where(new_value, position, 0))
    ages = np.empty(len(order), np.float64)
    ages[order] = first_of_tie - starts
    out.data = np.power(0.5, ages / half_life).astype(np.float32)
    return out


def recency_of(times: np.ndarray, half_life: float) -> np.ndarray:
    """``recency_weights`` for one user's event times (1-D), as plain arrays."""
    times = np.asarray(times, np.float64)
    order = np.argsort(-times, kind="stable")
    sorted_times = times[order]
    new_value = np.r_[True, sorted_times[1:] != sorted_times[:-1]] if len(times) else np.zeros(0, bool)
    ages = np.empty(len(times), np.float64)
    ages[order] = np.maximum.accumulate(np.where(new_value, np.arange(len(times)), 0)) if len(times) else 0
    return np.power(0.5, ages / half_life)
