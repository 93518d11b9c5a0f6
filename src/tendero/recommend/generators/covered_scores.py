"""Scores kept only over the items a generator covers, read where asked (the request path).

EASE covers the catalogue's head (11,076 of 50,000 items on the 50k synthetic model). Spreading its scores
over a zeroed catalogue-wide row, only for the candidate search to gather the covered items back out of it,
cost a 50k-wide allocation and two 11k-item scatters and gathers per weighting on every request."""

from __future__ import annotations

from typing import Any

import numpy as np

from tendero.recommend.generators.sparse import top_unblocked


class CoveredScores:
    """Some users' scores (``values``: users × len(items)) over ``items`` (sorted catalogue positions); every
    other item of the ``n_items`` scores 0. ``scores[row, items]`` reads them like a dense users × items array,
    ``top(row, take, blocked)`` gives the candidates, ``np.asarray(scores)`` the dense array."""

    def __init__(self, values: np.ndarray, items: np.ndarray, n_items: int) -> None:
        self.values = np.atleast_2d(values)
        self.items = np.asarray(items, np.int64)
        self.n_items = int(n_items)

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.values), self.n_items

    def __getitem__(self, key: tuple[int, np.ndarray]) -> np.ndarray:
        row, wanted = key
        wanted = np.asarray(wanted, np.int64)
        values = self.values[row]
        if len(self.items) == 0:
            return np.zeros(len(wanted), values.dtype)
        where = np.minimum(np.searchsorted(self.items, wanted), len(self.items) - 1)
        return np.where(self.items[where] == wanted, values[where], values.dtype.type(0))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = np.zeros(self.shape, self.values.dtype if dtype is None else dtype)
        out[:, self.items] = self.values
        return out

    def top(self, row: int, take: int, blocked: np.ndarray) -> np.ndarray:
        """The ``take`` best unblocked items (in no order): searched among the covered items where they hold
        that many (the rest score 0, so they could only add arbitrary ties), else over the whole catalogue."""
        if len(self.items) >= take:
            return self.items[top_unblocked(self.values[row], take, blocked[self.items])]
        return top_unblocked(np.asarray(self)[row], take, blocked)
