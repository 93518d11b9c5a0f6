"""Every algorithm's typed hyperparameters, and what ``auto`` stands for on a number of training rows.

Unknown names and out-of-range values are validation errors that name the field.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator


class HyperParams(BaseModel):
    """Base of every algorithm's hyperparameters: unknown names are errors."""

    model_config = ConfigDict(extra="forbid")


class LinearRegressionParams(HyperParams):
    alpha: float = Field(0.0, ge=0.0, le=1e6, description="L2 penalty (0 = ordinary least squares)")
    fit_intercept: bool = True


class LogisticRegressionParams(HyperParams):
    C: float = Field(1.0, gt=0.0, le=1e6, description="inverse L2 strength")
    max_iter: int = Field(500, ge=10, le=20_000)
    class_weight: Literal["balanced"] | None = None


class RandomForestParams(HyperParams):
    n_estimators: int = Field(200, ge=1, le=5000)
    max_depth: int | None = Field(None, ge=1, le=200)
    min_samples_leaf: int = Field(1, ge=1, le=100_000)
    max_features: Literal["sqrt", "log2"] | float | None = Field(
        None, description="share (0, 1] or sqrt/log2; default sqrt for classification, all for regression"
    )
    class_weight: Literal["balanced"] | None = None

    @field_validator("max_features")
    @classmethod
    def _share(cls, value: Any) -> Any:
        if isinstance(value, float) and not 0.0 < value <= 1.0:
            raise ValueError("max_features as a number must be a share in (0, 1]")
        return value


Auto = Literal["auto"]
# Below this many training rows LightGBM's own defaults (31 leaves, 100 rounds) overfit: "auto"
# hyperparameters then mean smaller, sampled trees and a number of rounds found by early stopping.
SMALL_DATA_ROWS = 2_000
# Early stopping holds back this share of the training rows; with fewer rows it is off.
STOPPING_SHARE = 0.2
MIN_STOPPING_ROWS = 50


class AutoBoostingParams(HyperParams):
    """What the gradient-boosting algorithms share: rounds, sampling and early stopping that ``auto``
    sizes to the training rows (see ``resolve_boosting``)."""

    learning_rate: float = Field(0.1, gt=0.0, le=1.0)
    subsample: Annotated[float, Field(gt=0.0, le=1.0)] | Auto = Field(
        "auto", description="share of rows per tree; auto: 0.8 under 2,000 training rows, else 1"
    )
    colsample_bytree: Annotated[float, Field(gt=0.0, le=1.0)] | Auto = Field(
        "auto", description="share of features per tree; auto: 0.8 under 2,000 training rows, else 1"
    )
    reg_alpha: float = Field(0.0, ge=0.0, le=1e4)
    early_stopping_rounds: Annotated[int, Field(ge=1, le=10_000)] | Auto | None = Field(
        "auto",
        description="stop when the loss on 20% of the training rows (never the validation split) has not "
        "improved for this many rounds, then refit on all training rows; "
        "auto: 20 under 2,000 training rows when n_estimators is auto, else off",
    )


def pick(value: Any, auto: Any) -> Any:
    """``auto`` when the hyperparameter says "auto", else the value given."""
    return auto if value == "auto" else value


def resolve_boosting(hp: AutoBoostingParams, n_estimators: int | str, rows: int, fixed_rounds: int) -> dict[str, Any]:
    """Rounds, sampling and early stopping for ``rows`` training rows: on small data, sampled trees and
    a number of rounds found by early stopping (at most 1000); otherwise ``fixed_rounds``."""
    small = rows < SMALL_DATA_ROWS
    stopping = hp.early_stopping_rounds
    if stopping == "auto":
        stopping = 20 if small and n_estimators == "auto" else None
    if stopping is not None and rows < MIN_STOPPING_ROWS:
        stopping = None  # too few rows to hold some back; fixed rounds instead
    return {
        "n_estimators": n_estimators if n_estimators != "auto" else (1000 if stopping else fixed_rounds),
        "subsample": pick(hp.subsample, 0.8 if small else 1.0),
        "colsample_bytree": pick(hp.colsample_bytree, 0.8 if small else 1.0),
        "early_stopping_rounds": stopping,
    }


