"""EASE (Steck 2019) on the catalogue's head: closed-form item-item weights from one dense inverse.

B needs (XᵀX + λI)⁻¹ over the items. With fewer users than items the Gram matrix has rank at most the
users, and Woodbury gives the same inverse from the users × users matrix XXᵀ: (XᵀX + λI)⁻¹ = (I - Xᵀ(XXᵀ
+ λI)⁻¹X)/λ. One eigendecomposition of XXᵀ serves every λ, and each λ's B is then one items × items
product of rank ``users`` (2·items²·users flops) instead of an items³ inverse (``EaseSolver``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from tendero.recommend.generators.covered_scores import CoveredScores


def head_items(matrix: sp.csr_matrix, limit: int | None = None) -> np.ndarray:
    """Items with at least one interaction, ascending; above ``limit`` only the ``limit`` most interacted
    (ties to the lower position). The tail left out gets all-zero EASE weights and is left to ALS,
    co-occurrence and content."""
    counts = np.diff(matrix.tocsc().indptr)
    touched = np.flatnonzero(counts > 0).astype(np.int64)
    if limit is None or len(touched) <= limit:
        return touched
    order = np.lexsort((touched, -counts[touched]))
    return np.sort(touched[order[: max(int(limit), 0)]])


def gram_of(matrix: sp.csr_matrix, items: np.ndarray) -> np.ndarray:
    """XᵀX over ``items`` as a dense float32 matrix (C order; symmetric, so also its own Fortran view)."""
    sub = matrix.tocsc()[:, items].astype(np.float32)
    gram = (sub.T @ sub).toarray()
    return np.ascontiguousarray(gram, dtype=np.float32)


def solve_weights(gram: np.ndarray, l2: float, overwrite: bool = False) -> np.ndarray:
    """B = I - P/diag(P), P = (XᵀX + λI)⁻¹, with zero diagonal, as C-ordered float32.

    XᵀX + λI is symmetric positive definite, so a single-precision Cholesky inverse (LAPACK
    potrf/potri) does it in place: 5× faster than a double-precision LU inverse on 10k items, weights
    equal to 1e-7 of the largest. With ``overwrite`` the caller's float32 C-ordered ``gram`` becomes
    the result, so one n×n matrix is all the memory the solve needs; without it, one copy more.
    Double-precision LU is the fallback should rounding make the factorisation fail."""
    from scipy.linalg import lapack

    n = gram.shape[0]
    if n == 0:
        return np.zeros((0, 0), np.float32)
    in_place = overwrite and gram.dtype == np.float32 and gram.flags.c_contiguous
    # A symmetric C-ordered matrix is its own transpose: ``.T`` is the Fortran-ordered view LAPACK wants.
    work = gram.T if in_place else np.array(gram.T, dtype=np.float32, order="F")
    work[np.diag_indices(n)] += np.float32(l2)
    factor, info = lapack.spotrf(work, lower=False, overwrite_a=True, clean=False)
    if info == 0:
        precision, info = lapack.spotri(factor, lower=False, overwrite_c=True)
    if info != 0:
        if in_place:
            raise np.linalg.LinAlgError("EASE: the Gram matrix lost positive definiteness in single precision")
        double = np.array(gram, dtype=np.float64)
        double[np.diag_indices(n)] += l2
        inverse = np.linalg.inv(double).astype(np.float32)
        return _scale_columns(np.ascontiguousarray(inverse))
    # potri filled the upper triangle of the Fortran view: the lower triangle of its C view.
    rows = precision.T
    _mirror_lower(rows)
    return _scale_columns(rows)


def dual_pays(users: int, items: int) -> bool:
    """The users × users (dual) solve when it costs fewer flops: each λ's B is 2·items²·users flops there
    against items³ for the inverse, and the one eigendecomposition (~9·users³) is smaller still."""
    return items > 0 and 2 * users <= items


def dual_weights(eigenvalues: np.ndarray, projected: np.ndarray, l2: float) -> np.ndarray:
    """B from the dual form. With XXᵀ = W diag(s) Wᵀ and Z = WᵀX, Q = Zᵀ diag(1/(s+λ)) Z, P = (I - Q)/λ
    and so B[i, j] = -P[i, j]/P[j, j] = Q[i, j]/(1 - Q[j, j]) off the diagonal: no λ left to divide by.
    Q's diagonal is summed in double precision (1 - Q[j, j] is small for the most interacted items)."""
    n = projected.shape[1]
    if n == 0:
        return np.zeros((0, 0), np.float32)
    scale = 1.0 / (eigenvalues + l2)
    scaled = np.ascontiguousarray((projected * np.sqrt(scale)[:, None]).astype(np.float32))
    weights = scaled.T @ scaled
    diagonal = np.einsum("ij,ij,i->j", projected, projected, scale)
    weights /= np.maximum(1.0 - diagonal, 1e-12).astype(np.float32)[None, :]
    weights[np.diag_indices(n)] = 0.0
    return weights


