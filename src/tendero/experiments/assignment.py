"""Deterministic hashed assignment: the same unit of the same experiment always lands in the same bucket.

A unit's bucket is a number in [0, 1) from SHA-256 of the experiment's salt and the unit id, so it does
not depend on the order units arrive in, on the process, or on the other units. Variants own slices of
[0, 1) in proportion to their weights. Stickiness when weights change is the store's job (a unit's first
variant is recorded and kept); this module only says where a new unit falls.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

import numpy as np

_SCALE = float(1 << 64)


def bucket(salt: str, unit: str) -> float:
    """The unit's place in [0, 1): the first 8 bytes of SHA-256(salt ":" unit) as a fraction."""
    digest = hashlib.sha256(f"{salt}:{unit}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def buckets(salt: str, units: Iterable[str]) -> np.ndarray:
    """``bucket`` for many units at once."""
    prefix = f"{salt}:".encode()
    sha = hashlib.sha256
    values = [int.from_bytes(sha(prefix + str(unit).encode()).digest()[:8], "big") for unit in units]
    return np.asarray(values, dtype=np.float64) / _SCALE


def cumulative_shares(weights: Sequence[float]) -> np.ndarray:
    """Upper edges of each variant's slice of [0, 1); weights need not add up to 1."""
    array = np.asarray(weights, dtype=np.float64)
    if array.ndim != 1 or len(array) < 2:
        raise ValueError("an experiment needs at least two variants")
    if not np.all(np.isfinite(array)) or np.any(array < 0) or array.sum() <= 0:
        raise ValueError("variant weights must be non-negative numbers with a positive sum")
    edges = np.cumsum(array) / array.sum()
    edges[-1] = 1.0
    return edges


def choose(positions: np.ndarray | float, weights: Sequence[float]) -> np.ndarray:
    """The index of the variant whose slice holds each position (a variant of weight 0 gets none)."""
    edges = cumulative_shares(weights)
    index = np.searchsorted(edges, np.atleast_1d(np.asarray(positions, dtype=np.float64)), side="right")
    return np.minimum(index, len(edges) - 1)


def assign(salt: str, unit: str, variants: Sequence[str], weights: Sequence[float]) -> str:
    """The variant of one unit."""
    if len(variants) != len(weights):
        raise ValueError("one weight per variant")
    return variants[int(choose(bucket(salt, unit), weights)[0])]


def assign_many(salt: str, units: Sequence[str], variants: Sequence[str], weights: Sequence[float]) -> np.ndarray:
    """The variant of each unit, as an array of variant names in the units' order."""
    if len(variants) != len(weights):
        raise ValueError("one weight per variant")
    return np.asarray(variants, dtype=object)[choose(buckets(salt, units), weights)]
