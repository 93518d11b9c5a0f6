"""XGBoost: ``auto`` hyperparameters sized to the data, early stopping through the shared search (as
LightGBM's), and the booster saved as XGBoost's own JSON model (``xgboost.json``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tendero.training.algorithms.boosting import RoundSearch, booster_output, refit_update, search_rounds
from tendero.training.algorithms.data import TrainData, threads_for
from tendero.training.algorithms.parameters import XGBoostParams, resolve_xgboost
from tendero.training.algorithms.progress import Due, Report, report_every


@dataclass
class XGBoostModel:
    booster: Any
    task: str
    settings: dict[str, Any] = field(default_factory=dict)  # what "auto" resolved to (not saved)

    def output(self, x: np.ndarray) -> np.ndarray:
        self.booster.set_param({"nthread": threads_for(x)})
        raw = np.asarray(self.booster.inplace_predict(x, iteration_range=(0, self.booster.best_iteration + 1)))
        return booster_output(raw, self.task)

    def save(self, folder: Path) -> None:
        self.booster.save_model(str(folder / "xgboost.json"))

    @classmethod
    def load(cls, folder: Path, task: str) -> XGBoostModel:
        import xgboost as xgb

        booster = xgb.Booster()
        booster.load_model(str(folder / "xgboost.json"))
        return cls(booster, task)


def xgboost_losses(logs: dict[str, Any]) -> dict[str, float]:
    """The latest {"loss", "error"} of one evaluated set (the loss as MSE for regression, as LightGBM's L2)."""
    found: dict[str, float] = {}
    for metric, values in logs.items():
        value = float(values[-1])
        if metric.endswith("logloss"):
            found["loss"] = value
        elif metric == "rmse":
            found["loss"] = value * value
        elif metric.endswith("error"):
            found["error"] = value
    return found


def train_xgboost(hp: XGBoostParams, data: TrainData, report: Report) -> XGBoostModel:
    """XGBoost with ``auto`` hyperparameters sized to the data (``resolve_xgboost``) and, when on,
    early stopping (see ``boosting``)."""
    import xgboost as xgb

    y_train = data.y_train
    assert y_train is not None
    classification = data.task == "classification"
    if classification and data.n_classes > 2:
        objective, metrics = "multi:softprob", ["mlogloss", "merror"]
    elif classification:
        objective, metrics = "binary:logistic", ["logloss", "error"]
    else:
        objective, metrics = "reg:squarederror", ["rmse"]
    settings = resolve_xgboost(hp, len(y_train))
    params: dict[str, Any] = {
        "objective": objective,
        "eval_metric": metrics,
        "eta": hp.learning_rate,
        "max_depth": settings["max_depth"],
        "min_child_weight": hp.min_child_weight,
        "subsample": settings["subsample"],
        "colsample_bytree": settings["colsample_bytree"],
        "alpha": hp.reg_alpha,
        "lambda": hp.reg_lambda,
        "tree_method": "hist",
        "seed": data.seed,
        "nthread": threads_for(data.x_train),
    }
    if objective == "multi:softprob":
        params["num_class"] = data.n_classes

    def boost(fit_rows: np.ndarray, stop_rows: np.ndarray, search: RoundSearch) -> None:
        fit_matrix = xgb.DMatrix(data.x_train[fit_rows], label=y_train[fit_rows])
        stop_matrix = xgb.DMatrix(data.x_train[stop_rows], label=y_train[stop_rows])

        class Searching(xgb.callback.TrainingCallback):
            def after_iteration(self, model: Any, epoch: int, evals_log: dict[str, Any]) -> bool:
                return search.observe(epoch + 1, xgboost_losses(evals_log["stopping"])["loss"])

        xgb.train(
            {**params, "eval_metric": metrics[:1]},  # the search watches the loss only
            fit_matrix,
            num_boost_round=search.cap,
            evals=[(stop_matrix, "stopping")],
            callbacks=[Searching()],
            verbose_eval=False,
        )

    searched = search_rounds(data, settings, hp.learning_rate, report, boost)
    rounds = int(settings["n_estimators"])
    train_matrix = xgb.DMatrix(data.x_train, label=y_train)
    evals = [(train_matrix, "train")]
    if data.y_val is not None and len(data.y_val) > 0:
        evals.append((xgb.DMatrix(data.x_val, label=data.y_val), "valid"))
    due = Due(report_every(rounds), rounds)

    class Fitting(xgb.callback.TrainingCallback):
        def after_iteration(self, model: Any, epoch: int, evals_log: dict[str, Any]) -> bool:
            iteration = epoch + 1
            if not due(iteration):
                return False
            train = xgboost_losses(evals_log["train"])
            valid = xgboost_losses(evals_log["valid"]) if "valid" in evals_log else None
            message, found = refit_update(iteration, rounds, searched, train, valid, classification)
            report(searched + iteration, searched + rounds, message=message, learning_rate=hp.learning_rate, **found)
            return False

    booster = xgb.train(
        params, train_matrix, num_boost_round=rounds, evals=evals, callbacks=[Fitting()], verbose_eval=False
    )
    booster.set_attr(best_iteration=str(booster.num_boosted_rounds() - 1))
    return XGBoostModel(booster, data.task, settings)
