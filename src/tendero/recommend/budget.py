"""The fit plan: how much of the catalogue EASE covers, decided from measured cost before the fit.

EASE's memory grows with the square and its time with the cube of the items it covers; ALS,
co-occurrence and content grow with the interactions. So EASE gets the most interacted items that
fit the memory budget and the time budget (every solve of the fit: each λ tried, each ranker fold,
the final fit), timed on a probe solve on this machine; the long tail is left to ALS, co-occurrence
and content. With at most half as many users as items EASE is solved in its dual form (users × users,
``generators.ease.EaseSolver``), whose cost grows with items² × users instead: the plan prices the
method the solve will use. The plan and the figures it was made from go into the model's ``tuning``.

A request reads ALS's item factors whole (items × factors, float32): on a large catalogue that read is the
request's tail, so the plan also caps the factors ALS may try to what ``als_request_mb`` holds.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import scipy.sparse as sp

from tendero.recommend.generators.ease import dual_pays, solve_cost

# Below this many items a solve takes milliseconds: no probe, EASE covers everything.
PROBE_ABOVE = 2500
# Matrices alive at once while λ is tuned: the Gram matrix, the solve in progress, the best weights.
EASE_COPIES = 3
# The dual form keeps the λ being tried and the best weights (items², float32) and the projected
# users × items matrix in double and single precision (12 bytes per entry).
DUAL_COPIES = 2
# An eigendecomposition of the users × users matrix costs about this many inverses of its size.
EIGH_PER_CUBE = 9.0


@dataclass
class FitPlan:
    interacted_items: int
    users: int
    ease_method: str  # "primal" (items × items inverses) or "dual" (users × users, see EaseSolver)
    ease_items: int
    ease_solves: int
    ranker_folds: int
    ease_cpu_seconds_per_billion_cubed: float  # CPU seconds per (1000 items)³, per BLAS thread
    ease_wall_seconds_per_billion_cubed: float  # wall seconds of the one-thread probe, as the machine was
    predicted_ease_seconds: float
    predicted_ease_peak_mb: float
    limited_by: str  # "nothing", "memory", "time" or "ease_max_items"
    als_max_factors: int = 0  # the most ALS factors a request may read within als_request_mb (0: not planned)

    def report(self) -> dict[str, object]:
        return {key: (round(value, 4) if isinstance(value, float) else value) for key, value in asdict(self).items()}


def expected_folds(validation_users: int, folds: int, enough_users: int) -> int:
    """How many inner folds the ranker will pool (it stops once ``enough_users`` are pooled)."""
    if validation_users <= 0:
        return 1
    return max(1, min(folds, math.ceil(enough_users / validation_users)))


def ease_cost(items: int, users: int, solves: int, factorisations: int) -> float:
    """EASE's work in items³-inverse units: each solve an inverse, or in the dual form one product of
    2·items²·users per solve and one users × users eigendecomposition per factorisation."""
    if dual_pays(users, items):
        return solves * 2.0 * float(items) ** 2 * users + factorisations * EIGH_PER_CUBE * float(users) ** 3
    return solves * float(items) ** 3


def ease_peak_mb(items: int, users: int) -> float:
    """The dense EASE matrices alive at once while λ is tuned, in MB."""
    if dual_pays(users, items):
        return (DUAL_COPIES * 4 * float(items) ** 2 + 12 * float(items) * users) / 2**20
    return EASE_COPIES * 4 * float(items) ** 2 / 2**20


# ALS factors are tried in multiples of this (BLAS kernels work in such blocks).
FACTOR_STEP = 8


def als_factor_cap(items: int, request_mb: float) -> int:
    """The most ALS factors (a multiple of ``FACTOR_STEP``, at least one step) whose item factors, float32
    for every item of the catalogue, one request reads within ``request_mb``."""
    fits = int(request_mb * 2**20 // (4 * max(items, 1)))
    return max(FACTOR_STEP, fits // FACTOR_STEP * FACTOR_STEP)


def _largest(items: int, fits) -> int:
    """The largest item count in [0, items] that ``fits`` (monotone: fits(n) implies fits(n - 1))."""
    low, high = 0, items
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if fits(middle) else (low, middle - 1)
    return low


def plan_fit(
    matrix: sp.csr_matrix,
    grid_size: int,
    folds: int,
    budget_seconds: float,
    memory_mb: float,
    max_items: int,
    als_request_mb: float = float("inf"),
) -> FitPlan:
    """How many items EASE covers (all interacted ones when they fit, else the most interacted that do),
    and how many factors ALS may use over the whole catalogue (``matrix``'s columns)."""
    interacted = int((np.diff(matrix.tocsc().indptr) > 0).sum())
    users = int((np.diff(matrix.tocsr().indptr) > 0).sum())
    # Each λ of the grid, each ranker fold after the first (the first reuses the tuned model), the final fit.
    solves = grid_size + max(folds - 1, 0) + 1
    factorisations = 1 + max(folds - 1, 0) + 1
    by_memory = _largest(interacted, lambda n: ease_peak_mb(n, min(users, interacted)) <= memory_mb)
    cpu_rate = wall_rate = 0.0
    by_time = interacted
    if min(interacted, max_items) > PROBE_ABOVE:
        cpu_rate, wall_rate = solve_cost()
        by_time = _largest(
            interacted, lambda n: cpu_rate * ease_cost(n, min(users, n), solves, factorisations) <= budget_seconds
        )
    limits = {"nothing": interacted, "ease_max_items": max_items, "memory": by_memory, "time": by_time}
    limited_by = min(limits, key=lambda name: (limits[name], name != "nothing"))
    items = max(0, limits[limited_by])
    covered_users = min(users, items)
    return FitPlan(
        interacted_items=interacted,
        users=users,
        ease_method="dual" if dual_pays(covered_users, items) else "primal",
        ease_items=items,
        ease_solves=solves,
        ranker_folds=folds,
        ease_cpu_seconds_per_billion_cubed=cpu_rate * 1e9,
        ease_wall_seconds_per_billion_cubed=wall_rate * 1e9,
        predicted_ease_seconds=cpu_rate * ease_cost(items, covered_users, solves, factorisations),
        predicted_ease_peak_mb=ease_peak_mb(items, covered_users),
        limited_by=limited_by,
        als_max_factors=als_factor_cap(matrix.shape[1], als_request_mb) if math.isfinite(als_request_mb) else 0,
    )
