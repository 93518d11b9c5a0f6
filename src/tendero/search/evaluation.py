"""Ranking metrics over graded judgements: nDCG@k, recall@k, MRR@k (unjudged products gain 0)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def ndcg_at(ranked: Sequence[str], gains: Mapping[str, float], k: int = 10) -> float:
    """Exponential-free nDCG (gain / log2(rank + 1)), as in the Home Depot and WANDS papers."""
    ideal = sorted((g for g in gains.values() if g > 0), reverse=True)[:k]
    if not ideal:
        return float("nan")
    dcg = sum(gains.get(item, 0.0) / np.log2(rank + 2) for rank, item in enumerate(ranked[:k]))
    best = sum(g / np.log2(rank + 2) for rank, g in enumerate(ideal))
    return float(dcg / best)


def recall_at(ranked: Sequence[str], gains: Mapping[str, float], k: int) -> float:
    """Share of the relevant products (gain > 0) found in the top ``k``, out of at most ``k``."""
    relevant = {item for item, g in gains.items() if g > 0}
    if not relevant:
        return float("nan")
    return len(relevant.intersection(ranked[:k])) / min(len(relevant), k)


def mrr_at(ranked: Sequence[str], gains: Mapping[str, float], k: int = 10) -> float:
    if not any(g > 0 for g in gains.values()):
        return float("nan")
    for rank, item in enumerate(ranked[:k]):
        if gains.get(item, 0.0) > 0:
            return 1.0 / (rank + 1)
    return 0.0