class EaseSolver:
    """XᵀX over ``items``, factored once to give B for any number of λ (tuning tries several).

    ``method`` is "dual" where there are at most half as many users (with an interaction among the items)
    as items, else "primal" (the Gram matrix, one Cholesky inverse per λ, ``solve_weights``)."""

    def __init__(self, matrix: sp.csr_matrix, items: np.ndarray) -> None:
        self.matrix, self.items = matrix, items
        sub = matrix.tocsr()[:, items]
        active = np.flatnonzero(np.diff(sub.indptr) > 0)
        self.users = len(active)
        self.method = "dual" if dual_pays(self.users, len(items)) else "primal"
        self.gram: np.ndarray | None = None
        if self.method == "dual":
            rows = sub[active].astype(np.float64)
            eigenvalues, vectors = np.linalg.eigh((rows @ rows.T).toarray())
            self.eigenvalues = np.maximum(eigenvalues, 0.0)  # XXᵀ is positive semi-definite
            self.projected = np.ascontiguousarray(np.asarray(rows.T @ vectors).T)  # Z = WᵀX
        else:
            self.gram = gram_of(matrix, items)

    def scores(self, history: sp.csr_matrix, l2: float) -> np.ndarray:
        """Dual form only: ``history`` (users × catalogue) scored by B for ``l2`` without forming B, as
        tuning needs for each λ: hB[j] = ((hQ)[j] - h[j]·Q[j, j]) / (1 - Q[j, j]), hQ = (hZᵀ)diag(1/(s+λ))Z
        (history rows × users × items flops instead of the items² × users of B)."""
        scale = 1.0 / (self.eigenvalues + l2)
        sub = history.tocsc()[:, self.items].astype(np.float64)
        through = np.asarray(sub @ self.projected.T) * scale[None, :]
        diagonal = np.einsum("ij,ij,i->j", self.projected, self.projected, scale)
        inner = (through @ self.projected - sub.toarray() * diagonal[None, :]) / np.maximum(1.0 - diagonal, 1e-12)
        out = np.zeros((history.shape[0], history.shape[1]), np.float32)
        out[:, self.items] = inner
        return out

    def weights(self, l2: float, last: bool = False) -> np.ndarray:
        """B for ``l2``; ``last``: no further λ will be asked, so the primal solve may take the Gram matrix."""
        if self.method == "dual":
            return dual_weights(self.eigenvalues, self.projected, l2)
        assert self.gram is not None
        if not last:
            return solve_weights(self.gram, l2)
        try:
            return solve_weights(self.gram, l2, overwrite=True)
        except np.linalg.LinAlgError:  # single precision lost definiteness in place: again, on a copy
            return solve_weights(gram_of(self.matrix, self.items), l2)
        finally:
            self.gram = None


def _mirror_lower(matrix: np.ndarray, block: int = 512) -> None:
    """Copy the lower triangle onto the upper one in place, a block of rows at a time (no n×n temporary)."""
    n = matrix.shape[0]
    for start in range(0, n, block):
        end = min(start + block, n)
        square = matrix[start:end, start:end]
        square[:] = np.tril(square) + np.tril(square, -1).T
        if end < n:
            matrix[start:end, end:] = matrix[end:, start:end].T


def _scale_columns(precision: np.ndarray) -> np.ndarray:
    """B[i, j] = -P[i, j] / P[j, j], diagonal 0, in place."""
    diagonal = np.diag(precision).copy()
    precision /= -diagonal[None, :]
    precision[np.diag_indices(len(diagonal))] = 0.0
    return precision


def solve_cost(size: int = 1000, repeats: int = 2) -> tuple[float, float]:
    """This machine's EASE solve speed, measured now on a probe of ``size`` items: (CPU seconds per n³ of
    a one-thread solve, divided by the BLAS threads a real solve uses; wall seconds per n³ of the same).

    The first is what a quiet machine would take: a one-thread solve's CPU time barely moves when other
    work shares the cores (a multi-threaded one's does: its threads spin while they wait for each other),
    and the best of a few repeats drops the interruptions. The probe is small, where BLAS runs less
    efficiently than on a big matrix, so a budget planned from it errs on the safe side."""
    from scipy.linalg import lapack  # noqa: F401  (loaded before the limit below, or the limit misses it)
    from threadpoolctl import threadpool_info, threadpool_limits

    rng = np.random.default_rng(0)
    noise = rng.random((size, size), dtype=np.float32)
    gram = np.ascontiguousarray(noise + noise.T)  # the solve's cost does not depend on the values
    gram[np.diag_indices(size)] += np.float32(2 * size)
    threads = max([pool.get("num_threads", 1) for pool in threadpool_info() if pool.get("user_api") == "blas"] or [1])
    best_cpu = best_wall = float("inf")
    with threadpool_limits(1, "blas"):
        for _ in range(repeats):
            work = gram.copy()
            wall, cpu = time.perf_counter(), time.process_time()
            solve_weights(work, 100.0, overwrite=True)
            best_cpu = min(best_cpu, time.process_time() - cpu)
            best_wall = min(best_wall, time.perf_counter() - wall)
    cubed = float(size) ** 3
    return max(best_cpu, 1e-4) / threads / cubed, max(best_wall, 1e-4) / cubed


