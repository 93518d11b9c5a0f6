"""Sparse-matrix steps the generators share: binary patterns, row sums on the request path, top-k rows."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp


def binary(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """The matrix's pattern with every stored value 1 (float32)."""
    out = matrix.copy().astype(np.float32)
    out.data[:] = 1.0
    return out


def sparse_rows_sum(matrix: sp.csr_matrix, rows: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Σ weights[r] · matrix[rows[r]] as one dense vector, with no sparse object built (request path)."""
    rows = np.asarray(rows, np.int64)
    starts = matrix.indptr[rows]
    lengths = matrix.indptr[rows + 1] - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(matrix.shape[1])
    offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(total)
    scaled = matrix.data[offsets] * np.repeat(np.asarray(weights, np.float64), lengths)
    return np.bincount(matrix.indices[offsets], weights=scaled, minlength=matrix.shape[1])


def dense_top_k_rows(dense: np.ndarray, k: int) -> sp.csr_matrix:
    """Each row's k largest positive entries of a dense block, as a sparse matrix of the same shape."""
    n, m = dense.shape
    k = min(k, m)
    if n == 0 or k == 0:
        return sp.csr_matrix((n, m), dtype=np.float32)
    cols = np.argpartition(-dense, k - 1, axis=1)[:, :k]
    vals = np.take_along_axis(dense, cols, axis=1).ravel()
    rows = np.repeat(np.arange(n), k)
    keep = vals > 0
    return sp.csr_matrix(
        (vals[keep].astype(np.float32), (rows[keep], cols.ravel()[keep])), shape=(n, m), dtype=np.float32
    )


def product_top_k_rows(left: sp.csr_matrix, right_t: sp.csr_matrix, k: int, chunk: int = 2048) -> sp.csr_matrix:
    """Top-k rows of ``left @ right_t`` without the diagonal, in row chunks so big catalogues fit in memory."""
    blocks = []
    for start in range(0, left.shape[0], chunk):
        block = (left[start : start + chunk] @ right_t).toarray()
        rows = np.arange(start, min(start + chunk, left.shape[0]))
        block[np.arange(len(rows)), rows] = 0.0
        blocks.append(dense_top_k_rows(block, k))
    return sp.vstack(blocks).tocsr() if blocks else sp.csr_matrix(left.shape[:1] * 2, dtype=np.float32)


def sparse_top_k_rows(matrix: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """Each row's k largest stored entries of a sparse matrix (ties as ``np.argpartition`` leaves them)."""
    matrix = matrix.tocsr()
    rows, cols, vals = [], [], []
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        if start == end:
            continue
        data, indices = matrix.data[start:end], matrix.indices[start:end]
        if len(data) > k:
            keep = np.argpartition(-data, k - 1)[:k]
            data, indices = data[keep], indices[keep]
        rows.append(np.full(len(data), row))
        cols.append(indices)
        vals.append(data)
    if not rows:
        return sp.csr_matrix(matrix.shape, dtype=np.float32)
    return sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=matrix.shape, dtype=np.float32
    )


def csr_arrays(prefix: str, matrix: sp.csr_matrix, dtype: type = np.float32) -> dict[str, np.ndarray]:
    """A CSR matrix as named plain arrays (for ``.npz`` files, no pickle)."""
    matrix = matrix.tocsr()
    return {
        f"{prefix}_data": matrix.data.astype(dtype),
        f"{prefix}_indices": matrix.indices.astype(np.int32),
        f"{prefix}_indptr": matrix.indptr.astype(np.int64),
        f"{prefix}_shape": np.asarray(matrix.shape, np.int64),
    }


def csr_from_arrays(arrays: Mapping[str, np.ndarray], prefix: str) -> sp.csr_matrix:
    shape = tuple(int(v) for v in arrays[f"{prefix}_shape"])
    return sp.csr_matrix(
        (arrays[f"{prefix}_data"], arrays[f"{prefix}_indices"], arrays[f"{prefix}_indptr"]), shape=shape
    )


def top_unblocked(values: np.ndarray, take: int, blocked: np.ndarray, among: np.ndarray | None = None) -> np.ndarray:
    """The positions of the ``take`` highest ``values`` that are not ``blocked`` (in no order), searched
    ``among`` those positions only when given. Few blocked items (the usual case: the user's history): the
    top ``take`` + blocked positions hold the answer, so ``values`` is neither copied nor masked."""
    pool = values if among is None else values[among]
    pool_blocked = blocked if among is None else blocked[among]
    n_blocked = int(pool_blocked.sum())
    n = len(pool)
    if n - n_blocked <= take:
        found = np.flatnonzero(~pool_blocked)
    elif n_blocked * 4 <= n:
        reach = take + n_blocked
        head = np.argpartition(pool, n - reach)[n - reach :] if reach < n else np.arange(n)
        head = head[~pool_blocked[head]]
        found = head[np.argpartition(-pool[head], take - 1)[:take]] if len(head) > take else head
    else:
        allowed = np.flatnonzero(~pool_blocked)
        found = allowed[np.argpartition(-pool[allowed], take - 1)[:take]]
    return found if among is None else among[found]