class LightGBMParams(AutoBoostingParams):
    n_estimators: Annotated[int, Field(ge=1, le=20_000)] | Auto = Field(
        "auto", description="boosting rounds; auto: found by early stopping (at most 1000) when it is on, else 100"
    )
    num_leaves: Annotated[int, Field(ge=2, le=131_072)] | Auto = Field(
        "auto", description="auto: 31, or training rows / 100 (at least 4) under 2,000 training rows"
    )
    max_depth: int = Field(-1, ge=-1, le=64)
    min_child_samples: Annotated[int, Field(ge=1, le=100_000)] | Auto = Field(
        "auto", description="auto: 20, or training rows / 20 (at least 2) when that is smaller"
    )
    subsample_freq: int = Field(1, ge=0, le=100, description="resample rows every k rounds (0: never)")
    reg_lambda: float = Field(0.0, ge=0.0, le=1e4)
    max_bin: int = Field(255, ge=2, le=65_535, description="histogram bins per feature: fewer is faster and coarser")


def resolve_lightgbm(hp: LightGBMParams, rows: int) -> dict[str, Any]:
    """The values ``auto`` stands for on ``rows`` training rows; explicit values are kept as given."""
    small = rows < SMALL_DATA_ROWS
    shared = resolve_boosting(hp, hp.n_estimators, rows, fixed_rounds=100)
    return {
        "n_estimators": shared["n_estimators"],
        "learning_rate": hp.learning_rate,
        "num_leaves": pick(hp.num_leaves, int(np.clip(rows // 100, 4, 31)) if small else 31),
        "min_child_samples": pick(hp.min_child_samples, int(np.clip(rows // 20, 2, 20))),
        "subsample": shared["subsample"],
        "colsample_bytree": shared["colsample_bytree"],
        "early_stopping_rounds": shared["early_stopping_rounds"],
    }


class XGBoostParams(AutoBoostingParams):
    n_estimators: Annotated[int, Field(ge=1, le=20_000)] | Auto = Field(
        "auto", description="boosting rounds; auto: found by early stopping (at most 1000) when it is on, else 200"
    )
    max_depth: Annotated[int, Field(ge=1, le=32)] | Auto = Field(
        "auto", description="auto: 6, or 3 under 2,000 training rows"
    )
    min_child_weight: float = Field(1.0, ge=0.0, le=1e4)
    reg_lambda: float = Field(1.0, ge=0.0, le=1e4)


def resolve_xgboost(hp: XGBoostParams, rows: int) -> dict[str, Any]:
    """The values ``auto`` stands for on ``rows`` training rows, as ``resolve_lightgbm``: on small data
    XGBoost's own depth-6 trees and fixed rounds overfit (diabetes R² 0.20 against LightGBM's 0.37)."""
    shared = resolve_boosting(hp, hp.n_estimators, rows, fixed_rounds=200)
    return {
        "n_estimators": shared["n_estimators"],
        "max_depth": pick(hp.max_depth, 3 if rows < SMALL_DATA_ROWS else 6),
        "subsample": shared["subsample"],
        "colsample_bytree": shared["colsample_bytree"],
        "early_stopping_rounds": shared["early_stopping_rounds"],
    }


class MLPParams(HyperParams):
    epochs: int = Field(50, ge=1, le=5000)
    batch_size: int = Field(32, ge=1, le=65_536)
    learning_rate: float = Field(1e-3, gt=0.0, le=1.0)
    hidden_layers: list[int] = Field(default_factory=lambda: [64, 32], max_length=10)
    dropout: float = Field(0.1, ge=0.0, lt=1.0)
    optimizer: Literal["adam", "adamw", "sgd", "rmsprop"] = "adam"
    weight_decay: float = Field(0.0, ge=0.0, le=1.0)
    activation: Literal["relu", "tanh"] = "relu"
    early_stopping_patience: int | None = Field(
        10,
        ge=1,
        le=1000,
        description="train on 80% of the training rows and stop after this many epochs without a better loss "
        "on the other 20% (never the validation split), keeping the best epoch; off: every row, last epoch",
    )

    @field_validator("hidden_layers")
    @classmethod
    def _widths(cls, value: list[int]) -> list[int]:
        for width in value:
            if not 1 <= width <= 4096:
                raise ValueError("each hidden layer needs 1 to 4096 units")
        return value


class KMeansParams(HyperParams):
    n_clusters: int = Field(8, ge=2, le=1000)
    n_init: int = Field(10, ge=1, le=100)
    max_iter: int = Field(300, ge=1, le=10_000)


class TextClassifierParams(HyperParams):
    max_features: int = Field(50_000, ge=10, le=2_000_000)
    ngram_max: int = Field(2, ge=1, le=3)
    analyzer: Literal["word", "char_wb"] = "word"
    min_df: int = Field(1, ge=1, le=1000)
    sublinear_tf: bool = True
    C: float = Field(10.0, gt=0.0, le=1e6)
    max_iter: int = Field(1000, ge=10, le=20_000)
