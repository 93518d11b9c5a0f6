"""Held-out metrics by task, computed with scikit-learn's own functions so they match it exactly."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn import metrics as skm


def classification_metrics(
    y_true: Sequence[Any] | np.ndarray,
    y_pred: Sequence[Any] | np.ndarray,
    proba: np.ndarray | None,
    labels: Sequence[Any],
) -> tuple[dict[str, float], dict[str, Any]]:
    """Accuracy, precision, recall, F1 (binary: of the second label; else macro), ROC-AUC.

    Returns (numbers, details) where details hold the confusion matrix and its label order.
    """
    labels = list(labels)
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    binary = len(labels) == 2
    average = "binary" if binary else "macro"
    extra = {"pos_label": labels[1]} if binary else {"labels": labels}
    # one call for the three: precision_score, recall_score and f1_score each run it in full
    precision, recall, f1, _ = skm.precision_recall_fscore_support(
        y_true, y_pred, average=average, zero_division=0, **extra
    )
    numbers = {
        "accuracy": float(skm.accuracy_score(y_true, y_pred)),
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
    }
    if proba is not None:
        numbers["roc_auc"] = roc_auc(y_true, proba, labels)
        numbers["log_loss"] = float(skm.log_loss(y_true, np.clip(proba, 1e-15, 1.0), labels=labels))
    matrix = skm.confusion_matrix(y_true, y_pred, labels=labels)
    details = {"labels": [_plain(label) for label in labels], "confusion_matrix": matrix.tolist()}
    return numbers, details


def roc_auc(y_true: np.ndarray, proba: np.ndarray, labels: Sequence[Any]) -> float:
    """ROC-AUC: of the second label when binary, one-vs-rest macro otherwise; NaN if a class is absent."""
    labels = list(labels)
    present = set(np.unique(y_true).tolist())
    try:
        if len(labels) == 2:
            if len(present) < 2:
                return float("nan")
            return float(skm.roc_auc_score(y_true == labels[1], proba[:, 1]))
        if present != set(labels):
            return float("nan")
        return float(skm.roc_auc_score(y_true, proba, multi_class="ovr", average="macro", labels=labels))
    except ValueError:
        return float("nan")


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """MAE, MSE, RMSE, R², WAPE and sMAPE (%), as the forecasts report them.

    No MAPE: it divides by each target, so one zero target makes it explode (scikit-learn's guard is machine
    epsilon: a stored 1.6e15). WAPE divides by the sum of the targets (left out when they are all zero) and
    sMAPE by each pair's size (0 to 200 %; a pair of zeros is no error).
    """
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    mse = float(skm.mean_squared_error(y_true, y_pred))
    error = np.abs(y_true - y_pred)
    size = np.abs(y_true) + np.abs(y_pred)
    smape = np.divide(2 * error, size, out=np.zeros_like(error), where=size > 0)
    numbers = {
        "mae": float(error.mean()),
        "mse": mse,
        "rmse": float(np.sqrt(mse)),
        "r2": float(skm.r2_score(y_true, y_pred)),
        "smape": float(100 * smape.mean()),
    }
    total = float(np.abs(y_true).sum())
    if total > 0:
        numbers["wape"] = float(error.sum() / total)
    return numbers


def clustering_metrics(
    x: np.ndarray, assignments: np.ndarray, *, sample_size: int = 5000, seed: int = 0
) -> dict[str, float]:
    """Silhouette (on a seeded sample above ``sample_size`` rows) and cluster count."""
    clusters = len(np.unique(assignments))
    numbers = {"clusters": float(clusters)}
    if 1 < clusters < len(x):
        size = sample_size if len(x) > sample_size else None
        numbers["silhouette"] = float(skm.silhouette_score(x, assignments, sample_size=size, random_state=seed))
    else:
        numbers["silhouette"] = float("nan")
    return numbers


def permutation_importance(
    predict_score: Callable[[pd.DataFrame, np.ndarray], float],
    frame: pd.DataFrame,
    y: np.ndarray,
    *,
    n_repeats: int = 5,
    seed: int = 0,
    on_feature: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Permutation importance of each raw column, by scikit-learn's ``permutation_importance``.

    ``predict_score(frame, y)`` returns a higher-is-better score. ``on_feature(done, total)`` is
    called as columns finish (it may raise ``Cancelled``). Sorted by importance, largest first.
    """
    from sklearn.inspection import permutation_importance as sk_permutation_importance

    total = frame.shape[1]
    calls = {"n": 0}

    def scorer(_estimator: Any, x: pd.DataFrame, target: np.ndarray) -> float:
        score = predict_score(x, target)
        calls["n"] += 1
        if on_feature is not None and calls["n"] > 1 and (calls["n"] - 1) % n_repeats == 0:
            on_feature((calls["n"] - 1) // n_repeats, total)
        return score

    result = sk_permutation_importance(
        _FittedMarker(), frame, y, scoring=scorer, n_repeats=n_repeats, random_state=seed, n_jobs=None
    )
    rows = [
        {"feature": str(name), "importance": float(mean), "std": float(std)}
        for name, mean, std in zip(frame.columns, result.importances_mean, result.importances_std, strict=True)
    ]
    return sorted(rows, key=lambda row: row["importance"], reverse=True)


class _FittedMarker:
    """Stands in for the estimator: our scorer closes over the real model."""

    def fit(self, *_args: Any) -> _FittedMarker:
        return self


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
