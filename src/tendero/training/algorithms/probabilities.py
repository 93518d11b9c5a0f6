"""Class scores to probabilities: one logit for two classes, a softmax over more."""

from __future__ import annotations

import numpy as np


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def binary_or_softmax(scores: np.ndarray) -> np.ndarray:
    """(n, 1) scores are the second class's logit; (n, k) scores go through a softmax."""
    if scores.shape[1] == 1:
        p = 1.0 / (1.0 + np.exp(-scores[:, 0]))
        return np.column_stack([1.0 - p, p])
    return _softmax(scores)
