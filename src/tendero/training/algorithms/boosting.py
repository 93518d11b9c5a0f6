"""What the gradient-boosting algorithms (LightGBM, XGBoost) share: early stopping's one search for
the number of rounds, the refit's progress figures, the booster's output, and the work a fit costs.

With early stopping, a first run on 80% of the training rows finds the number of rounds on the
other 20%; the model is then refit on all training rows with that many rounds, scaled by the extra
rows. The validation split only reports progress: it decides nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from tendero.training.algorithms.data import TrainData, stopping_rows
from tendero.training.algorithms.progress import Due, Report, report_every


class RoundSearch:
    """Early stopping, one round at a time: the library boosts on the fit rows and hands each round's
    loss on the stopping rows to ``observe``, which keeps the best round (a strictly lower loss),
    says stop ``patience`` rounds after it, and reports progress in between."""

    def __init__(
        self, *, cap: int, patience: int, scale: float, stop_rows: int, learning_rate: float, report: Report
    ) -> None:
        self.cap, self.patience, self.scale = cap, patience, scale
        self.stop_rows, self.learning_rate, self.report = stop_rows, learning_rate, report
        self.best_round, self.best_loss = 0, math.inf
        self.searched = 0  # rounds run so far
        self._due = Due(report_every(cap), cap)

    def observe(self, iteration: int, loss: float, finished: bool = False) -> bool:
        """Round ``iteration`` (from 1) has ``loss`` on the stopping rows; True when the search is over
        (``finished``: the library can add nothing more)."""
        if loss < self.best_loss:
            self.best_round, self.best_loss = iteration, loss
        self.searched = iteration
        if finished or iteration - self.best_round >= self.patience:
            return True
        if self._due(iteration):
            # the search ends ``patience`` rounds after the best so far and the refit then takes about
            # best x scale rounds: that is the total shown
            expected = min(self.cap, self.best_round + self.patience) + max(1, round(self.best_round * self.scale))
            self.report(
                iteration,
                max(expected, iteration + 1),
                message=f"tree {iteration}: finding the number of rounds on {self.stop_rows} training rows",
                learning_rate=self.learning_rate,
                stopping_loss=loss,
            )
        return False

    @property
    def refit_rounds(self) -> int:
        """The best round scaled by the rows the refit adds (all training rows / the fit rows)."""
        return max(1, round(self.best_round * self.scale))


# boost(fit_rows, stop_rows, search): run the library on the fit rows round by round, up to
# ``search.cap``, until ``search.observe`` says stop.
Boost = Callable[[np.ndarray, np.ndarray, RoundSearch], None]


def search_rounds(data: TrainData, settings: dict[str, Any], learning_rate: float, report: Report, boost: Boost) -> int:
    """Early stopping's search when ``settings`` turn it on and there are rows to hold back. Records
    the best round and the refit's rounds in ``settings``; returns the rounds run (0: no search)."""
    split = stopping_rows(data) if settings["early_stopping_rounds"] else None
    if split is None:
        return 0
    assert data.y_train is not None
    fit_rows, stop_rows = split
    search = RoundSearch(
        cap=int(settings["n_estimators"]),
        patience=int(settings["early_stopping_rounds"]),
        scale=len(data.y_train) / len(fit_rows),
        stop_rows=len(stop_rows),
        learning_rate=learning_rate,
        report=report,
    )
    boost(fit_rows, stop_rows, search)
    settings["stopping_best_round"] = search.best_round
    settings["n_estimators"] = search.refit_rounds
    return search.searched


def refit_update(
    iteration: int,
    last: int,
    searched: int,
    train: dict[str, float],
    valid: dict[str, float] | None,
    classification: bool,
) -> tuple[str, dict[str, float]]:
    """A refit update's message and figures from the {"loss", "error"} of the training rows and of
    the validation split (None without one): loss, val_loss, and accuracy or RMSE."""
    found = {"loss": train["loss"]}
    if valid is not None:
        found["val_loss"] = valid["loss"]
        if classification:
            found["accuracy"] = 1.0 - valid["error"]
        else:
            found["rmse"] = math.sqrt(valid["loss"])
    where = " on all training rows" if searched else ""
    return f"tree {iteration}/{last}{where}", found


def booster_output(raw: np.ndarray, task: str) -> np.ndarray:
    """A booster's predictions as the table's output: (n, k) probabilities for classes (a binary
    objective predicts only the second class's), values for regression."""
    if task == "classification":
        return np.column_stack([1.0 - raw, raw]) if raw.ndim == 1 else raw
    return raw


def boosting_work(settings: dict[str, Any]) -> float:
    """Rounds to build: with early stopping, the search (to the cap at worst) plus the refit."""
    if settings["early_stopping_rounds"]:
        return min(settings["n_estimators"], 300) * 2.0
    return float(settings["n_estimators"])