@dataclass
class Ease:
    """EASE item-item weights over ``items`` (the catalogue's head); other items score zero.

    Memory and time grow with the square and cube of the items it covers, so the fit plan
    (``budget.plan_fit``) decides how many of the most interacted items it gets."""

    l2: float = 250.0
    weights: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    items: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    n_items: int = 0

    def fit(self, matrix: sp.csr_matrix, max_items: int | None = None) -> Ease:
        self.n_items = matrix.shape[1]
        self.items = head_items(matrix, max_items)
        self.weights = EaseSolver(matrix, self.items).weights(self.l2, last=True)
        return self

    @staticmethod
    def solve(gram: np.ndarray, l2: float) -> np.ndarray:
        """B from a Gram matrix, leaving the Gram matrix as it was (see ``solve_weights``)."""
        return solve_weights(gram, l2)

    def scores(self, history: sp.csr_matrix) -> np.ndarray:
        out = np.zeros((history.shape[0], self.n_items), np.float32)
        if len(self.items):
            out[:, self.items] = np.asarray(history.tocsc()[:, self.items] @ self.weights)
        return out

    def row_scores(self, items: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """One user, several weightings of the same history (``weights``: m × len(items)) → m × n_items.

        The cost is reading the history's rows of B (items × 4 bytes each: 38 MB for a 1,000-item history
        on 9,655 items), so the rows are read in place by a sparse × dense product, not copied first (a
        fancy-indexed block of rows and a BLAS product read them twice: 25–50 % more CPU)."""
        return np.asarray(self.covered_scores(items, weights))

    def covered_scores(self, items: np.ndarray, weights: np.ndarray) -> CoveredScores:
        """``row_scores`` kept over the covered items only (the request path: no catalogue-wide row)."""
        weights = np.atleast_2d(np.asarray(weights, np.float32))
        m = weights.shape[0]
        if len(self.items) == 0 or len(items) == 0:
            return CoveredScores(np.zeros((m, len(self.items)), np.float32), self.items, self.n_items)
        rows, inside = self.rows_of(items)
        rows, weights = rows[inside], weights[:, inside]
        k = len(rows)
        picker = sp.csr_matrix(  # int32 positions: scipy converts int64 ones, half the cost of building it
            (weights.ravel(), np.tile(rows.astype(np.int32), m), (np.arange(m + 1) * k).astype(np.int32)),
            shape=(m, len(self.items)),
        )
        return CoveredScores(np.asarray(picker @ self.weights, np.float32), self.items, self.n_items)

    def full_row(self, item: int) -> np.ndarray:
        """Weights from ``item`` to every catalogue item (zeros for items outside the model)."""
        out = np.zeros(self.n_items, np.float64)
        where = np.searchsorted(self.items, item)
        if where < len(self.items) and self.items[where] == item:
            out[self.items] = self.weights[where]
        return out

    def rows_of(self, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rows of B for catalogue positions ``items``, and which of them the model has."""
        if len(self.items) == 0:
            return np.zeros(len(items), np.int64), np.zeros(len(items), bool)
        where = np.searchsorted(self.items, items)
        inside = (where < len(self.items)) & (self.items[np.minimum(where, len(self.items) - 1)] == items)
        return where, inside

    def block(
        self, rows: np.ndarray, items: np.ndarray, found: tuple[np.ndarray, np.ndarray] | None = None
    ) -> np.ndarray:
        """Weights from each of ``rows`` to each of ``items`` (catalogue positions), len(rows) × len(items),
        in one gather; ``found``: ``rows_of(rows)``."""
        out = np.zeros((len(rows), len(items)), np.float64)
        if len(self.items) == 0 or len(items) == 0:
            return out
        where, inside = found if found is not None else self.rows_of(rows)
        columns, covered = self.rows_of(np.asarray(items))
        if inside.any() and covered.any():
            out[np.ix_(np.flatnonzero(inside), np.flatnonzero(covered))] = self.weights[
                np.ix_(where[inside], columns[covered])
            ]
        return out

    # -- persistence ---------------------------------------------------------------------------
    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}_weights": self.weights, f"{prefix}_items": self.items}

    def settings(self) -> dict[str, Any]:
        return {"l2": self.l2, "n_items": self.n_items}

    @classmethod
    def restore(cls, arrays: Mapping[str, np.ndarray], prefix: str, settings: Mapping[str, Any]) -> Ease:
        return cls(
            l2=float(settings["l2"] or 0.0),
            weights=arrays[f"{prefix}_weights"],
            items=arrays[f"{prefix}_items"],
            n_items=int(settings["n_items"]),
        )
