"""LightGBM: ``auto`` hyperparameters sized to the data, early stopping through the shared search,
and the booster saved as LightGBM's own text model (``lightgbm.txt``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from tendero.training.algorithms.boosting import RoundSearch, booster_output, refit_update, search_rounds
from tendero.training.algorithms.data import TrainData, threads_for
from tendero.training.algorithms.parameters import LightGBMParams, resolve_lightgbm
from tendero.training.algorithms.progress import Due, Report, report_every


@dataclass
class LightGBMModel:
    booster: Any
    task: str
    settings: dict[str, Any] = field(default_factory=dict)  # what "auto" resolved to (not saved)

    def output(self, x: np.ndarray) -> np.ndarray:
        return booster_output(np.asarray(self.booster.predict(x, num_threads=threads_for(x))), self.task)

    def save(self, folder: Path) -> None:
        self.booster.save_model(str(folder / "lightgbm.txt"))

    @classmethod
    def load(cls, folder: Path, task: str) -> LightGBMModel:
        import lightgbm as lgb

        return cls(lgb.Booster(model_file=str(folder / "lightgbm.txt")), task)


def lightgbm_losses(results: list[Any]) -> dict[str, float]:
    """One set's evaluation from LightGBM as {"loss", "error"} (log loss or L2; error rate)."""
    found: dict[str, float] = {}
    for _, metric, value, _ in results:
        if metric.endswith("logloss") or metric == "l2":
            found["loss"] = float(value)
        elif metric.endswith("error"):
            found["error"] = float(value)
    return found


def train_lightgbm(hp: LightGBMParams, data: TrainData, report: Report) -> LightGBMModel:
    """LightGBM with ``auto`` hyperparameters sized to the data (``resolve_lightgbm``) and, when on,
    early stopping (see ``boosting``). Boosting runs round by round so that metrics are computed only
    when they are reported."""
    import lightgbm as lgb

    y_train = data.y_train
    assert y_train is not None
    settings = resolve_lightgbm(hp, len(y_train))
    classification = data.task == "classification"
    if classification and data.n_classes > 2:
        objective, metrics = "multiclass", ["multi_logloss", "multi_error"]
    elif classification:
        objective, metrics = "binary", ["binary_logloss", "binary_error"]
    else:
        objective, metrics = "regression", ["l2"]
    params: dict[str, Any] = {
        "objective": objective,
        "metric": metrics,
        "learning_rate": hp.learning_rate,
        "num_leaves": settings["num_leaves"],
        "max_depth": hp.max_depth,
        "min_child_samples": settings["min_child_samples"],
        "bagging_fraction": settings["subsample"],
        "bagging_freq": hp.subsample_freq,
        "feature_fraction": settings["colsample_bytree"],
        "lambda_l1": hp.reg_alpha,
        "lambda_l2": hp.reg_lambda,
        "max_bin": hp.max_bin,
        "seed": data.seed,
        "deterministic": True,
        "num_threads": threads_for(data.x_train),
        "verbosity": -1,
    }
    if objective == "multiclass":
        params["num_class"] = data.n_classes
    categorical: list[int] | Literal["auto"] = list(data.categorical) or "auto"

    def dataset(x: Any, y: np.ndarray, reference: Any = None) -> Any:
        return lgb.Dataset(
            x, y, reference=reference, categorical_feature=categorical, free_raw_data=False, params=params
        )

    def boost(fit_rows: np.ndarray, stop_rows: np.ndarray, search: RoundSearch) -> None:
        fit_set = dataset(data.x_train[fit_rows], y_train[fit_rows])
        booster = lgb.Booster({**params, "metric": metrics[:1]}, fit_set)
        booster.add_valid(dataset(data.x_train[stop_rows], y_train[stop_rows], fit_set), "stopping")
        for iteration in range(1, search.cap + 1):
            finished = booster.update()
            if search.observe(iteration, lightgbm_losses(booster.eval_valid())["loss"], finished):
                break

    searched = search_rounds(data, settings, hp.learning_rate, report, boost)
    rounds = int(settings["n_estimators"])
    train_set = dataset(data.x_train, y_train)
    booster = lgb.Booster(params, train_set)
    y_val = data.y_val if data.y_val is not None and len(data.y_val) > 0 else None
    if y_val is not None:
        booster.add_valid(dataset(data.x_val, y_val, train_set), "valid")
    due = Due(report_every(rounds, updates=20), rounds)
    for iteration in range(1, rounds + 1):
        finished = booster.update()  # True when no split improves any more: further rounds add nothing
        if not (finished or due(iteration)):
            continue
        last = iteration if finished else rounds
        train = lightgbm_losses(booster.eval_train())
        valid = lightgbm_losses(booster.eval_valid()) if y_val is not None else None
        message, found = refit_update(iteration, last, searched, train, valid, classification)
        report(searched + iteration, searched + last, message=message, learning_rate=hp.learning_rate, **found)
        if finished:
            break
    return LightGBMModel(booster, data.task, settings)
