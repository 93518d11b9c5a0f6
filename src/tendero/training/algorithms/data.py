"""What a trainer gets: preprocessed training and validation rows, and the split early stopping uses."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from tendero.training.algorithms.parameters import MIN_STOPPING_ROWS, STOPPING_SHARE


@dataclass
class TrainData:
    """Preprocessed matrices (or texts), labels encoded 0..k-1 for classes."""

    task: str
    x_train: Any
    y_train: np.ndarray | None
    x_val: Any
    y_val: np.ndarray | None
    n_classes: int = 0
    categorical: tuple[int, ...] = ()
    seed: int = 0


def stopping_rows(data: TrainData) -> tuple[np.ndarray, np.ndarray] | None:
    """Training rows split into rows to fit and rows that decide when to stop (stratified by class
    when every class allows it). The validation split is never among them: it only reports.
    None when there are too few rows to hold some back."""
    from sklearn.model_selection import train_test_split

    assert data.y_train is not None
    n = len(data.y_train)
    if n < MIN_STOPPING_ROWS:
        return None
    stratify = None
    if data.task == "classification":
        counts = np.bincount(data.y_train)
        present = int((counts > 0).sum())
        n_stop = math.ceil(n * STOPPING_SHARE)
        if counts[counts > 0].min() >= 2 and n_stop >= present and n - n_stop >= present:
            stratify = data.y_train
    fit, stop = train_test_split(np.arange(n), test_size=STOPPING_SHARE, random_state=data.seed, stratify=stratify)
    return np.sort(fit), np.sort(stop)


def threads_for(x: Any) -> int:
    """One thread for small data (OpenMP start-up and spinning cost more than they save), else two."""
    rows, cols = np.shape(x) if hasattr(x, "shape") else (len(x), 1)
    return 1 if rows * cols < 2_000_000 else 2
