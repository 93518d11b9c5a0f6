"""The table of algorithms a user can train: each one's hyperparameters, tasks, preprocessing,
trainer, loader and a rough cost, and the training-time estimate built from it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from tendero.training.algorithms.boosting import boosting_work
from tendero.training.algorithms.data import TrainData
from tendero.training.algorithms.forest import TreeEnsemble, train_random_forest
from tendero.training.algorithms.kmeans import Centroids, train_kmeans
from tendero.training.algorithms.lightgbm_booster import LightGBMModel, train_lightgbm
from tendero.training.algorithms.linear import LinearModel, train_linear_regression, train_logistic_regression
from tendero.training.algorithms.mlp import NeuralNetwork, train_mlp
from tendero.training.algorithms.parameters import (
    HyperParams,
    KMeansParams,
    LightGBMParams,
    LinearRegressionParams,
    LogisticRegressionParams,
    MLPParams,
    RandomForestParams,
    TextClassifierParams,
    XGBoostParams,
    resolve_lightgbm,
    resolve_xgboost,
)
from tendero.training.algorithms.progress import Report
from tendero.training.algorithms.text import TextModel, train_text_classifier
from tendero.training.algorithms.xgboost_booster import XGBoostModel, train_xgboost


@dataclass(frozen=True)
class Algorithm:
    """An algorithm's contract: hyperparameters, tasks, preprocessing, trainer and loader."""

    name: str
    params: type[HyperParams]
    tasks: tuple[str, ...]
    encoding: Literal["onehot", "ordinal"]
    scale: bool
    train: Callable[[Any, TrainData, Report], Any]  # returns the fitted estimator (see the package docstring)
    load: Callable[[Path, str], Any]
    # seconds per (row x feature x unit of work): rough, calibrated on `tendero bench tabular` (2 cores)
    cost: float
    work: Callable[[Any, int], float]  # (hyperparameters, rows) -> units of work


ALGORITHMS: dict[str, Algorithm] = {
    a.name: a
    for a in (
        Algorithm(
            "linear_regression",
            LinearRegressionParams,
            ("regression",),
            "onehot",
            True,
            train_linear_regression,
            lambda f, _t: LinearModel.load(f),
            2e-8,
            lambda hp, _rows: 1.0,
        ),
        Algorithm(
            "logistic_regression",
            LogisticRegressionParams,
            ("classification",),
            "onehot",
            True,
            train_logistic_regression,
            lambda f, _t: LinearModel.load(f),
            2e-8,
            lambda hp, _rows: 10.0,
        ),
        Algorithm(
            "random_forest",
            RandomForestParams,
            ("classification", "regression"),
            "ordinal",
            False,
            train_random_forest,
            lambda f, _t: TreeEnsemble.load(f),
            1.2e-7,
            lambda hp, _rows: hp.n_estimators * 3.0,
        ),
        Algorithm(
            "lightgbm",
            LightGBMParams,
            ("classification", "regression"),
            "ordinal",
            False,
            train_lightgbm,
            LightGBMModel.load,
            2e-8,
            lambda hp, rows: boosting_work(resolve_lightgbm(hp, rows)),
        ),
        Algorithm(
            "xgboost",
            XGBoostParams,
            ("classification", "regression"),
            "ordinal",
            False,
            train_xgboost,
            XGBoostModel.load,
            3e-8,
            lambda hp, rows: boosting_work(resolve_xgboost(hp, rows)),
        ),
        Algorithm(
            "mlp",
            MLPParams,
            ("classification", "regression"),
            "onehot",
            True,
            train_mlp,
            lambda f, _t: NeuralNetwork.load(f),
            1.2e-7,
            lambda hp, _rows: hp.epochs * (1 + sum(hp.hidden_layers) / 16) * (1 + 32 / hp.batch_size),
        ),
        Algorithm(
            "kmeans",
            KMeansParams,
            ("clustering",),
            "onehot",
            True,
            train_kmeans,
            lambda f, _t: Centroids.load(f),
            1.8e-8,
            lambda hp, _rows: hp.n_init * hp.n_clusters * 30,
        ),
        Algorithm(
            "text_classifier",
            TextClassifierParams,
            ("text_classification",),
            "onehot",
            False,
            train_text_classifier,
            lambda f, _t: TextModel.load(f),
            3e-4,
            lambda hp, _rows: hp.ngram_max * 10.0,
        ),
    )
}


def get_algorithm(name: str) -> Algorithm:
    if name not in ALGORITHMS:
        raise KeyError(f"unknown algorithm {name!r}; known: {', '.join(ALGORITHMS)}")
    return ALGORITHMS[name]


def estimate_seconds(algorithm: str, hyperparameters: HyperParams | dict[str, Any], rows: int, features: int) -> float:
    """Rough training time before the job starts, from data size and the algorithm's work."""
    spec = get_algorithm(algorithm)
    hp = hyperparameters if isinstance(hyperparameters, HyperParams) else spec.params.model_validate(hyperparameters)
    seconds = spec.cost * max(rows, 1) * max(features, 1) * spec.work(hp, rows)
    preprocessing = 5e-6 * rows * features
    return float(0.2 + preprocessing + seconds)
